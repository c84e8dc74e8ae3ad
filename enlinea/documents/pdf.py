"""PDF documents (ReportLab), every one with the institution's header and "Página N de M".

Long documents are drawn row by row on the canvas from an iterator, a page at a time,
never as a list of flowables: the page total is a form XObject referenced on every page
and drawn once at the end (ReportLab resolves forward references to forms), so one pass
is enough. ReportLab still keeps each finished page's compressed content stream until
``save`` (a few KB a page); the rows themselves are never held.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
TOTAL_FORM = "enlinea_total_pages"


def _fitted(text: str, width: float, size: float, font: str = FONT) -> tuple[str, float]:
    """``text`` cut with an ellipsis so it fits ``width`` points, and its width."""
    measured = stringWidth(text, font, size)
    if measured <= width:
        return text, measured
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    text += "…"
    return text, stringWidth(text, font, size)


def _fit(text: str, width: float, size: float, font: str = FONT) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    return _fitted(text, width, size, font)[0]


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # a share of the line; the shares are scaled to the page
    align: str = "left"  # left / right


class Document:
    """A paged document drawn top-down: header on each page, page numbers at the foot."""

    def __init__(self, out: IO[bytes], *, title: str, footer: str = "") -> None:
        self.canvas = Canvas(out, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor(settings.INSTITUTION["name"])
        self.title = title
        self.footer = footer
        self.page = 0
        self.y = 0.0
        self._new_page()

    # -- pages
    def _new_page(self) -> None:
        if self.page:
            self._foot()
            self.canvas.showPage()
        self.page += 1
        c = self.canvas
        c.setFillColorRGB(0, 0.4, 0.23)
        c.setFont(BOLD, 15)
        c.drawString(MARGIN, PAGE_H - MARGIN, settings.INSTITUTION["name"].upper())
        c.setFillColorRGB(0, 0, 0)
        c.setFont(BOLD, 11)
        c.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN, self.title)
        c.setLineWidth(0.6)
        c.line(MARGIN, PAGE_H - MARGIN - 5, PAGE_W - MARGIN, PAGE_H - MARGIN - 5)
        self.y = PAGE_H - MARGIN - 22

    def _foot(self) -> None:
        c = self.canvas
        c.setFont(FONT, 7.5)
        if self.footer:
            c.drawString(MARGIN, MARGIN - 4, _fit(self.footer, PAGE_W - 2 * MARGIN - 70, 7.5))
        label = f"Página {self.page} de "
        x = PAGE_W - MARGIN - 12
        c.drawRightString(x, MARGIN - 4, label)
        c.saveState()
        c.translate(x, MARGIN - 4)
        c.doForm(TOTAL_FORM)
        c.restoreState()

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` points fit above the footer."""
        if self.y - height < MARGIN + 10:
            self._new_page()

    # -- content
    def text(self, line: str, *, size: float = 9.5, bold: bool = False, gap: float = 4) -> None:
        self.room(size + gap)
        self.canvas.setFont(BOLD if bold else FONT, size)
        self.canvas.drawString(MARGIN, self.y, _fit(line, PAGE_W - 2 * MARGIN, size))
        self.y -= size + gap

    def wrapped(self, paragraph: str, *, size: float = 8.5) -> None:
        width = PAGE_W - 2 * MARGIN
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if stringWidth(trial, FONT, size) > width and line:
                self.text(line, size=size, gap=2.5)
                line = word
            else:
                line = trial
        if line:
            self.text(line, size=size, gap=2.5)

    def pairs(self, rows: Sequence[tuple[str, str]], *, size: float = 9.5) -> None:
        """Label: value lines, labels in bold in a left column."""
        for label, value in rows:
            self.room(size + 5)
            self.canvas.setFont(BOLD, size)
            self.canvas.drawString(MARGIN, self.y, _fit(label, 60 * mm, size, BOLD))
            self.canvas.setFont(FONT, size)
            self.canvas.drawString(
                MARGIN + 62 * mm, self.y, _fit(value, PAGE_W - 2 * MARGIN - 62 * mm, size)
            )
            self.y -= size + 5

    def space(self, points: float = 8) -> None:
        self.y -= points

    def table(
        self, columns: Sequence[Column], rows: Iterable[Sequence[str]], *, size: float = 8
    ) -> int:
        """Draw a table from an iterator, repeating the header on each page; rows drawn."""
        total = sum(col.width for col in columns)
        widths = [(PAGE_W - 2 * MARGIN) * col.width / total for col in columns]

        def header() -> None:
            self.room(size + 8)
            c = self.canvas
            c.setFillColorRGB(0.9, 0.94, 0.91)
            c.rect(MARGIN, self.y - 3, PAGE_W - 2 * MARGIN, size + 6, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
            self._cells([col.title for col in columns], columns, widths, size, BOLD)
            self.y -= size + 7

        header()
        count = 0
        for row in rows:
            if self.y - (size + 4) < MARGIN + 10:
                self._new_page()
                header()
            self._cells(row, columns, widths, size, FONT)
            self.y -= size + 4
            count += 1
        return count

    def _cells(
        self,
        cells: Sequence[str],
        columns: Sequence[Column],
        widths: Sequence[float],
        size: float,
        font: str,
    ) -> None:
        # One text object for the whole row, each cell placed with its own text matrix:
        # the same text at the same places as a drawString per cell (which builds a text
        # object each time and measures right-aligned text twice), in about half the time
        # for a 5,000-row table of 35,000 cells.
        c = self.canvas
        c.setFont(font, size)
        line = None
        x = MARGIN
        for value, col, width in zip(cells, columns, widths, strict=True):
            text, drawn = _fitted(str(value), width - 4, size, font)
            left = x + width - 2 - drawn if col.align == "right" else x + 2
            if line is None:  # begun at the first cell, as drawString begins it
                line = c.beginText(left, self.y)
            else:
                line.setTextOrigin(left, self.y)
            line.textLine(text)
            x += width
        if line is not None:
            c.drawText(line)

    def close(self) -> None:
        self._foot()
        c = self.canvas
        c.beginForm(TOTAL_FORM)
        c.setFont(FONT, 7.5)
        c.drawString(0, 0, str(self.page))
        c.endForm()
        c.showPage()
        c.save()


def issued_line() -> str:
    now = timezone.localtime()
    return f"Emitido el {now:%d/%m/%Y} a las {now:%H:%M} por {settings.INSTITUTION['name']}."


def key_value_pdf(
    title: str, sections: Sequence[tuple[str, Sequence[tuple[str, str]]]], *, footer: str = ""
) -> bytes:
    """A one-document PDF of headed label/value sections: comprobantes and receipts."""
    out = io.BytesIO()
    doc = Document(out, title=title, footer=footer or issued_line())
    doc.text(title, size=14, bold=True, gap=10)
    for heading, rows in sections:
        if heading:
            doc.text(heading, size=11, bold=True, gap=6)
        doc.pairs(rows)
        doc.space(8)
    doc.close()
    return out.getvalue()
