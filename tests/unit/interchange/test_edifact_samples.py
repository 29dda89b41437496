"""Every sample message of the Lianyungang base reads without a fault and writes back byte for byte
(modulo the interchange and message references and the preparation time)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from landbridge.interchange.edifact.baplie import Bayplan, Cell
from landbridge.interchange.edifact.contrl import Acknowledgement
from landbridge.interchange.edifact.equipment import ContainerMessage
from landbridge.interchange.edifact.messages import read, write
from landbridge.interchange.edifact.movins import StowageInstructions
from landbridge.interchange.edifact.syntax import InterchangeHeader
from landbridge.interchange.edifact.vermas import VgmDeclaration
from tests.unit.interchange.conftest import FIXTURES

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAMPLES = sorted(path.name for path in FIXTURES.glob("*.edi"))


def _normalised(text: str) -> str:
    """References and preparation time blanked: the parts an export numbers and stamps anew."""
    text = re.sub(r"^(UNB\+[^+]*\+[^+]*\+[^+]*\+)[^+']*\+[^+']*", r"\1TIME+REF", text, flags=re.M)
    text = re.sub(r"^UNZ\+(\d+)\+[^+']*", r"UNZ+\1+REF", text, flags=re.M)
    text = re.sub(r"^UNH\+[^+]*\+", "UNH+REF+", text, flags=re.M)
    return re.sub(r"^UNT\+(\d+)\+[^']*", r"UNT+\1+REF", text, flags=re.M)


def test_there_is_a_sample_of_every_message_type() -> None:
    kinds = {name.split("_")[0].upper() for name in SAMPLES}
    assert kinds >= {"COPRAR", "COARRI", "CODECO", "COPARN", "BAPLIE", "VERMAS", "MOVINS", "CONTRL"}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_reads_clean_and_round_trips(name: str) -> None:
    text = (FIXTURES / name).read_text()
    interchanges = list(read(text, SHANGHAI))
    assert len(interchanges) == 1
    interchange = interchanges[0]
    assert interchange.problems == []
    assert [problem.describe() for message in interchange.messages for problem in message.problems] == []
    header = interchange.header
    assert header is not None
    models = [message.model for message in interchange.messages]
    assert all(model is not None for model in models)
    renumbered = [model.__class__(**{**model.__dict__, "reference": f"N{index}"}) for index, model in enumerate(models)]  # type: ignore[union-attr]
    date, time = InterchangeHeader.stamp(datetime(2027, 1, 1, 9, 0, tzinfo=UTC), header.syntax_version)
    new_header = InterchangeHeader(
        **{**header.__dict__, "control_reference": "NEWREF", "prepared_date": date, "prepared_time": time}
    )
    exported = write(new_header, renumbered, SHANGHAI, interchange.raw.delimiters)  # type: ignore[arg-type]
    assert exported != text
    assert _normalised(exported) == _normalised(text)


def _model(name: str) -> object:
    interchange = next(read((FIXTURES / name).read_text(), SHANGHAI))
    return interchange.messages[0].model


def test_coprar_discharge_list_reads_as_typed_values() -> None:
    message = _model("coprar_d00b_discharge.edi")
    assert isinstance(message, ContainerMessage)
    assert message.document_code == "45"
    assert message.transport is not None
    assert message.transport.means_name == "COSCO LIANYUNGANG"
    assert message.transport.means_id == "9412347"
    assert [item.number for item in message.equipment] == ["CSQU3054383", "CBHU8123451", "TGHU1000018", "TCNU2000026"]
    first = message.equipment[0]
    assert first.vgm_kg == Decimal(24500)
    assert first.location("147") == "0340612"
    assert first.seals[0].number == "CN1234567"
    assert message.equipment[1].vgm_kg == Decimal("18250.5")
    assert message.equipment[2].temperature_c == Decimal(-18)
    assert message.equipment[3].load_state == "empty"
    eta = message.transport.stamps[0].at
    assert eta == datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # 14:00 in Lianyungang is 06:00 UTC


def test_bayplan_versions_read_cells_and_vgm() -> None:
    old = _model("baplie_22.edi")
    new = _model("baplie_31.edi")
    assert isinstance(old, Bayplan) and isinstance(new, Bayplan)
    assert old.version == "2.2" and new.version == "3.1"
    assert old.containers[0].cell == Cell(34, 6, 12)
    assert old.containers[0].vgm_kg == Decimal(24500)
    assert new.containers[0].vgm_kg == Decimal(24500)
    assert new.containers[1].port("11") == "CNLYG"
    assert old.containers[3].dangerous[0].un_number == "1789"


def test_vermas_contrl_and_movins_models() -> None:
    declaration = _model("vermas_d16a.edi")
    assert isinstance(declaration, VgmDeclaration)
    assert [(unit.number, unit.vgm_kg, unit.method) for unit in declaration.containers] == [
        ("OOLU3000038", Decimal(21900), "SM1"),
        ("CCLU4000042", Decimal(19870), "SM2"),
    ]
    assert declaration.containers[0].verified_by == "A. NURLANOV"
    acknowledgement = _model("contrl_rejected.edi")
    assert isinstance(acknowledgement, Acknowledgement)
    assert acknowledgement.messages[0].action == "4"
    assert acknowledgement.messages[0].segment_errors[0].position == 14
    assert acknowledgement.messages[0].segment_errors[0].elements[0].element == 2
    plan = _model("movins_d95b.edi")
    assert isinstance(plan, StowageInstructions)
    assert [instruction.handling for instruction in plan.instructions] == ["LOD", "RES"]
    assert plan.instructions[0].cells[1].number == ""


def test_release_characters_survive_a_round_trip() -> None:
    text = (FIXTURES / "malformed" / "codeco_untidy_concatenated.edi").read_text()
    first = next(read(text, SHANGHAI))
    message = first.messages[0].model
    assert isinstance(message, ContainerMessage)
    assert message.equipment[0].free_texts[0].text == "DENT LEFT DOOR: 10CM + SCRATCH'S ?OK"
    exported = write(first.header, [message], SHANGHAI)  # type: ignore[arg-type]
    assert "FTX+AAI+++DENT LEFT DOOR?: 10CM ?+ SCRATCH?'S ??OK'" in exported


@pytest.mark.parametrize("version", ["2.2", "3.1"])
def test_a_2000_box_bayplan_reads_clean_and_round_trips(version: str) -> None:
    from landbridge.interchange.edifact.generate import bayplan

    text = bayplan(2000, version=version)
    [interchange] = list(read(text, UTC))
    message = interchange.messages[0]
    assert message.ok, [problem.describe() for problem in message.problems[:3]]
    assert isinstance(message.model, Bayplan) and len(message.model.containers) == 2000
    assert write(interchange.header, [message.model], UTC) == text  # type: ignore[arg-type]
