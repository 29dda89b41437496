"""A report's rows as CSV or XLSX (openpyxl), with the columns in the order the report gives them."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """The report's columns (the first row's keys; every row has the same)."""
    return list(rows[0]) if rows else ["period"]


def report_csv(rows: list[dict[str, Any]]) -> str:
    """One header line, then one line per row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(rows), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def report_xlsx(title: str, rows: list[dict[str, Any]]) -> bytes:
    """A workbook with one sheet named after the report: header row, then the figures as numbers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    header = columns(rows)
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
