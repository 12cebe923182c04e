"""Fixtures: real git repositories built with fixed dates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from hypothesis import settings

from tracker.history.snapshot import Snapshot
from tracker.manual import Manual, open_manual

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# The default suite (make test, CI) tries each property test's examples in the same order
# every time (a seed from the test's own code), so that a run on a clean clone passes or fails
# as the last did; the reliability suite (make reliability, FUZZ_EXAMPLES set) explores at
# random, more widely, to find what is new (docs/reliability.md). Neither times an example:
# speed is measured in benchmarks/, and a test file's worker shares the machine with another's
# (make unit runs them in parallel), so Hypothesis's 200 ms deadline would fail by chance.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("exploring", deadline=None)
settings.load_profile("exploring" if "FUZZ_EXAMPLES" in os.environ else "repeatable")

ROOT = "procedures"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's, for the browser tests
SCHEDULE = """[releases]
schedule = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE"
cutoff_days = 7
bank_holidays = "GB-ENG"
"""


def doc(heading: str | None = None, body: str = "Some text.", **front: object) -> str:
    """A Markdown document with front matter built from keyword arguments."""
    lines = [f"{key}: {value}" for key, value in front.items()]
    head = "---\n" + "".join(line + "\n" for line in lines) + "---\n\n" if lines else ""
    first = f"# {heading}\n\n" if heading else ""
    return f"{head}{first}{body}\n"


# Headings named after the Children Act, as UK procedures name them, and links to them in each
# form an author may write: the heading's words as docs/authors.md says (section-47-enquiries),
# or copied from a page, prefixed (section-section-47-enquiries, section-reporting). Referrals
# also has "17 Assessments" beside "Section 17 Assessments": section-17-assessments is the page's
# id of the first, so it stays that (docs/decisions.md).
SECTION_HEADINGS = {
    "referrals.md": doc("Referrals", "## Section 47 Enquiries\n\nHarm.\n\n## Reporting\n\nText."
                        "\n\n## 17 Assessments\n\nOld.\n\n## Section 17 Assessments\n\nNeed."),
    "strategy.md": doc("Strategy", "[a](referrals.md#section-47-enquiries) "
                       "[b](referrals.md#section-section-47-enquiries) [c](referrals.md#reporting) "
                       "[d](referrals.md#section-reporting) [e](referrals.md#section-17-assessments) "
                       "[f](referrals.md#section-section-17-assessments) [g](#section-17-here)\n\n"
                       "## Section 17 here\n\nText."),
}  # fmt: skip


# Headings written as HTML with ids the page has of its own (the skip link's main-content),
# links to them, and other elements that could carry an id or a name.
HTML_HEADINGS = (
    '<h2 id="main-content">Contacts</h2>\n\nSee [the contacts](#main-content), <a href="#search">'
    'the search</a> and [steps](#section-steps).\n\n<H3 class="x" ID=search>Search</H3>\n\n'
    '<h4 id="section-steps">Steps</h4>\n\n<h4 id="">Empty</h4>\n\n## Contacts\n\n<h4 id='
    '"contacts">Twice</h4>\n\n<p id="p">Text <a name="n" id="a">here</a> <span id="s">x</span> '
    '<img name="i" id="j" src="x.png" alt="x"></p>\n'
)


# Links to chapters whose file names Markdown can only link percent-encoded (a space, a letter
# outside ASCII), and links whose decoded path is no document of the manual: out of the root,
# absolute, holding a NUL, or encoded twice (decoded once, it is "early%20help.md").
ESCAPED_LINKS = {
    "early help.md": doc("Early Help", "## Section 17 Help\n\nText."),
    "café.md": doc("Café"),
    "a.md": doc("A", "[a](early%20help.md) [b](./early%20help.md#section-17-help) [c](caf%C3%A9.md) "
                "[d](%2e%2e/procedures/a.md) [e](..%2Fprocedures%2Fa.md) [f](%2Fa.md) "
                "[g](early%2520help.md) [h](a%00.md)"),
}  # fmt: skip


# Headings in scripts other than Latin, as translated leaflets have them: Greek (twice), Urdu,
# Bengali (whose vowel signs are marks), Chinese; one mixing scripts (its id is its Latin words',
# section-47, as it always was) and one of punctuation alone (the prefix alone). Links to them in
# each form an author may write: the words as the id has them, copied from a page (prefixed) or
# from a browser's address bar (percent-encoded); and LEAFLET_BROKEN, which land nowhere (a
# heading the leaflet lacks, a capital letter, Latin letters for Greek, the mixed words whole).
GREEK = "ορισμοί"
LEAFLET_IDS = [
    "section-ορισμοί", "section-ορισμοί_1", "section-section-47", "section-47", "section-تعریفیں",
    "section-সংজ্ঞা", "section-定义", "section-",
]  # fmt: skip
LEAFLET_BROKEN = [
    "leaflet.md#σύνοψη", f"leaflet.md#{quote('τέλος')}", "leaflet.md#ορισμοί_2", "leaflet.md#Ορισμοί",
    "leaflet.md#orismoi", "leaflet.md#section-47-ορισμοί",
]  # fmt: skip
NON_LATIN_HEADINGS = {
    "leaflet.md": doc("Leaflet", "## Ορισμοί\n\nText.\n\n## Ορισμοί\n\nAgain.\n\n"
                      "## Section 47 Ορισμοί\n\nMixed.\n\n## تعریفیں\n\nUrdu.\n\n## সংজ্ঞা\n\n"
                      "Bengali.\n\n## 定义\n\nChinese.\n\n## — · —\n\nPunctuation.\n\n"
                      f"[a](#{GREEK}) [b](#section-{GREEK}_1) [c](#{quote(GREEK)}) [d](#section-47) "
                      "[e](#定义)"),
    "other.md": doc("Other", f"[a](leaflet.md#{GREEK}) [b](leaflet.md#section-{GREEK}) "
                    f"[c](leaflet.md#{quote(GREEK)}) [d](leaflet.md#section-{quote(GREEK)}_1) "
                    "[e](leaflet.md#تعریفیں) [f](leaflet.md#সংজ্ঞা) [g](<leaflet.md#定义>) "
                    "[h](leaflet.md#section-47) "
                    + " ".join(f"[{name}]({target})" for name, target in zip("ijklmn", LEAFLET_BROKEN, strict=True))),
}  # fmt: skip
# Where each of NON_LATIN_HEADINGS' links lands, by its words: the id (None: nowhere), as a
# browser goes to it (test_browser follows them).
GREEK_ID = "section-ορισμοί"
LEAFLET_LANDINGS = {
    "a": GREEK_ID, "b": GREEK_ID, "c": GREEK_ID, "d": f"{GREEK_ID}_1", "e": "section-تعریفیں",
    "f": "section-সংজ্ঞা", "g": "section-定义", "h": "section-47",
    **dict.fromkeys("ijklmn"),
}  # fmt: skip
OWN_LANDINGS = {"a": GREEK_ID, "b": f"{GREEK_ID}_1", "c": GREEK_ID, "d": "section-47",
                "e": "section-定义"}  # fmt: skip


# Links in each form Python-Markdown makes a link, which tracker check must read as the website
# does: a path in angle brackets with a space, a query (dropped), brackets in the text, a link
# around an image, an escaped character; and what is no link (inside an image's description)
# or no address (//[x.md), which the website leaves as written.
LINK_FORMS = {
    "early help.md": doc("Early Help", "## Referrals\n\nText."),
    "s47.md": doc("S47"),
    "a_b.md": doc("AB"),
    "a.md": doc("A", '[a](<early help.md>) [b](early help.md?from=a#referrals) [c](<s47.md> "S47") '
                "[d [in brackets]](s47.md) [![e](flow.png)](a_b.md) [f](a\\_b.md) "
                "[g](<no such.md>) [h](missing.md?from=index) [i](s47.md?a=b#nowhere) "
                "[j [in brackets]](gone.md) ![k [l](inside.md)](flow.png) [m](//[x.md)"),
}  # fmt: skip


class ManualRepo:
    """A git repository whose commits have fixed dates; files are named under ``procedures/``."""

    def __init__(self, path: Path, object_format: str = "sha1") -> None:
        self.path = path
        self.git("init", "--quiet", "--initial-branch=main", f"--object-format={object_format}")
        self.git("config", "user.name", "Test Author")
        self.git("config", "user.email", "author@example.org")
        self.git("config", "commit.gpgSign", "false")

    def git(self, *args: str, when: str | None = None, input_text: str | None = None) -> str:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
        if when:
            env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True,
            input=input_text,
        )  # fmt: skip
        return done.stdout.strip()

    def commit(
        self,
        files: Mapping[str, str | None],
        subject: str = "Update",
        when: str = "2024-01-02T10:00:00+00:00",
        trailers: Mapping[str, str] | list[tuple[str, str]] = (),
        body: str = "",
    ) -> str:
        """Write (or, for None, delete) files under procedures/ and commit them all."""
        for name, text in files.items():
            path = self.path / ROOT / name
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        pairs = list(trailers.items()) if isinstance(trailers, Mapping) else list(trailers)
        message = subject + (f"\n\n{body}" if body else "")
        if pairs:
            message += "\n\n" + "\n".join(f"{key}: {value}" for key, value in pairs)
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message, when=when)
        return self.git("rev-parse", "HEAD")

    def move(
        self,
        old: str,
        new: str,
        subject: str = "Move",
        when: str = "2024-01-02T10:00:00+00:00",
        trailers: Mapping[str, str] = (),
    ) -> str:
        """git mv a file under procedures/ and commit."""
        (self.path / ROOT / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", f"{ROOT}/{old}", f"{ROOT}/{new}")
        return self.commit({}, subject, when, trailers)

    def branch(self, name: str) -> None:
        self.git("checkout", "--quiet", "-b", name)

    def checkout(self, name: str) -> None:
        self.git("checkout", "--quiet", name)

    def merge(self, name: str, when: str, message: str | None = None) -> str:
        self.git(
            "merge",
            "--quiet",
            "--no-ff",
            "-m",
            message or f"Merge branch '{name}'",
            name,
            when=when,
        )
        return self.git("rev-parse", "HEAD")

    def open(self, **options: Any) -> Manual:
        """The manual in this repository, opened as the command line and the web open it."""
        return open_manual(self.path, **options)

    def snapshot(self, **options: str) -> Snapshot:
        """The manual as the repository's tracked branch now makes it."""
        return self.open(**options).snapshot()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ManualRepo]:
    """An empty manual repository; its index goes to a folder of the test's own."""
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "manual"
    folder.mkdir()
    yield ManualRepo(folder)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright, one for each module of browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def scheduled(repo: ManualRepo) -> ManualRepo:
    """A manual with the second-Wednesday schedule, a 7-day cut-off and English bank holidays."""
    repo.commit({"manual.toml": SCHEDULE}, "Add settings", "2023-12-01T09:00:00+00:00")
    return repo


