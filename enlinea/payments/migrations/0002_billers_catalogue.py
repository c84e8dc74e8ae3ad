"""The biller catalogue the cooperative ships with: the manual's categories and real
Ecuadorian billers, each with the reference it asks for, spelled as Ecuadorian banks'
"Pago de servicios" lists spell them. Staff edit it in the back office afterwards; this
migration only adds what is missing (by name / code) and its reverse removes only
billers nobody has paid yet."""

import unicodedata

from django.db import migrations


def search_fold(value):
    # As Biller.save stores it (enlinea.beneficiaries.destinations.search_fold), frozen here.
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.upper().split())

CATEGORIES = [
    "Agua",
    "Bomberos",
    "Catálogo",
    "Compras",
    "Consejo Nacional Electoral",
    "Entidades Financieras",
    "Luz",
    "Medio de Pago",
    "Municipio",
    "Recargas",
    "Telefonía",
    "TV",
    "Impuestos",
    "Tránsito",
    "Educación",
]

_CUEN = {
    "reference_label": "CODIGO UNICO ELECTRICO NACIONAL",
    "reference_kind": "cuen",
    "reference_min_length": 10,
    "reference_max_length": 10,
    "help_text": "El código único eléctrico nacional (CUEN) de 10 dígitos, en tu planilla de luz.",
}
_SUPPLY = {
    "reference_label": "NUMERO DE SUMINISTRO",
    "reference_kind": "digits",
    "reference_min_length": 5,
    "reference_max_length": 10,
    "help_text": "El número de suministro (o el CUEN de 10 dígitos) de tu planilla de luz.",
}
_MOBILE = {
    "reference_label": "NUMERO CELULAR",
    "reference_kind": "mobile",
    "help_text": "El número celular que vas a recargar, de 10 dígitos.",
}


def _cuen(code, name, example):
    return {"code": code, "name": name, "category": "Luz", "reference_example": example, **_CUEN}


def _supply(code, name, example):
    return {"code": code, "name": name, "category": "Luz", "reference_example": example, **_SUPPLY}


def _topup(code, name, example, dollars):
    return {
        "code": code,
        "name": name,
        "category": "Recargas",
        "reference_example": example,
        "is_topup": True,
        "topup_amounts": [d * 100 for d in dollars],
        **_MOBILE,
    }


def _digits(code, name, category, label, low, high, example, help_text=""):
    return {
        "code": code,
        "name": name,
        "category": category,
        "reference_label": label,
        "reference_kind": "digits",
        "reference_min_length": low,
        "reference_max_length": high,
        "reference_example": example,
        "help_text": help_text,
    }


def _kind(code, name, category, label, kind, example, help_text="", max_amount=None):
    return {
        "code": code,
        "name": name,
        "category": category,
        "reference_label": label,
        "reference_kind": kind,
        "reference_example": example,
        "help_text": help_text,
        "max_amount": max_amount,
    }


