"""Parsing and wording of calendar dates."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from tracker.errors import InputError, shown

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # (ASCII digits: \d takes any)


def parse_date(text: str, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` strictly, or raise InputError naming ``what``."""
    if not _ISO_DATE.fullmatch(text):
        raise InputError(f"The {what} {shown(text)} is not a date of the form YYYY-MM-DD.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"The {what} {shown(text)} is not a real calendar date.") from None


def looks_like_date(text: str) -> bool:
    """True when ``text`` has the shape of an ISO date (it may still be impossible)."""
    return bool(_ISO_DATE.fullmatch(text))


def ordinal(day: int) -> str:
    """British ordinal of a day of the month: 1st, 2nd, 3rd, 4th, 11th, 22nd."""
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def in_words(value: date) -> str:
    """A date as practitioners write it: ``13th November 2024``."""
    return f"{ordinal(value.day)} {value:%B} {value.year}"


def short_date(value: date) -> str:
    """A date as GOV.UK pages write it: ``13 November 2024`` (the website's pages)."""
    return f"{value.day} {value:%B} {value.year}"


def today(zone: tzinfo, fixed: date | None = None) -> date:
    """``fixed`` when given (``--today``), else the current date in the manual's time zone."""
    return fixed or datetime.now(zone).date()


class PartsError(InputError):
    """A date asked for in a form's three fields that is no date: ``fields``, those to mend."""

    def __init__(self, message: str, fields: tuple[str, ...]) -> None:
        super().__init__(message)
        self.fields = fields


PARTS = ("day", "month", "year")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")  # fmt: skip
_MONTHS = {name: n for n, full in enumerate(_MONTH_NAMES, 1) for name in (full, full[:3])}
_MONTHS["sept"] = 9


def from_parts(day: str, month: str, year: str) -> date:
    """A date given as GOV.UK's date input asks for it: a day, a month (its number or its name)
    and a year of four digits (PartsError, saying what to mend as GOV.UK's pattern words it)."""
    given = {name: value.strip() for name, value in zip(PARTS, (day, month, year), strict=True)}
    missing = tuple(name for name in PARTS if not given[name])
    if len(missing) == len(PARTS):
        raise PartsError("Enter a date, for example 3 3 2024", PARTS)
    if missing:
        raise PartsError(f"The date must include a {' and a '.join(missing)}", missing)
    numbers = {name: given[name] for name in ("day", "year")}
    numbers["month"] = str(_MONTHS.get(given["month"].lower().rstrip("."), given["month"]))
    wrong = tuple(name for name in PARTS if not re.fullmatch(r"[0-9]{1,4}", numbers[name]))
    if wrong:
        raise PartsError("The date must be a real date, for example 3 3 2024", wrong)
    if len(numbers["year"]) != 4:
        raise PartsError("The year must include 4 numbers", ("year",))
    try:
        return date(int(numbers["year"]), int(numbers["month"]), int(numbers["day"]))
    except ValueError:
        raise PartsError("The date must be a real date, for example 3 3 2024", PARTS) from None
