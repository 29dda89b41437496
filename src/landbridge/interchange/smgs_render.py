"""A consignment note printed: HTML (Jinja2, self-contained, print-ready) and PDF (fpdf2).

The PDF embeds DejaVu Sans from Debian's ``fonts-dejavu-core`` (Latin and Cyrillic, the languages of
the form on this corridor) and, when a CJK font is installed, uses it for Chinese names; nothing is
fetched. Without DejaVu it falls back to a core font and replaces what that cannot show.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, select_autoescape

from landbridge.interchange.smgs import ConsignmentNote

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
CJK_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)

TEMPLATE = Path(__file__).resolve().parent / "templates" / "smgs_note.html"

_ENVIRONMENT = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def describe_event(event: object) -> str:
    """One line for a waybill event."""
    from landbridge.interchange.smgs import WaybillEvent

    assert isinstance(event, WaybillEvent)
    if event.kind == "reconsignment":
        before = event.from_regime.value if event.from_regime else "?"
        after = event.to_regime.value if event.to_regime else "?"
        return f"re-consigned {before} → {after}"
    if event.kind == "gauge_change":
        moved = len(event.wagon_changes)
        return f"gauge change {event.from_gauge_mm} → {event.to_gauge_mm} mm, {moved} container(s) transferred"
    return f"border crossing {event.note}".strip()


def to_html(note: ConsignmentNote) -> str:
    """The note as a printable, self-contained HTML page."""
    gauges = {wagon.number: wagon.gauge_mm for wagon in note.wagons}
    return _ENVIRONMENT.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        note=note, gauges=gauges, describe=describe_event
    )


def _font_path(candidates: tuple[Path, ...]) -> Path | None:
    return next((path for path in candidates if path.exists()), None)


def to_pdf(note: ConsignmentNote) -> bytes:
    """The note as a one- or multi-page A4 PDF."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    plain_headings = FontFace(emphasis=None, fill_color=(230, 230, 230))

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    regular = _font_path(FONT_CANDIDATES)
    unicode_font = regular is not None
    if regular is not None:
        pdf.add_font("DejaVu", "", str(regular))
        family = "DejaVu"
        cjk = _font_path(CJK_CANDIDATES)
        if cjk is not None:
            pdf.add_font("CJK", "", str(cjk))
            pdf.set_fallback_fonts(["CJK"])
    else:
        family = "helvetica"

    def text(value: str) -> str:
        return value if unicode_font else value.encode("latin-1", "replace").decode("latin-1")

    def heading(value: str) -> None:
        pdf.set_font(family, size=12)
        pdf.cell(0, 8, text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=9)

    def box(title: str, body: str) -> None:
        pdf.set_font(family, size=7)
        pdf.cell(0, 4, text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=9)
        pdf.multi_cell(0, 5, text(body or "—"), border=1, new_x="LMARGIN", new_y="NEXT")

    def party(value: object) -> str:
        from landbridge.interchange.smgs import Party

        assert isinstance(value, Party)
        code = f"\nclient code {value.client_code}" if value.client_code else ""
        return f"{value.name}\n{value.address} {value.country}{code}"

    pdf.set_font(family, size=14)
    pdf.cell(0, 9, text(f"{note.regime.value} consignment note № {note.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    train = f" · train {note.train_reference}" if note.train_reference else ""
    pdf.cell(0, 5, text(f"Issued {note.issued_at.isoformat()}{train}"), new_x="LMARGIN", new_y="NEXT")
    box("1 Consignor", party(note.consignor))
    box(
        "2 Departure station",
        f"{note.departure_station.name} ({note.departure_station.code}) {note.departure_station.railway}",
    )
    box("3 Consignor's declarations", "\n".join(note.consignor_declarations))
    box("4 Consignee", party(note.consignee))
    box("5 Destination station", f"{note.destination_station.name} ({note.destination_station.code})")
    box("6 Border crossing stations", " → ".join(f"{s.name} ({s.code})" for s in note.border_crossings))
    heading("Carriers")
    for section in note.carriers:
        pdf.cell(
            0,
            5,
            text(f"{section.carrier}: {section.from_station.name} → {section.to_station.name}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    heading("Wagons and containers")
    gauges = {wagon.number: wagon.gauge_mm for wagon in note.wagons}
    with pdf.table(col_widths=(28, 12, 28, 12, 16, 18, 40), text_align="LEFT", headings_style=plain_headings) as table:
        table.row([text(v) for v in ("Wagon", "Gauge", "Container", "Type", "Tare kg", "Gross kg", "Seals")])
        for container in note.containers:
            seals = ", ".join(seal.number for seal in container.seals)
            table.row(
                [
                    container.wagon,
                    f"{gauges[container.wagon]} mm",
                    container.number,
                    container.iso_type,
                    str(container.tare_kg),
                    str(container.gross_mass_kg),
                    text(seals),
                ]
            )
    heading("Goods")
    with pdf.table(col_widths=(20, 70, 25, 28, 20), text_align="LEFT", headings_style=plain_headings) as table:
        table.row(["GNG", "Description", "Packages", "Container", "Mass kg"])
        for line in note.goods:
            table.row(
                [
                    line.gng_code,
                    text(line.description),
                    text(f"{line.packages} {line.package_kind}".strip()),
                    line.container or "",
                    str(line.mass_kg),
                ]
            )
    pdf.cell(
        0,
        6,
        f"Goods {note.goods_mass_kg} kg · gross with container tares {note.gross_mass_kg} kg",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if note.events:
        heading("On the way")
        for event in note.events:
            pdf.multi_cell(
                0,
                5,
                text(f"{event.at.isoformat()} {event.station.name}: {describe_event(event)}"),
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())
