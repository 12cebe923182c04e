"""A region's bank holidays are the holidays library's, though only its country's module is
imported (the library's ``countries`` package imports all 250: about 0.1 s of a first read).
Each case runs in a Python of its own, where nothing has imported the library yet."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

REGIONS = ["GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR", "IE", "IM", "JE", "GG", "US-NY", "FR"]
# Every day of 70 years that each way of asking gives as a holiday, and whether the library's
# countries package imported all its countries: ours (``BankHolidays``), or the library asked
# as it says.
PROBE = """
import datetime, json, sys
import holidays
from tracker.config import BankHolidays
regions, ours, broken = sys.argv[1].split(","), sys.argv[2] == "ours", sys.argv[3] == "broken"
if broken:  # the library laid out otherwise than the shortcut expects
    import importlib.util
    def refused(name, *args):
        raise ImportError(name)
    importlib.util.find_spec = refused
days = [datetime.date(1990, 1, 1) + datetime.timedelta(days) for days in range(70 * 365)]
found = {}
for region in regions:
    country, _, part = region.partition("-")
    calendar = (BankHolidays(region).calendar() if ours
                else holidays.country_holidays(country, subdiv=part or None))
    found[region] = [day.isoformat() for day in days if day in calendar]
loader = getattr(holidays, "GB", None)
countries = [name for name in sys.modules if name.startswith("holidays.countries.")]
print(json.dumps({"days": found, "package": len(countries) > 50,
                  "expected": isinstance(getattr(loader, "module_name", None), str)}))
"""


def _asked(regions: list[str], ours: bool, broken: bool = False) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(regions), "ours" if ours else "library",
         "broken" if broken else "whole"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_a_region_s_bank_holidays_are_the_library_s():
    ours, library = _asked(REGIONS, ours=True), _asked(REGIONS, ours=False)
    assert ours["days"] == library["days"]
    assert len(ours["days"]["GB-ENG"]) > 500  # type: ignore[index]
    assert library["package"]  # (the test can fail: the library's own way imports them all)
    if ours["expected"]:  # (a library laid out as the shortcut expects: it is taken)
        assert not ours["package"]


def test_a_library_laid_out_otherwise_is_asked_its_own_way():
    ours = _asked(["GB-ENG", "GB-SCT"], ours=True, broken=True)
    assert ours["days"] == _asked(["GB-ENG", "GB-SCT"], ours=False)["days"]
    assert ours["package"]


LATER = """
import sys
from tracker.config import BankHolidays
BankHolidays("IM").calendar()  # (the Isle of Man's module imports the United Kingdom's)
import holidays
alone = len([name for name in sys.modules if name.startswith("holidays.countries.")])
import holidays.countries.united_kingdom
assert holidays.countries.united_kingdom.UnitedKingdom.__name__ == "UnitedKingdom"
import holidays.countries as package
assert package.isle_of_man.__name__ == "holidays.countries.isle_of_man"
from holidays.countries import France
from holidays.countries import *
whole = len([name for name in sys.modules if name.startswith("holidays.countries.")])
assert holidays.country_holidays("FR").get("2024-07-14") == "National Day"
try:
    package.no_such_country
except AttributeError:
    print(alone, whole)
"""


def test_the_countries_package_is_as_the_library_has_it_for_any_later_use():
    """Asked for by its dotted name, a name it holds, another country's class or all of them
    (review: the package had been taken away again, so ``holidays.countries.x`` failed)."""
    done = subprocess.run([sys.executable, "-c", LATER], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    alone, whole = map(int, done.stdout.split())
    assert alone < 5 < 100 < whole


@pytest.mark.parametrize("region", ["XX", "GB-XX"])
def test_a_region_the_library_does_not_know_is_still_refused(region: str):
    from tracker.config import BankHolidays

    with pytest.raises(NotImplementedError):
        BankHolidays(region).calendar()
