"""CSV container lists, bookings, discharge and load lists: read with a report of every bad row and
column, written back with the same columns.

A file is read whole before anything is applied: the caller gets either every row, typed, or the
list of (line, column, reason) problems — never a half-read list. Column names are matched without
regard to case, spaces or dashes (``Container No`` = ``container_no``), and each kind accepts a few
common aliases (``container``, ``cntr``, ``box`` for the number).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from landbridge.domain.errors import InvalidIdentifier
from landbridge.domain.identifiers import ContainerNumber, UNLocode

MAX_ROWS = 200_000


def _container(value: str) -> str:
    try:
        return str(ContainerNumber(value))
    except InvalidIdentifier as error:
        raise ValueError(error.reason) from None


def _locode(value: str) -> str:
    try:
        return str(UNLocode(value))
    except InvalidIdentifier as error:
        raise ValueError(error.reason) from None


def _iso_type(value: str) -> str:
    compact = value.strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{4}", compact):
        raise ValueError("an ISO 6346 size-type code has 4 letters or digits, e.g. 22G1, 45G1")
    return compact


def _cell(value: str) -> str:
    if not re.fullmatch(r"[0-9]{6,7}", value):
        raise ValueError("a stowage cell is BBBRRTT (bay, row, tier), e.g. 0340612")
    return value.zfill(7)


ContainerId = Annotated[str, AfterValidator(_container)]
Locode = Annotated[str, AfterValidator(_locode)]
IsoType = Annotated[str, AfterValidator(_iso_type)]
Cell = Annotated[str, AfterValidator(_cell)]


def _normalise_load_state(value: Any) -> Any:
    """``F``/``laden`` → full, ``E``/``MTY`` → empty (the spellings lists use)."""
    if value is None:
        return value
    aliases = {"f": "full", "laden": "full", "e": "empty", "mty": "empty", "m": "empty"}
    text = str(value).strip().lower()
    return aliases.get(text, text)


class ListKind(StrEnum):
    """The lists we read and write."""

    CONTAINERS = "containers"
    BOOKINGS = "bookings"
    DISCHARGE = "discharge"
    LOAD = "load"


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip() == "" else value


class ContainerRow(_Row):
    """A container to register or update."""

    number: ContainerId
    iso_type: IsoType
    load_state: Literal["full", "empty"]
    gross_mass_kg: int | None = Field(default=None, gt=0, le=45_000)
    booking_reference: str | None = Field(default=None, max_length=35)
    seals: str | None = Field(default=None, max_length=200, description="seal numbers separated by ';'")
    reefer_setpoint_c: Decimal | None = Field(default=None, ge=-40, le=40)

    @field_validator("load_state", mode="before")
    @classmethod
    def _load_state(cls, value: Any) -> Any:
        return _normalise_load_state(value)

    @property
    def seal_numbers(self) -> list[str]:
        """The seals as a list."""
        return [seal.strip() for seal in (self.seals or "").split(";") if seal.strip()]


class BookingRow(_Row):
    """A booking (consignment): who ships what from where to where."""

    booking_reference: str = Field(min_length=1, max_length=35)
    shipper_code: str = Field(min_length=1, max_length=32)
    consignee_code: str | None = Field(default=None, max_length=32)
    origin: Locode
    destination: Locode
    iso_type: IsoType | None = None
    container_count: int | None = Field(default=None, ge=1, le=10_000)


class ManifestRow(_Row):
    """A line of a vessel's discharge or load list."""

    number: ContainerId
    iso_type: IsoType
    load_state: Literal["full", "empty"]
    gross_mass_kg: int | None = Field(default=None, gt=0, le=45_000)
    vgm_kg: int | None = Field(default=None, gt=0, le=45_000)
    port_of_loading: Locode | None = None
    port_of_discharge: Locode | None = None
    booking_reference: str | None = Field(default=None, max_length=35)
    stowage_cell: Cell | None = None

    @field_validator("load_state", mode="before")
    @classmethod
    def _load_state(cls, value: Any) -> Any:
        return _normalise_load_state(value)


ROW_MODELS: dict[ListKind, type[_Row]] = {
    ListKind.CONTAINERS: ContainerRow,
    ListKind.BOOKINGS: BookingRow,
    ListKind.DISCHARGE: ManifestRow,
    ListKind.LOAD: ManifestRow,
}

