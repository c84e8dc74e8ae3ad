"""Excel workbooks (XlsxWriter in constant-memory mode): each row is written and flushed
as it comes from its iterator, into a temporary file served as a download."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO

import xlsxwriter
from django.conf import settings

MONEY = "$ #,##0.00"


def table_xlsx(
    out: IO[bytes],
    *,
    sheet: str,
    title: str,
    header_lines: Sequence[str],
    columns: Sequence[tuple[str, int, str]],
    rows: Iterable[Sequence[object]],
    footer_lines: Sequence[str] = (),
) -> int:
    """Write one sheet: title and header lines, a table (columns: title, width, kind —
    ``text`` / ``money`` / ``int``), then footer lines. Money cells take cents. Returns
    the number of rows written."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#E5F0E8", "border": 1})
    money = book.add_format({"num_format": MONEY})
    ws = book.add_worksheet(sheet[:31])
    for i, (_, width, _) in enumerate(columns):
        ws.set_column(i, i, width)
    r = 0
    ws.write(r, 0, settings.INSTITUTION["name"].upper(), bold)
    r += 1
    ws.write(r, 0, title, bold)
    r += 1
    for line in header_lines:
        ws.write(r, 0, line)
        r += 1
    r += 1
    for i, (name, _, _) in enumerate(columns):
        ws.write(r, i, name, head)
    r += 1
    count = 0
    for row in rows:
        for i, (value, (_, _, kind)) in enumerate(zip(row, columns, strict=True)):
            if kind == "money":
                ws.write_number(r, i, int(value) / 100, money)  # type: ignore[call-overload]
            elif kind == "int":
                ws.write_number(r, i, int(value))  # type: ignore[call-overload]
            else:
                ws.write_string(r, i, str(value))
        r += 1
        count += 1
    r += 1
    for line in footer_lines:
        ws.write(r, 0, line)
        r += 1
    book.close()
    return count