BILLERS = [
    # Luz
    _digits(
        "eeq",
        "EMPRESA ELECTRICA QUITO",
        "Luz",
        "CUENTA CONTRATO",
        6,
        13,
        "3000218765",
        "La cuenta contrato está en la parte superior de tu planilla de la E.E. Quito.",
    ),
    _cuen("cnel-guayaquil", "CNEL EP GUAYAQUIL", "1000234567"),
    _cuen("cnel-guayas-los-rios", "CNEL EP GUAYAS LOS RIOS", "1200456789"),
    _cuen("cnel-el-oro", "CNEL EP EL ORO", "0701234568"),
    _cuen("cnel-manabi", "CNEL EP MANABI", "1301234565"),
    _cuen("cnel-los-rios", "CNEL EP LOS RIOS", "1201987656"),
    _cuen("cnel-esmeraldas", "CNEL EP ESMERALDAS", "0801234569"),
    _cuen("cnel-santa-elena", "CNEL EP SANTA ELENA", "2401234567"),
    _cuen("cnel-santo-domingo", "CNEL EP SANTO DOMINGO", "2301234560"),
    _cuen("cnel-milagro", "CNEL EP MILAGRO", "0901298765"),
    _cuen("cnel-bolivar", "CNEL EP BOLIVAR", "0201234567"),
    _cuen("cnel-sucumbios", "CNEL EP SUCUMBIOS", "2101234567"),
    _cuen("centrosur", "EMPRESA ELECTRICA REGIONAL CENTROSUR", "0101234567"),
    _cuen("eers", "EMPRESA ELECTRICA REGIONAL DEL SUR", "1101234567"),
    _cuen("eeasa", "EMPRESA ELECTRICA AMBATO", "1801234567"),
    _supply("elepco", "ELEPCO S.A. EMPRESA ELECTRICA COTOPAXI", "0512345"),
    _supply("eerssa-riobamba", "EMPRESA ELECTRICA RIOBAMBA", "0612345"),
    _supply("eea-azogues", "EMPRESA ELECTRICA AZOGUES", "0312345"),
    _cuen("emelnorte", "EMELNORTE EMPRESA ELECTRICA REGIONAL NORTE", "1001234567"),
    # Agua
    _digits(
        "epmaps",
        "EPMAPS AGUA DE QUITO",
        "Agua",
        "CUENTA CONTRATO",
        5,
        10,
        "1234567",
        "La cuenta contrato de la EPMAPS está en tu planilla de agua.",
    ),
    _digits(
        "interagua",
        "INTERAGUA GUAYAQUIL",
        "Agua",
        "CODIGO DE CUENTA",
        6,
        10,
        "20456789",
        "El código de cuenta de Interagua, en tu planilla de agua.",
    ),
    _digits(
        "etapa-agua",
        "ETAPA EP CUENCA AGUA POTABLE",
        "Agua",
        "NUMERO DE CUENTA",
        5,
        10,
        "1098765",
    ),
    _digits(
        "epmapa-pedernales",
        "AGUA EPMAPA PEDERNALES",
        "Agua",
        "NUMERO DE CUENTA",
        4,
        10,
        "41515161",
    ),
    _digits(
        "epam-manta",
        "AGUA EPAM - MANTA - CUPON",
        "Agua",
        "NUMERO DE CUPON",
        6,
        12,
        "305512345",
        "El número de cupón impreso en tu planilla de la EPAM.",
    ),
    _digits(
        "epapar-rocafuerte",
        "ROCAFUERTE EPAPAR - AGUA",
        "Agua",
        "NUMERO DE CUENTA",
        3,
        10,
        "10457",
    ),
    _digits("agua-huaquillas", "AGUA HUAQUILLAS", "Agua", "NUMERO DE CUENTA", 3, 10, "20318"),
    # Recargas
    _topup("recarga-cnt", "RECARGAS CNT PAQUETE", "0991234567", [1, 2, 3, 5, 6, 10, 15, 20]),
    _topup("recarga-claro", "RECARGAS CLARO", "0987654329", [1, 2, 3, 5, 6, 10, 20, 30]),
    _topup("recarga-movistar", "RECARGAS MOVISTAR", "0998765439", [1, 2, 3, 5, 10, 15, 20]),
    _topup("recarga-tuenti", "RECARGAS TUENTI", "0967812349", [3, 5, 10, 15, 20]),
    # Telefonía
    _kind(
        "cnt-fija",
        "CNT TELEFONIA FIJA",
        "Telefonía",
        "NUMERO DE TELEFONO",
        "landline",
        "022345678",
        "El número fijo con el código de provincia, por ejemplo 02 para Pichincha.",
    ),
    _kind(
        "etapa-telefonia",
        "ETAPA EP TELEFONIA FIJA",
        "Telefonía",
        "NUMERO DE TELEFONO",
        "landline",
        "072845679",
    ),
    # TV
    _digits("directv", "DIRECTV ECUADOR", "TV", "NUMERO DE CLIENTE", 8, 12, "40123456"),
    _digits("cnt-tv", "CNT TV", "TV", "NUMERO DE CONTRATO", 6, 12, "7012345"),
    # Impuestos
    _kind(
        "sri-matricula",
        "SRI MATRICULACION VEHICULAR",
        "Impuestos",
        "PLACA",
        "plate",
        "PBX1234",
        "La placa del vehículo, con o sin guion (PBX-1234).",
    ),
    # Municipio
    _digits(
        "quito-predial",
        "MUNICIPIO DE QUITO IMPUESTO PREDIAL",
        "Municipio",
        "NUMERO DE PREDIO",
        1,
        8,
        "1234567",
        "El número de predio de tu carta de pago del impuesto predial.",
    ),
    {
        **_kind(
            "guayaquil-predial",
            "MUNICIPIO DE GUAYAQUIL PREDIOS URBANOS",
            "Municipio",
            "CODIGO CATASTRAL",
            "cadastral",
            "12-0034-005-0-0-0-1-9",
            "El código catastral del predio, como aparece en tu título de crédito.",
        ),
        "reference_min_length": 10,
        "reference_max_length": 20,
    },
    {
        **_kind(
            "cuenca-predial",
            "GAD MUNICIPAL DE CUENCA PREDIAL URBANO",
            "Municipio",
            "CLAVE CATASTRAL",
            "cadastral",
            "0101-0010-0100-0005",
            "La clave catastral de tu predio en Cuenca.",
        ),
        "reference_min_length": 10,
        "reference_max_length": 20,
    },
    # Tránsito
    _kind(
        "ant-multas",
        "ANT AGENCIA NACIONAL DE TRANSITO MULTAS",
        "Tránsito",
        "CEDULA O PLACA",
        "cedula_or_plate",
        "1714307103",
        "La cédula del conductor o la placa del vehículo.",
    ),
    _kind(
        "amt-multas",
        "AMT AGENCIA METROPOLITANA DE TRANSITO QUITO",
        "Tránsito",
        "CEDULA O PLACA",
        "cedula_or_plate",
        "PCQ5678",
        "La cédula del conductor o la placa del vehículo.",
    ),
    _kind(
        "atm-multas",
        "ATM AUTORIDAD DE TRANSITO MUNICIPAL GUAYAQUIL",
        "Tránsito",
        "CEDULA O PLACA",
        "cedula_or_plate",
        "GSB0987",
        "La cédula del conductor o la placa del vehículo.",
    ),
    # CNE
    _kind(
        "cne-multas",
        "CNE MULTAS ELECTORALES",
        "Consejo Nacional Electoral",
        "NUMERO DE CEDULA",
        "cedula",
        "1710034065",
        "La cédula de quien no votó o no cumplió con la junta receptora del voto.",
    ),
    # Bomberos
    _kind(
        "bomberos-quito",
        "CUERPO DE BOMBEROS DE QUITO PERMISO DE FUNCIONAMIENTO",
        "Bomberos",
        "RUC",
        "ruc",
        "1768152560001",
        "El RUC del establecimiento.",
    ),
    {
        **_kind(
            "bomberos-guayaquil",
            "BENEMERITO CUERPO DE BOMBEROS DE GUAYAQUIL TASA",
            "Bomberos",
            "CODIGO CATASTRAL",
            "cadastral",
            "12-0034-005-0-0-0-1-9",
        ),
        "reference_min_length": 10,
        "reference_max_length": 20,
    },
    # Educación
    _kind(
        "utpl",
        "UTPL UNIVERSIDAD TECNICA PARTICULAR DE LOJA",
        "Educación",
        "CEDULA DEL ESTUDIANTE",
        "cedula",
        "0926687856",
    ),
    # Catálogo, Compras, Entidades financieras, Medio de pago
    _digits("yanbal", "YANBAL ECUADOR", "Catálogo", "CODIGO DE CONSULTORA", 6, 10, "3456789"),
    _digits("avon", "AVON ECUADOR", "Catálogo", "CODIGO DE REPRESENTANTE", 6, 10, "8765432"),
    _kind(
        "artefacta",
        "ARTEFACTA CREDITO DIRECTO",
        "Compras",
        "NUMERO DE CEDULA",
        "cedula",
        "1714307103",
    ),
    _kind(
        "credife",
        "CREDIFE PAGO DE CREDITO",
        "Entidades Financieras",
        "NUMERO DE CEDULA",
        "cedula",
        "1710034065",
    ),
    _kind(
        "deprati",
        "DE PRATI TARJETA DE CREDITO",
        "Medio de Pago",
        "NUMERO DE CEDULA",
        "cedula",
        "0926687856",
    ),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("payments", "BillerCategory")
    Biller = apps.get_model("payments", "Biller")
    categories = {}
    for order, name in enumerate(CATEGORIES, start=1):
        categories[name], _ = Category.objects.get_or_create(
            name=name, defaults={"sort_order": order * 10, "search_text": search_fold(name)}
        )
    for order, data in enumerate(BILLERS, start=1):
        fields = {k: v for k, v in data.items() if v is not None and k != "category"}
        code = fields.pop("code")
        if Biller.objects.filter(name=fields["name"]).exclude(code=code).exists():
            continue  # staff added it by hand already
        Biller.objects.get_or_create(
            code=code,
            defaults={
                **fields,
                "category": categories[data["category"]],
                "sort_order": order * 10,
                "search_text": search_fold(fields["name"]),
            },
        )


def backwards(apps, schema_editor):
    Biller = apps.get_model("payments", "Biller")
    Category = apps.get_model("payments", "BillerCategory")
    codes = [data["code"] for data in BILLERS]
    Biller.objects.filter(code__in=codes, payments__isnull=True).delete()
    Category.objects.filter(name__in=CATEGORIES, billers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
