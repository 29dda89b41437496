"""Hypothesis feeds the EDIFACT reader mutated messages: it never raises, never loses its place in
the stream, and holds a bounded amount of memory whatever the input."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landbridge.interchange.edifact.contrl import acknowledge
from landbridge.interchange.edifact.messages import read
from landbridge.interchange.edifact.syntax import read_interchanges

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
SAMPLES = [path.read_text() for path in sorted(FIXTURES.glob("*.edi"))]
ZONE = ZoneInfo("Asia/Shanghai")
RELEASE_SNIPPETS = ["??'", "?+", "?:", "?", "'", "+", ":", "UNA:+.? '", "UNA", "\n", "\x00", "\ufffd", "UNH+", "UNT+"]


def _read_everything(text: str) -> int:
    """Read, check and acknowledge every interchange; returns how many there were."""
    count = 0
    for interchange in read(text, ZONE):
        acknowledge(interchange.header, interchange.problems, [(m.raw, m.problems) for m in interchange.messages])
        for message in interchange.messages:
            for problem in message.problems:
                assert problem.code.isdigit()
                assert problem.describe()
        count += 1
    return count


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(0, 6))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "noise"]))
        if action == "cut":
            text = text[:where]
        elif action == "insert":
            text = text[:where] + draw(st.sampled_from(RELEASE_SNIPPETS)) + text[where:]
        elif action == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 40)) :]
        else:
            noise = draw(st.binary(min_size=1, max_size=64)).decode("latin-1")
            text = text[:where] + noise + text[where:]
    return text


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages_never_crash_the_reader(text: str) -> None:
    _read_everything(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=2000))
def test_arbitrary_text_never_crashes_the_reader(text: str) -> None:
    _read_everything(text)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(SAMPLES), min_size=1, max_size=5))
def test_concatenated_interchanges_each_with_its_una_are_all_found(parts: list[str]) -> None:
    assert _read_everything("".join(parts)) == len(parts)


def test_a_10_mb_segment_is_refused_with_bounded_memory() -> None:
    head = "UNA:+.? 'UNB+UNOC:3+A:ZZZ+B:ZZZ+261207:1000+R1'UNH+1+CODECO:D:00B:UN:SMDG21'FTX+AAI+++"
    tail = "'UNT+3+1'UNZ+1+R1'"

    def chunks():  # the file is streamed: it never exists whole in memory
        yield head
        for _ in range(160):
            yield "X" * 65_536
        yield tail

    tracemalloc.start()
    interchanges = list(read_interchanges(chunks()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000, f"peak {peak} bytes while reading a 10 MB segment"
    assert len(interchanges) == 1
    assert interchanges[0].messages[0].problems[0].code == "39"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SAMPLES), min_size=1, max_size=4), st.integers(1, 300))
def test_chunk_boundaries_change_nothing(parts: list[str], size: int) -> None:
    text = "".join(parts)
    whole = [(i.header, [m.segments for m in i.messages]) for i in read_interchanges(text)]
    chunks = [text[start : start + size] for start in range(0, len(text), size)]
    assert [(i.header, [m.segments for m in i.messages]) for i in read_interchanges(chunks)] == whole
