"""The invoice PDF keeps Chinese, Russian and Kazakh names (Unicode TrueType fonts, not Latin-1 ones).

The PDF's text is read back with a small reader written here (fonts' ToUnicode maps applied to the
page's text operators), so the test sees what a PDF viewer's copy-and-paste would give.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from landbridge.billing import render
from landbridge.billing.render import PdfFontMissing, invoice_pdf

CHINESE_PARTY = "连云港中哈物流"
KAZAKH_REASON = "Қазақстан"
RUSSIAN_REASON = "ошибка весов"


def _invoice() -> dict[str, object]:
    line = {
        "container": "CSQU3054383",
        "kind": "storage",
        "first_at": "2026-11-05T00:00:00+00:00",
        "quantity": 2,
        "unit": "teu_day",
        "rate": "6.00",
        "amount": "12.00",
    }
    return {
        "id": 7,
        "number": "INV-000007",
        "kind": "invoice",
        "status": "final",
        "party": CHINESE_PARTY,
        "period": "2026-11",
        "currency": "CNY",
        "tariff": "LYG-STD",
        "total": "12.00",
        "credits_invoice": None,
        "reason": None,
        "created_at": "2026-12-01T00:00:00+00:00",
        "lines": [{**line, "waiver": KAZAKH_REASON}, {**line, "waiver": RUSSIAN_REASON}],
    }


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def pdf_text(data: bytes) -> str:
    """The text a viewer would extract: each text run's glyph ids mapped through its font's ToUnicode."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        match = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        assert match is not None
        return zlib.decompress(match.group(1)) if b"FlateDecode" in body else match.group(1)

    unicode_of: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            cmap_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
            assert cmap_ref is not None, "every font of the invoice is a Unicode (Type0) font"
            cmap = stream(objects[int(cmap_ref.group(1))])
            pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)
            unicode_of[name] = {int(g, 16): bytes.fromhex(u.decode()).decode("utf-16-be") for g, u in pairs}
    text, font = [], b""
    for body in objects.values():
        if b"stream" not in body or b"/Length1" in body or b"CMap" in body:
            continue
        try:
            content = stream(body)
        except zlib.error:
            continue
        for op in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
            if op.group(1) is not None:
                font = op.group(1)
                continue
            glyphs = _unescape(op.group(2))
            ids = [int.from_bytes(glyphs[i : i + 2], "big") for i in range(0, len(glyphs), 2)]
            text.append("".join(unicode_of[font].get(g, "\ufffd") for g in ids))
    return " ".join(text)


def test_chinese_russian_and_kazakh_names_survive_into_the_pdf() -> None:
    data = invoice_pdf(_invoice(), "连云港中哈物流合作基地")
    text = pdf_text(data)
    assert CHINESE_PARTY in text and "连云港中哈物流合作基地" in text
    assert KAZAKH_REASON in text and RUSSIAN_REASON in text
    assert "?" not in text and "\ufffd" not in text
    assert "INV-000007" in text and "12.00" in text
    assert re.search(rb"/BaseFont /\w+\+DroidSansFallback", data)


def test_a_missing_font_package_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render, "FONT_DIRS", (tmp_path,))
    with pytest.raises(PdfFontMissing, match="install the Debian package fonts-dejavu-core"):
        invoice_pdf(_invoice(), "base")