# The reliability suite (``make reliability``, docs/reliability.md): tests marked
# ``reliability("area")`` count what they tried (``tally``, or one per test) and what failed, and
# the run ends with the table.

TRIED: Counter[str] = Counter()
FAILED: Counter[str] = Counter()
FAILURES: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reliability(area): part of the reliability suite")


def _area(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("reliability")
    return str(marker.args[0]) if marker is not None else None


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Callable[[int], None]:
    """Count inputs tried under the test's reliability area (instead of one for the test)."""
    area = _area(request.node) or "other"
    request.node.user_properties.append(("tallied", True))

    def count(number: int = 1) -> None:
        TRIED[area] += number

    return count


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    area = _area(item)
    if area is None or (report.when != "call" and not report.failed):
        return
    if (
        report.when == "call"
        and not report.skipped
        and ("tallied", True) not in item.user_properties
    ):
        TRIED[area] += 1
    if report.failed:
        FAILED[area] += 1
        FAILURES.append(item.nodeid)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not TRIED and not FAILED:
        return
    write = terminalreporter.write_line
    write("")
    write("| what was tried | tried | failed |")
    write("| --- | ---: | ---: |")
    for area in sorted(set(TRIED) | set(FAILED)):
        write(f"| {area} | {TRIED[area]:,} | {FAILED[area]} |")
    for nodeid in FAILURES:
        write(f"failed: {nodeid}")
    target = os.environ.get("RELIABILITY_JSON")
    if target:
        rows = {area: {"tried": TRIED[area], "failed": FAILED[area]} for area in TRIED}
        Path(target).write_text(json.dumps({"areas": rows, "failures": FAILURES}, indent=2))
