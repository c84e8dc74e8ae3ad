"""The shared file builders: key_value_pdf (comprobantes, receipts), the paged Document,
and table_xlsx, each read back."""

from __future__ import annotations

import io
import re

import openpyxl
import pypdf
import pytest
from django.conf import settings
from reportlab.pdfbase.pdfmetrics import stringWidth

from enlinea.documents.pdf import FONT, MARGIN, PAGE_W, Column, Document, key_value_pdf
from enlinea.documents.xlsx import table_xlsx


def _text(content: bytes) -> tuple[int, list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def test_key_value_pdf_has_header_sections_accents_and_page_number() -> None:
    content = key_value_pdf(
        "COMPROBANTE DE TRANSFERENCIA",
        [
            ("Datos de la operación", [("N.º de comprobante:", "1234"), ("Monto:", "$ 15.50")]),
            ("Beneficiario", [("Nombre:", "MARÍA JOSÉ ÑUÑEZ"), ("Descripción:", "Pensión")]),
        ],
        footer="Gracias por usar la Banca Web.",
    )
    assert content.startswith(b"%PDF")
    pages, texts = _text(content)
    assert pages == 1
    text = texts[0]
    assert settings.INSTITUTION["name"].upper() in text
    assert "COMPROBANTE DE TRANSFERENCIA" in text
    for words in ("Datos de la operación", "N.º de comprobante:", "1234", "MARÍA JOSÉ ÑUÑEZ"):
        assert words in text
    assert "Gracias por usar la Banca Web." in text
    assert re.search(r"Página 1 de\s*1\b", text)


def test_key_value_pdf_footer_defaults_to_the_issue_line() -> None:
    _, texts = _text(key_value_pdf("RECIBO", [("", [("Valor:", "$ 1.00")])]))
    assert "Emitido el" in texts[0]


def test_a_long_table_repeats_its_header_and_numbers_every_page() -> None:
    out = io.BytesIO()
    doc = Document(out, title="PRUEBA", footer="pie")
    drawn = doc.table(
        [Column("N.º", 1), Column("VALOR", 1, "right")],
        ((str(i), f"$ {i}.00") for i in range(400)),  # a generator: never a list
    )
    doc.close()
    assert drawn == 400
    pages, texts = _text(out.getvalue())
    assert pages > 3
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"Página {number} de\s*{pages}\b", text)
        assert "VALOR" in text
    joined = "\n".join(texts)
    assert "$ 399.00" in joined
    assert "$ 0.00" in joined


def test_table_cells_start_at_their_column_and_right_aligned_ones_end_at_its_edge() -> None:
    out = io.BytesIO()
    doc = Document(out, title="PRUEBA")
    long_concept = "TRANSFERENCIA A " + "MUY " * 40 + "LARGA"
    rows = [("A", "$ 1.00"), ("BBBBBB", "$ 1,234.56"), (long_concept, "$ 10.00")]
    doc.table([Column("CONCEPTO", 3), Column("VALOR", 1, "right")], rows)
    doc.close()
    seen: dict[str, float] = {}
    pypdf.PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: seen.setdefault(text.strip(), tm[4])
    )
    width = PAGE_W - 2 * MARGIN
    concept_edge, value_edge = MARGIN + width * 3 / 4, MARGIN + width
    for concept, value in rows[:2]:
        assert seen[concept] == pytest.approx(MARGIN + 2)
        right = seen[value] + stringWidth(value, FONT, 8)
        assert right == pytest.approx(value_edge - 2)
    # A concept too long for its column is cut with an ellipsis inside the column.
    (cut,) = [text for text in seen if text.startswith("TRANSFERENCIA A MUY")]
    assert cut.endswith("…")
    assert len(cut) < len(long_concept)
    assert MARGIN + 2 + stringWidth(cut, FONT, 8) <= concept_edge - 2


def test_table_xlsx_writes_money_as_numbers_with_a_currency_format() -> None:
    out = io.BytesIO()
    count = table_xlsx(
        out,
        sheet="Hoja",
        title="TÍTULO",
        header_lines=["Cuenta: 123"],
        columns=[("CUOTA", 8, "int"), ("DETALLE", 20, "text"), ("VALOR", 14, "money")],
        rows=([i, f"fila {i}", 12_345 + i] for i in range(3)),
        footer_lines=["(N/C) = Nota de crédito"],
    )
    assert count == 3
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == settings.INSTITUTION["name"].upper()
    assert ("TÍTULO", None, None) in rows
    header = rows.index(("CUOTA", "DETALLE", "VALOR"))
    assert rows[header + 1] == (0, "fila 0", 123.45)
    assert rows[header + 3] == (2, "fila 2", 123.47)
    assert "$" in sheet.cell(row=header + 2, column=3).number_format
    assert rows[-1][0] == "(N/C) = Nota de crédito"
