"""``manual.toml`` -> a frozen Config (SPEC §2)."""

from __future__ import annotations

import fnmatch
import importlib.util
import re
import sys
import threading
import types
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.errors import ConfigError
from tracker.history.golive import Schedule, ScheduleError

CONFIG_FILE = "manual.toml"
TEMPLATES_FOLDER = "_templates"  # the manual's own newsletter templates, under its root
KEYS = {
    "manual": ("title", "short_name", "site_url", "timezone", "sections", "documents", "exclude"),
    "releases": ("schedule", "cutoff_days", "bank_holidays", "earlier_changes"),
}
DEFAULT_TITLE = "Multi-Agency Procedures"
MAX_CUTOFF = 366  # days between a commit and its release: a year at most (dates stay in range)
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")  # where tomllib says a mistake is


@dataclass(frozen=True)
class Config:
    """Settings of one manual; every field has a default."""

    title: str = DEFAULT_TITLE
    short_name: str = ""
    site_url: str = ""
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    sections: tuple[str, ...] = ()
    documents: str = "*.md"
    exclude: tuple[str, ...] = ("README.md",)
    schedule: Schedule | None = None
    # How changes committed before the first manual.toml go live: by its release rules
    # ("schedule"), or when committed ("committed"); None, not said (by its rules, and
    # ``tracker check`` warns where that dated a change otherwise than when committed).
    earlier_changes: str | None = None

    @property
    def name(self) -> str:
        """The manual's short name for sentences, falling back to its title."""
        return self.short_name or self.title

    def is_document(self, relative_path: str) -> bool:
        """Whether a path under the root is a document (SPEC §2)."""
        return _is_document(relative_path, self.documents, self.exclude)

    def is_published(self, relative_path: str) -> bool:
        """Whether a file under the root may be published (an image a chapter shows), by the
        rules that leave documents out: no folder on its path, nor its name, starts with
        ``_``, and no ``exclude`` pattern matches its name."""
        return _is_published(relative_path, self.exclude)


@lru_cache(maxsize=65_536)
def _is_document(relative_path: str, documents: str, exclude: tuple[str, ...]) -> bool:
    name = relative_path.rpartition("/")[2]
    return _is_published(relative_path, exclude) and fnmatch.fnmatchcase(name, documents)


def _is_published(relative_path: str, exclude: tuple[str, ...]) -> bool:
    parts = relative_path.split("/")
    if any(part.startswith("_") for part in parts):
        return False
    return not any(fnmatch.fnmatchcase(parts[-1], pattern) for pattern in exclude)


def settings_text(data: bytes, name: str = CONFIG_FILE) -> str:
    """manual.toml's bytes (or a template's, ``name``) as text, or ConfigError: a file in
    another encoding (Latin-1 from an old editor) is refused as a chapter is, never read with
    replacement characters (a newsletter with the wrong letters is worse than none)."""
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise NotText(name, line) from None


class NotText(ConfigError):
    """A file of the manual's own (settings, a template) that is not UTF-8 text."""

    def __init__(self, name: str, line: int) -> None:
        super().__init__(
            f"{name} is not UTF-8 text (line {line}); save it as UTF-8 and commit it again.", line
        )
        self.name = name


@lru_cache(maxsize=8)
def parse_config(text: str | None) -> Config:
    """Read manual.toml's text (None when the manual has none). The settings read last are
    kept (a Config is never changed): a first read reads the head's settings, then the same
    text again as the history's (its schedule, expanded and checked against the bank holidays
    of 60 years, costs 5 to 10 ms each time, once the holidays library is loaded)."""
    if text is None:
        return Config()
    import tomllib  # only when the settings are read: a command at a kept head needs none

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:  # ("Expected ']' at ... (at line 5, column 11)")
        detail = str(error)
        if detail[1:2].islower():  # (a word, not a name such as TOML)
            detail = detail[:1].lower() + detail[1:]
        at = _AT_LINE.search(detail)  # (else "at end of document": its last line)
        line = int(at.group(1)) if at else max(1, text.count("\n") + (not text.endswith("\n")))
        raise ConfigError(f"{CONFIG_FILE} is not valid TOML: {detail}.", line) from None
    except RecursionError:  # (tomllib reads nested arrays and tables by recursion)
        raise ConfigError(f"{CONFIG_FILE} nests arrays or tables too deeply to read.") from None
    if unknown := sorted(set(data) - set(KEYS)):
        name = unknown[0]
        if isinstance(data[name], dict):
            raise ConfigError(f"{CONFIG_FILE} has an unknown table [{name}].")
        home = next((table for table, keys in KEYS.items() if name in keys), None)
        raise ConfigError(
            f"{CONFIG_FILE} has the key {name!r} outside any table; "
            + (f"put it under [{home}]." if home else "keys go under [manual] or [releases].")
        )
    manual = _table(data, "manual")
    releases = _table(data, "releases")
    return Config(
        title=_text(manual, "manual.title", DEFAULT_TITLE),
        short_name=_text(manual, "manual.short_name", ""),
        site_url=_site_url(_text(manual, "manual.site_url", "")),
        timezone=_timezone(_text(manual, "manual.timezone", "Europe/London")),
        sections=tuple(_text_list(manual, "manual.sections")),
        documents=_text(manual, "manual.documents", "*.md"),
        exclude=tuple(_text_list(manual, "manual.exclude", ["README.md"])),
        schedule=_schedule(releases),
        earlier_changes=_earlier_changes(releases),
    )


