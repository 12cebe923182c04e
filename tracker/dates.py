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
