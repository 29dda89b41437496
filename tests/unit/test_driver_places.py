"""The driver's screen names a job's places in the driver's language (issue #21)."""

from __future__ import annotations

import pytest

from landbridge.web.i18n import Localiser
from landbridge.web.readmodels.work import place_text

CASES = {
    "en": ("vessel V-7", "truck TR-1", "train T-9, wagon 52012345, slot 2", "in the yard"),
    "zh": ("船舶 V-7", "集卡 TR-1", "列车 T-9，车皮 52012345，箱位 2", "堆场"),
    "ru": ("судно V-7", "грузовик TR-1", "поезд T-9, вагон 52012345, место 2", None),
    "kk": ("кеме V-7", "жүк көлігі TR-1", "пойыз T-9, вагон 52012345, орын 2", None),
}
# The tractor leg: the crane puts the box on a tractor under it; the tractor leaves from the quay.
TRACTOR = {
    "en": ("tractor under the crane, berth 30", "quay, berth 30"),
    "zh": ("岸桥下的拖车，泊位 30", "码头前沿，泊位 30"),
    "ru": ("тягач под краном, причал 30", "кордон, причал 30"),
    "kk": ("кран астындағы тартқыш, айлақ 30", "айлақ жағасы, айлақ 30"),
}


@pytest.mark.parametrize("language", sorted(CASES))
def test_places_are_worded_in_the_drivers_language(language: str) -> None:
    gettext = Localiser(language).gettext
    vessel, truck, wagon, yard = CASES[language]
    assert place_text("vessel V-7", gettext) == vessel
    assert place_text("truck TR-1", gettext) == truck
    assert place_text("T-9 wagon 52012345 slot 2", gettext) == wagon
    if yard is not None:
        assert place_text("yard", gettext) == yard
    assert (place_text("tractor at berth 30", gettext), place_text("berth 30", gettext)) == TRACTOR[language]
    assert place_text("A-01-02-1", gettext) == "A-01-02-1"  # a yard slot reads the same everywhere
    assert place_text(None, gettext) == ""


# The grain gear's places: a hopper train or bulk boxes tipped into a silo, a lot moved, a box filled.
GRAIN = {
    "en": ("silo S01", "container LBOU0000905", "12 hopper wagons", "3 bulk boxes"),
    "zh": ("筒仓 S01", "集装箱 LBOU0000905", "12 节漏斗车", "3 个散货箱"),
    "ru": ("силос S01", "контейнер LBOU0000905", "вагоны-хопперы: 12", "контейнеры для навалочных грузов: 3"),
    "kk": ("сүрлем S01", "контейнер LBOU0000905", "хоппер-вагондар: 12", "үйме жүк контейнерлері: 3"),
}


@pytest.mark.parametrize("language", sorted(GRAIN))
def test_grain_places_are_worded_in_the_drivers_language(language: str) -> None:
    gettext = Localiser(language).gettext
    places = ("silo S01", "container LBOU0000905", "12 hopper wagons", "3 bulk boxes")
    assert tuple(place_text(p, gettext) for p in places) == GRAIN[language]
    assert gettext("grain_receive") != "grain_receive"  # the job's kind is worded too


# The tractor legs from the yard to a loading track or the gate.
LEGS = {
    "en": ("tractor at block A", "track T1", "tractor at track T1", "the gate", "tractor at the gate"),
    "zh": ("堆区 A 的拖车", "装车线 T1", "装车线 T1 的拖车", "闸口", "闸口的拖车"),
    "ru": ("тягач у блока A", "путь T1", "тягач у пути T1", "ворота", "тягач у ворот"),
    "kk": ("A блогындағы тартқыш", "жол T1", "T1 жолындағы тартқыш", "қақпа", "қақпадағы тартқыш"),
}


@pytest.mark.parametrize("language", sorted(LEGS))
def test_tractor_leg_places_are_worded_in_the_drivers_language(language: str) -> None:
    gettext = Localiser(language).gettext
    places = ("tractor at block A", "track T1", "tractor at track T1", "gate", "tractor at the gate")
    assert tuple(place_text(p, gettext) for p in places) == LEGS[language]
    assert place_text("block A", gettext) != "block A" or language == "en"