EARLIER_CHANGES = ("schedule", "committed")


def _earlier_changes(releases: dict[str, Any]) -> str | None:
    value = releases.get("earlier_changes")
    if value is not None and value not in EARLIER_CHANGES:
        raise ConfigError(
            f'{CONFIG_FILE}: releases.earlier_changes must be "schedule" (changes committed '
            'before the first manual.toml go live by its release schedule) or "committed" '
            "(they went live when committed)."
        )
    return value


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{CONFIG_FILE}: [{name}] must be a table.")
    if unknown := sorted(set(value) - set(KEYS[name])):
        raise ConfigError(f"{CONFIG_FILE} has an unknown setting {name}.{unknown[0]}.")
    return value


def _text(table: dict[str, Any], dotted: str, default: str) -> str:
    value = table.get(dotted.split(".")[-1], default)
    if not isinstance(value, str):
        raise ConfigError(f"{CONFIG_FILE}: {dotted} must be a string.")
    return value


def _text_list(table: dict[str, Any], dotted: str, default: list[str] | None = None) -> list[str]:
    value = table.get(dotted.split(".")[-1], default or [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{CONFIG_FILE}: {dotted} must be a list of strings.")
    return value


def _site_url(value: str) -> str:
    """An http(s) address, parsed and rebuilt (``web_address``)."""
    if not value:
        return ""
    address = web_address(value)
    if address is None and ("?" in value or "#" in value):
        raise ConfigError(f"{CONFIG_FILE}: manual.site_url may not have a query or a fragment.")
    if address is None:
        raise ConfigError(
            f"{CONFIG_FILE}: manual.site_url must be an http(s) address such as "
            "https://procedures.example.org, without a query or anything after the path."
        )
    return address


def web_address(value: str) -> str | None:
    """An http(s) address of a host (a port from 1 to 65535 if any) and a plain path, rebuilt
    from its parts, so that nothing in it can close a Markdown link or an HTML attribute (the
    manual's ``site_url``, a static copy's ``--base-url``); None for any other."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # ("https://[::1": no address)
        return None
    host = re.fullmatch(r"[A-Za-z0-9.-]+(?::([0-9]{1,5}))?", parts.netloc or "")
    path_ok = re.fullmatch(r"[A-Za-z0-9._~/%-]*", parts.path)
    port_ok = host is not None and (host.group(1) is None or 0 < int(host.group(1)) < 65536)
    if parts.scheme not in ("http", "https") or not port_ok or not path_ok:
        return None
    if parts.query or parts.fragment or value.strip().endswith(("?", "#")):
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{CONFIG_FILE}: manual.timezone {name!r} is not a known time zone."
        ) from None


def _schedule(releases: dict[str, Any]) -> Schedule | None:
    rule = _text(releases, "releases.schedule", "")
    cutoff = releases.get("cutoff_days", 0)
    if isinstance(cutoff, bool) or not isinstance(cutoff, int) or not 0 <= cutoff <= MAX_CUTOFF:
        raise ConfigError(
            f"{CONFIG_FILE}: releases.cutoff_days must be a whole number from 0 to {MAX_CUTOFF}."
        )
    region = _text(releases, "releases.bank_holidays", "")
    is_holiday = _holidays(region)  # (a region no calendar knows: refused, schedule or none)
    if not rule:
        return None
    if "FREQ=" not in rule.upper() and "RDATE" not in rule.upper():  # ("second Wednesday")
        raise ConfigError(
            f"{CONFIG_FILE}: releases.schedule {rule[:80]!r} is not a rule of RFC 5545, the "
            "calendars' standard; the second Wednesday of each month from 2024 is written "
            "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE (the tracker's guide for authors "
            "has more)."
        )
    if "\\n" in rule.lower():  # (TOML's single quotes keep "\n" as written: two characters)
        # (the author's own rule, in double quotes: a fixed example, pasted, changed the day)
        plain = len(rule) <= 120 and not any(c in rule for c in '"\n\r')  # (one line: review)
        same = f'schedule = "{rule}"' if plain else ""
        raise ConfigError(
            f"{CONFIG_FILE}: releases.schedule holds '\\n' as two characters, not a line break "
            "(TOML keeps it so in single quotes): write the same rule in double quotes"
            + (f", {same}," if same else "")
            + " or on two lines between triple quotes."
        )
    if "DTSTART" not in rule.upper():  # dateutil would start it from the clock: dates would drift
        raise ConfigError(
            f"{CONFIG_FILE}: releases.schedule needs a start, such as "
            "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE, or its dates would move with "
            "the day the tracker runs."
        )
    schedule = Schedule(rule=rule, cutoff_days=cutoff, is_holiday=is_holiday)
    try:
        _ = schedule.releases  # expanding it once finds every mistake a rule can hold
    except ScheduleError as error:
        raise ConfigError(f"{CONFIG_FILE}: releases.schedule {error}.") from None
    return schedule


def _holidays(region: str) -> BankHolidays:
    calendar = BankHolidays(region)
    if region:
        try:
            calendar.calendar()
        except NotImplementedError:
            raise ConfigError(
                f"{CONFIG_FILE}: releases.bank_holidays {region!r} is not a known country or "
                "region."
            ) from None
    return calendar


class BankHolidays:
    """A region's bank holidays (``GB-ENG``; "" for none). Kept in the index with the rest of
    a snapshot, so it holds the region's name and builds its calendar only when asked."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._calendar: Any = None

    def calendar(self) -> Any:
        if self._calendar is None:
            import holidays  # several thousand dates of data: loaded only when asked

            country, _, subdivision = self.region.partition("-")
            with _ONE_COUNTRY:
                _import_one_country(holidays, country)
            self._calendar = holidays.country_holidays(country, subdiv=subdivision or None)
        return self._calendar

    def __call__(self, day: date) -> bool:
        return bool(self.region) and day in self.calendar()

    def __getstate__(self) -> dict[str, Any]:
        return {"region": self.region, "_calendar": None}


_ONE_COUNTRY = threading.Lock()
_COUNTRIES = "holidays.countries"


def _import_one_country(holidays: Any, country: str) -> None:
    """Import the module of one country of the holidays library, and not the others: its
    ``countries`` package imports all 250 countries' modules to give one (about 0.1 s, a
    twentieth of a first read of a large manual; more in the middle of one). The package is
    put in place without running it (``_Package``: run whole when first asked for a name it
    lacks), the country's module imported into it, and the library, asked for the country as
    usual (``country_holidays``), finds the module imported and does the rest its own way.
    Where the library is not laid out as this expects (an upgrade may change it), nothing is
    done, and the library imports every country as before: it can be slower, never different."""
    if _COUNTRIES in sys.modules:
        return  # (put in place already, by this or by importing it: the library imports
        # a country's module alone into it, or has them all)
    try:
        loader = getattr(holidays, country, None)
        module = getattr(loader, "module_name", None)  # (its lazy loader's)
        package = importlib.util.find_spec(_COUNTRIES)  # (found, not run)
        if not isinstance(module, str) or not module.startswith(_COUNTRIES + "."):
            return
        if package is None or package.loader is None or not package.submodule_search_locations:
            return
        stand_in = importlib.util.module_from_spec(package)  # (its folder, nothing imported)
        stand_in.__class__ = _Package
        sys.modules[_COUNTRIES] = stand_in
        holidays.countries = stand_in  # (as importing it would: holidays.countries.X works)
        try:
            importlib.import_module(module)
        except BaseException:
            if sys.modules.get(_COUNTRIES) is stand_in:
                del sys.modules[_COUNTRIES]
                del holidays.countries
            raise
    except Exception:  # noqa: S110 (anything unexpected: the library's own way)
        pass


class _Package(types.ModuleType):
    """The holidays library's ``countries`` package, put in place without running it: a
    country's module imported into it is its own; the first name asked of it that it lacks
    (another country's class, ``__all__``) runs it whole, as importing it would have, so that
    any later use of the package (by another thread too) is as the library has it."""

    _lock = threading.RLock()  # (re-entered by the package's own imports while it runs)

    def __getattr__(self, name: str) -> Any:
        with self._lock:
            state = self.__dict__
            if not state.get("_run_whole"):
                state["_run_whole"] = True
                self.__spec__.loader.exec_module(self)  # type: ignore[union-attr]
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None