ALIASES: dict[str, str] = {
    "container": "number",
    "container_number": "number",
    "container_no": "number",
    "cntr": "number",
    "cntr_no": "number",
    "box": "number",
    "equipment": "number",
    "type": "iso_type",
    "size_type": "iso_type",
    "iso": "iso_type",
    "iso_code": "iso_type",
    "status": "load_state",
    "full_empty": "load_state",
    "fe": "load_state",
    "f_e": "load_state",
    "weight_kg": "gross_mass_kg",
    "gross_weight_kg": "gross_mass_kg",
    "gross_kg": "gross_mass_kg",
    "vgm": "vgm_kg",
    "booking": "booking_reference",
    "booking_no": "booking_reference",
    "shipper": "shipper_code",
    "consignee": "consignee_code",
    "pol": "port_of_loading",
    "pod": "port_of_discharge",
    "cell": "stowage_cell",
    "bay_row_tier": "stowage_cell",
    "setpoint_c": "reefer_setpoint_c",
}


def column_key(name: str) -> str:
    """A header cell as our column name: lower case, underscores, aliases resolved."""
    key = re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")
    return ALIASES.get(key, key)


@dataclass(frozen=True)
class RowProblem:
    """One bad cell (or row, or header): the file line, the column and why."""

    line: int
    column: str | None
    reason: str

    def describe(self) -> str:
        """``line 4, column gross_mass_kg: …``."""
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class CsvList:
    """A list read from CSV: its kind, typed rows (with their file lines) and the problems."""

    kind: ListKind
    rows: tuple[tuple[int, _Row], ...]
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        """No problem at all (then and only then may the rows be applied)."""
        return not self.problems


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def read_list(text: str, kind: ListKind) -> CsvList:
    """Every row typed, or every problem found (rows with problems are left out of ``rows``)."""
    model = ROW_MODELS[kind]
    allowed = set(model.model_fields)
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text[:4096]))
    problems: list[RowProblem] = []
    rows: list[tuple[int, _Row]] = []
    try:
        header = next(reader)
    except StopIteration:
        return CsvList(kind, (), (RowProblem(1, None, "the file is empty; the first line must name the columns"),))
    except csv.Error as error:
        return CsvList(kind, (), (RowProblem(1, None, f"not CSV: {error}"),))
    columns = [column_key(name) for name in header]
    for index, column in enumerate(columns):
        if column not in allowed:
            problems.append(
                RowProblem(1, header[index], f"unknown column; {kind.value} lists have {', '.join(sorted(allowed))}")
            )
        elif columns.index(column) != index:
            problems.append(RowProblem(1, header[index], f"column {column} appears twice"))
    for column in sorted(required - set(columns)):
        problems.append(RowProblem(1, column, "required column is missing"))
    if problems:
        return CsvList(kind, (), tuple(problems))
    seen: dict[str, int] = {}
    key_field = "booking_reference" if kind is ListKind.BOOKINGS else "number"
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append(RowProblem(line, None, f"more than {MAX_ROWS} rows; split the file"))
                break
            if len(values) != len(columns):
                problems.append(RowProblem(line, None, f"has {len(values)} cells, the header has {len(columns)}"))
                continue
            data = dict(zip(columns, values, strict=True))
            key = re.sub(r"[\s\-./]", "", data.get(key_field, "")).upper()
            if key and key in seen:
                problems.append(RowProblem(line, key_field, f"{key} already given on line {seen[key]}"))
                continue
            if key:
                seen[key] = line
            try:
                row = model.model_validate(data)
            except ValidationError as error:
                for fault in error.errors():
                    faulty = str(fault["loc"][0]) if fault["loc"] else None
                    message = str(fault["msg"]).removeprefix("Value error, ")
                    problems.append(RowProblem(line, faulty, message))
                continue
            rows.append((line, row))
    except csv.Error as error:
        problems.append(RowProblem(reader.line_num, None, f"not CSV: {error}"))
    return CsvList(kind, tuple(rows), tuple(problems))


def write_list(rows: Iterable[BaseModel], kind: ListKind) -> str:
    """Rows as CSV with the kind's columns in model order (empty cells for missing values)."""
    columns: Sequence[str] = list(ROW_MODELS[kind].model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        data = row.model_dump()
        writer.writerow(["" if data.get(column) is None else str(data[column]) for column in columns])
    return buffer.getvalue()
