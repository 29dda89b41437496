"""Paths to the EDIFACT sample files of the Lianyungang base."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
