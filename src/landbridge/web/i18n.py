"""Languages of the dashboard: gettext catalogs plus Babel formatting of numbers and dates.

The base is run by Chinese and Kazakh staff together, so every page carries a language switch and
the choice sticks in a cookie; ``?lang=`` wins over the cookie so a link can carry its language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from fastapi import Request

from landbridge.domain.times import as_utc
from landbridge.web.readmodels.common import hub_zone

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
COOKIE = "lb_lang"
DEFAULT = "en"
ISO_MINUTES = "yyyy-MM-dd HH:mm xxx"
"""How the control room reads a time: 2026-12-07 14:30 +08:00 (no AM/PM, no locale-dependent order)."""
# URL/cookie code -> (Babel/gettext locale, name of the language in itself)
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("en", "English"),
    "zh": ("zh_Hans", "中文"),
    "ru": ("ru", "Русский"),
    "kk": ("kk", "Қазақша"),
}


@cache
def _translations(locale: str) -> NullTranslations:
    # English has a catalog too: it words the identifiers that come from the database
    # ("container.gate_in" -> "gate in"); every other English msgstr is empty and falls back to the msgid.
    return Translations.load(str(LOCALE_DIR), [locale], DOMAIN)


def choose_language(request: Request) -> str:
    """The request's language code: ``?lang=``, then the cookie, then Accept-Language, then English."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


@dataclass(frozen=True)
class Localiser:
    """Everything a template needs to speak one language: messages, numbers, dates."""

    code: str

    @property
    def locale(self) -> str:
        """The Babel locale identifier (``zh_Hans`` for ``zh``)."""
        return LANGUAGES[self.code][0]

    @property
    def html_lang(self) -> str:
        """The value for ``<html lang>`` (BCP 47)."""
        return self.locale.replace("_", "-")

    def gettext(self, message: str) -> str:
        """The message in this language (English when untranslated)."""
        return _translations(self.locale).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """Singular or plural form for ``count`` in this language's rules."""
        return _translations(self.locale).ngettext(singular, plural, count)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """A number with this locale's grouping and decimal sign; a dash for missing values."""
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, fraction: float, digits: int = 1) -> str:
        """A share (0..1) as a percentage."""
        # The locale's own pattern keeps its spacing ("3,0 %" in Russian), with the digits we want.
        pattern = Locale.parse(self.locale).percent_formats[None].pattern.split(";")[0]
        if digits:
            pattern = pattern.replace("0", "0." + "0" * digits, 1) if pattern.count("0") == 1 else pattern
        return format_percent(fraction, format=pattern, locale=self.locale)

    def datetime(self, value: dt.datetime | None, fmt: str = ISO_MINUTES) -> str:
        """A timestamp in hub time (the scenario's time zone): 24-hour ISO 8601 with the offset, in every language."""
        if value is None:
            return "–"
        return format_datetime(as_utc(value).astimezone(hub_zone()), format=fmt, locale=self.locale)

    def date(self, value: dt.datetime | None) -> str:
        """A date in hub time."""
        if value is None:
            return "–"
        return format_date(as_utc(value).astimezone(hub_zone()), format="medium", locale=self.locale)

    def hub_offset(self) -> str:
        """The hub's offset from UTC now, as people write it (``UTC+8``, ``UTC+5:30``)."""
        offset = dt.datetime.now(UTC).astimezone(hub_zone()).utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "−"
        hours, rest = divmod(abs(minutes), 60)
        return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")

    def duration(self, hours: float) -> str:
        """A span of time in words (``3 days``), in this language."""
        return format_timedelta(timedelta(hours=hours), threshold=1.5, locale=self.locale)

    def native_name(self) -> str:
        """The language's name in itself."""
        return LANGUAGES[self.code][1]

    def babel_locale(self) -> Locale:
        """The Babel locale object."""
        return Locale.parse(self.locale)
