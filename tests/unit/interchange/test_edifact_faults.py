"""Malformed and untidy files: every fault is named with its segment, element and UN error code."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from landbridge.interchange.edifact.contrl import REJECTED, acknowledge
from landbridge.interchange.edifact.messages import read
from landbridge.interchange.edifact.syntax import read_interchanges
from tests.unit.interchange.conftest import FIXTURES

SHANGHAI = ZoneInfo("Asia/Shanghai")
MALFORMED = FIXTURES / "malformed"


def _faults(name: str) -> list[list[tuple[str, str | None, int | None, int | None]]]:
    found = []
    for interchange in read((MALFORMED / name).read_text(), SHANGHAI):
        found.append([(p.code, p.segment_tag, p.segment_position, p.element) for p in interchange.problems])
        for message in interchange.messages:
            found.append([(p.code, p.segment_tag, p.segment_position, p.element) for p in message.errors])
    return found


def test_bad_check_digit_names_the_eqd_and_element() -> None:
    assert _faults("coprar_bad_check_digit.edi") == [[], [("12", "EQD", 12, 2)]]


def test_wrong_trailer_counts_are_code_29() -> None:
    faults = _faults("codeco_bad_counts.edi")
    assert faults[0] == [("29", "UNZ", None, 1)]
    assert faults[1] == [("29", "UNT", 14, 1)]
    assert faults[2] == []


def test_unknown_qualifier_is_named() -> None:
    assert _faults("codeco_unknown_qualifier.edi")[1] == [("12", "LOC", 9, 1)]


def test_duplicate_bayplan_cell_and_missing_vgm() -> None:
    assert _faults("baplie_duplicate_cell.edi")[1] == [("12", "LOC", 17, 2)]
    assert ("13", "EQD", 14, 2) in _faults("vermas_missing_vgm.edi")[1]


def test_truncated_file_reports_missing_trailers_without_raising() -> None:
    interchange = next(read((MALFORMED / "coprar_truncated.edi").read_text(), SHANGHAI))
    assert any(p.segment_tag == "UNZ" and p.code == "13" for p in interchange.problems)
    assert any(p.segment_tag == "UNT" and p.code == "13" for p in interchange.messages[0].problems)


def test_una_before_each_unb_and_untidy_envelopes() -> None:
    interchanges = list(read((MALFORMED / "codeco_untidy_concatenated.edi").read_text(), SHANGHAI))
    assert [i.header.control_reference for i in interchanges if i.header] == ["DEP0000071", "DEP0000072"]
    assert all(i.raw.una_present for i in interchanges)
    first_codes = {(p.code, p.segment_tag) for p in interchanges[0].problems}
    assert ("13", "UNB") in first_codes  # empty recipient
    assert ("16", "UNZ") in first_codes  # an extra trailer element
    assert interchanges[1].messages[0].ok
    assert not interchanges[1].messages[1].ok


def test_contrl_rejects_the_bad_message_and_names_segment_and_element() -> None:
    interchange = next(read((MALFORMED / "coprar_bad_check_digit.edi").read_text(), SHANGHAI))
    ack = acknowledge(interchange.header, interchange.problems, [(m.raw, m.problems) for m in interchange.messages])
    assert ack.action == "7"  # the interchange itself was fine
    assert ack.messages[0].action == REJECTED
    assert ack.messages[0].segment_errors[0].position == 12
    assert ack.messages[0].segment_errors[0].elements[0].element == 2
    assert ack.messages[0].segment_errors[0].elements[0].code == "12"


def test_oversized_segment_is_skipped_not_buffered() -> None:
    huge = (
        "UNB+UNOC:3+A+B+261207:1000+R1'UNH+1+CODECO:D:00B:UN:SMDG21'FTX+AAI+++" + "X" * 300_000 + "'UNT+3+1'UNZ+1+R1'"
    )
    interchanges = list(read_interchanges(huge, max_segment_chars=10_000))
    assert len(interchanges) == 1
    problems = interchanges[0].messages[0].problems
    assert problems and problems[0].code == "39"
