"""The go-live rules as pure functions (SPEC §3), table by table."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.config import parse_config
from tracker.history.golive import Schedule, declared_go_live, effective_dates, is_valid_go_live

SECOND_WEDNESDAY = "DTSTART:20240101\nRRULE:FREQ=MONTHLY;BYDAY=2WE"
D = date.fromisoformat


def schedule(
    rule: str = SECOND_WEDNESDAY, cutoff: int = 7, holidays: tuple[str, ...] = ()
) -> Schedule:
    return Schedule(rule, cutoff, lambda day: day.isoformat() in holidays)


@pytest.mark.parametrize(
    ("committed", "trailer", "expected", "source", "back_dated"),
    [
        ("2024-10-07", "immediate", "2024-10-07", "immediate", None),
        ("2024-10-07", "IMMEDIATE", "2024-10-07", "immediate", None),
        ("2024-10-07", "2024-12-25", "2024-12-25", "trailer", None),
        ("2024-10-07", "2024-10-07", "2024-10-07", "trailer", None),
        ("2024-10-07", "2024-09-01", "2024-10-07", "trailer", "2024-09-01"),
        ("2024-10-07", None, "2024-11-13", "schedule", None),
    ],
)
def test_declared_go_live(committed, trailer, expected, source, back_dated):
    declared = declared_go_live(D(committed), trailer, schedule())
    assert declared.date == D(expected)
    assert declared.source == source
    assert declared.back_dated == (D(back_dated) if back_dated else None)


def test_no_trailer_and_no_schedule_goes_live_when_committed():
    assert declared_go_live(D("2024-10-07"), None, None).date == D("2024-10-07")


@pytest.mark.parametrize(
    ("committed", "release"),
    [
        ("2024-11-06", "2024-11-13"),  # exactly the cut-off: 7 days
        ("2024-11-07", "2024-12-11"),  # one day late: the next release
        ("2024-10-02", "2024-10-09"),
        ("2024-10-03", "2024-11-13"),
        ("2024-11-13", "2024-12-11"),  # on release day itself
    ],
)
def test_schedule_cutoff(committed, release):
    assert schedule().release_for(D(committed)) == D(release)


def test_cutoff_of_zero_days_allows_release_day_itself():
    assert schedule(cutoff=0).release_for(D("2024-11-13")) == D("2024-11-13")


def test_release_on_a_weekend_moves_to_monday():
    saturdays = "DTSTART:20240101\nRRULE:FREQ=MONTHLY;BYDAY=1SA"
    assert schedule(saturdays, cutoff=0).release_for(D("2024-06-01")) == D("2024-06-03")


def test_release_on_a_bank_holiday_moves_to_the_next_working_day():
    # 6 May 2024 is the Early May bank holiday in England.
    first_mondays = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=1MO"
    config = parse_config(f'[releases]\nschedule = "{first_mondays}"\nbank_holidays = "GB-ENG"\n')
    assert config.schedule is not None
    assert config.schedule.release_for(D("2024-04-20")) == D("2024-05-07")


def test_bank_holidays_differ_by_nation():
    # 2 January 2024 is a bank holiday in Scotland, not in England.
    rule = "DTSTART:20240101\\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=2"
    scotland = parse_config(f'[releases]\nschedule = "{rule}"\nbank_holidays = "GB-SCT"\n')
    england = parse_config(f'[releases]\nschedule = "{rule}"\nbank_holidays = "GB-ENG"\n')
    assert scotland.schedule and england.schedule
    assert scotland.schedule.release_for(D("2023-12-01")) == D("2024-01-03")
    assert england.schedule.release_for(D("2023-12-01")) == D("2024-01-02")


def test_schedule_that_has_ended_falls_back_to_commit_date():
    finished = "DTSTART:20240101\nRRULE:FREQ=MONTHLY;COUNT=2"
    declared = declared_go_live(D("2024-06-01"), None, schedule(finished))
    assert (declared.date, declared.source) == (D("2024-06-01"), "commit")


@pytest.mark.parametrize(
    ("declared", "effective"),
    [
        ([], []),
        (["2024-01-10"], ["2024-01-10"]),
        (["2024-01-10", "2024-02-14"], ["2024-01-10", "2024-02-14"]),
        (["2024-12-11", "2024-11-13"], ["2024-12-11", "2024-12-11"]),  # held back
        (["2024-12-11", "2024-11-13", "2025-01-08"], ["2024-12-11", "2024-12-11", "2025-01-08"]),
    ],
)
def test_effective_dates(declared, effective):
    assert effective_dates([D(d) for d in declared]) == [D(d) for d in effective]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("immediate", True),
        ("2024-11-13", True),
        ("2024-02-30", False),
        ("next week", False),
        ("13/11/2024", False),
        ("", False),
    ],
)
def test_valid_go_live_values(value, valid):
    assert is_valid_go_live(value) is valid


@pytest.mark.parametrize(
    ("rule", "said"),
    [("second Wednesday of every month", "'second Wednesday of every month' is not a rule of "
      "RFC 5545"),
     ("FREQ=MONTHLY;BYDAY=2WE", "needs a start"),
     ("DTSTART:20240101\\nRDATE:20240110,20240214", None)],
)  # fmt: skip
def test_a_schedule_in_words_is_said_to_be_no_rule(rule: str, said: str | None):
    """A schedule in words was told it "needs a start, such as DTSTART:..." (author's
    exploratory testing): it needs a rule, and is shown how to write one."""
    from tracker.errors import ConfigError

    text = f'[releases]\nschedule = "{rule}"\n'
    if said is None:
        assert parse_config(text).schedule is not None  # (dates given one by one: a rule)
        return
    with pytest.raises(ConfigError) as refused:
        parse_config(text)
    assert said in str(refused.value) and "DTSTART:20240101\\nRRULE:FREQ=MONTHLY" in str(
        refused.value
    )


def test_a_schedule_in_single_quotes_is_told_its_line_break_is_two_characters():
    """In TOML's single quotes '\\n' is no line break: dateutil's own words came out, and the
    message suggested the very text the author had written (exploratory testing)."""
    from tracker.errors import ConfigError

    with pytest.raises(ConfigError, match="holds '\\\\n' as two characters, not a line break"):
        parse_config("[releases]\nschedule = 'DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE'\n")
    assert parse_config(
        '[releases]\nschedule = """DTSTART:20240101\nRRULE:FREQ=MONTHLY;BYDAY=2WE"""\n'
    ).schedule
    # The author's own rule in double quotes, which TOML then reads as meant: a fixed example
    # given instead, pasted, changed the release day (newcomer's testing).
    with pytest.raises(ConfigError) as refused:
        parse_config(
            "[releases]\nschedule = 'DTSTART:20230305\\nRRULE:FREQ=MONTHLY;BYMONTHDAY=25'\n"
        )
    suggested = str(refused.value).split("double quotes, ")[1].split(", or on two")[0]
    assert suggested == 'schedule = "DTSTART:20230305\\nRRULE:FREQ=MONTHLY;BYMONTHDAY=25"'
    assert parse_config(f"[releases]\n{suggested}\n").schedule.rule.endswith("BYMONTHDAY=25")  # type: ignore[union-attr]
    with pytest.raises(ConfigError) as refused:  # (a line break in it: none shown, review)
        parse_config("[releases]\nschedule = '''DTSTART:20250101\\n\nRRULE:FREQ=MONTHLY'''\n")
    assert "double quotes or on two lines" in str(refused.value)
