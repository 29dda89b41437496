"""An invoice rendered as CSV, as HTML, and as PDF drawn from that same HTML (fpdf2's ``write_html``).

The input is the invoice's JSON view (what ``GET /api/v1/billing/invoices/{id}`` answers), so every
format shows the same lines. The PDF embeds Unicode TrueType fonts from Debian packages (fpdf2's
built-in fonts cover Latin-1 only): DejaVu Sans (``fonts-dejavu-core``) for Latin and Cyrillic —
Russian and Kazakh names — and Droid Sans Fallback (``fonts-droid-fallback``) for Chinese, used for
each character DejaVu lacks. A missing font is a clear error naming the package, never a ``?``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/local/share/fonts"), Path("/usr/share/fonts"))
"""Where the PDF fonts are looked for (each directory searched recursively, first hit wins)."""

PDF_FONTS = {
    ("dejavu", ""): ("DejaVuSans.ttf", "fonts-dejavu-core"),
    ("dejavu", "B"): ("DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    ("cjk", ""): ("DroidSansFallbackFull.ttf", "fonts-droid-fallback"),
}
"""(family, style) → (file name, the Debian package that ships it)."""


class PdfFontMissing(RuntimeError):
    """A font the invoice PDF needs is not installed (the message names the Debian package)."""


def _font_file(name: str, package: str) -> Path:
    for folder in FONT_DIRS:
        if folder.is_dir():
            found = next(iter(sorted(folder.rglob(name))), None)
            if found is not None:
                return found
    raise PdfFontMissing(
        f"the invoice PDF needs the font {name}: install the Debian package {package} (apt-get install {package})"
    )


CSV_COLUMNS = (
    "position",
    "container",
    "kind",
    "tariff_version",
    "first_at",
    "last_at",
    "quantity",
    "unit",
    "rate",
    "amount",
    "waiver",
    "event_ids",
)


def invoice_csv(invoice: dict[str, Any]) -> str:
    """One row per line, then a total row; amounts in the invoice's currency with two decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["invoice", invoice["number"] or f"draft {invoice['id']}", invoice["party"], invoice["period"]])
    writer.writerow(CSV_COLUMNS)
    for position, line in enumerate(invoice["lines"], start=1):
        row = {**line, "position": position, "event_ids": " ".join(str(i) for i in line["event_ids"])}
        writer.writerow([row.get(column) if row.get(column) is not None else "" for column in CSV_COLUMNS])
    writer.writerow(["total", "", "", "", "", "", "", "", invoice["currency"], invoice["total"], "", ""])
    return out.getvalue()


def invoice_html(invoice: dict[str, Any], base_name: str) -> str:
    """The invoice as a small HTML document (the screen and the PDF show this)."""
    title = "Credit note" if invoice["kind"] == "credit_note" else "Invoice"
    number = invoice["number"] or f"DRAFT {invoice['id']} (not yet numbered)"
    rows = "".join(
        "<tr>"
        f"<td>{escape(line['container'])}</td><td>{escape(line['kind'])}</td>"
        f"<td>{escape(line['first_at'][:16].replace('T', ' '))}</td>"
        f'<td align="right">{line["quantity"]} {escape(line["unit"])}</td>'
        f'<td align="right">{escape(line["rate"])}</td><td align="right">{escape(line["amount"])}</td>'
        f"<td>{escape(line['waiver'] or '')}</td>"
        "</tr>"
        for line in invoice["lines"]
    )
    credits = (
        f"<p>Credits invoice {escape(str(invoice['credits_invoice']))}: {escape(invoice['reason'] or '')}</p>"
        if invoice.get("credits_invoice")
        else ""
    )
    return (
        "<html><body>"
        f"<h1>{escape(base_name)}</h1>"
        f"<h2>{title} {escape(str(number))}</h2>"
        f"<p>Customer: {escape(invoice['party'])} &nbsp; Period: {escape(invoice['period'])} &nbsp; "
        f"Status: {escape(invoice['status'])} &nbsp; Tariff: {escape(invoice['tariff'])}</p>"
        f"{credits}"
        '<table border="1" width="100%"><thead><tr>'
        '<th width="16%">Container</th><th width="14%">Charge</th><th width="17%">From (UTC)</th>'
        '<th width="12%">Quantity</th><th width="10%">Rate</th><th width="11%">Amount</th><th width="20%">Waiver</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        f"<p><b>Total {escape(invoice['currency'])} {escape(invoice['total'])}</b></p>"
        "</body></html>"
    )


def invoice_pdf(invoice: dict[str, Any], base_name: str) -> bytes:
    """The invoice's HTML drawn as an A4 PDF."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"{invoice['kind']} {invoice['number'] or invoice['id']}")
    pdf.set_creation_date(datetime.fromisoformat(invoice["created_at"]))  # the same invoice, the same bytes
    for (family, style), (name, package) in PDF_FONTS.items():
        pdf.add_font(family, style, str(_font_file(name, package)))
    pdf.set_fallback_fonts(["cjk"], exact_match=False)
    pdf.add_page()
    pdf.set_font("dejavu", size=9)
    pdf.write_html(invoice_html(invoice, base_name))
    return bytes(pdf.output())
