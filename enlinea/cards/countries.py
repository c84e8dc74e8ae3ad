"""The countries an Aviso de viaje may name: the common destinations of members
travelling from Ecuador, ISO 3166-1 alpha-2 codes with their Spanish names, in the
order the form lists them (neighbours and the Americas first, then Europe and the
rest). Ecuador itself is not here: purchases at home need no notice."""

from __future__ import annotations

COUNTRIES: tuple[tuple[str, str], ...] = (
    ("CO", "Colombia"),
    ("PE", "Perú"),
    ("US", "Estados Unidos"),
    ("ES", "España"),
    ("MX", "México"),
    ("PA", "Panamá"),
    ("CL", "Chile"),
    ("AR", "Argentina"),
    ("BR", "Brasil"),
    ("BO", "Bolivia"),
    ("UY", "Uruguay"),
    ("PY", "Paraguay"),
    ("VE", "Venezuela"),
    ("CR", "Costa Rica"),
    ("CU", "Cuba"),
    ("DO", "República Dominicana"),
    ("GT", "Guatemala"),
    ("SV", "El Salvador"),
    ("HN", "Honduras"),
    ("NI", "Nicaragua"),
    ("PR", "Puerto Rico"),
    ("AW", "Aruba"),
    ("CW", "Curazao"),
    ("CA", "Canadá"),
    ("IT", "Italia"),
    ("FR", "Francia"),
    ("DE", "Alemania"),
    ("GB", "Reino Unido"),
    ("PT", "Portugal"),
    ("NL", "Países Bajos"),
    ("BE", "Bélgica"),
    ("CH", "Suiza"),
    ("AT", "Austria"),
    ("GR", "Grecia"),
    ("IE", "Irlanda"),
    ("TR", "Turquía"),
    ("IL", "Israel"),
    ("CN", "China"),
    ("JP", "Japón"),
    ("KR", "Corea del Sur"),
    ("AU", "Australia"),
)

COUNTRY_NAMES: dict[str, str] = dict(COUNTRIES)


def country_names(codes: list[str]) -> str:
    """ "Colombia, Perú": the codes' Spanish names in the list's order."""
    return ", ".join(name for code, name in COUNTRIES if code in set(codes))
