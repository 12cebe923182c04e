"""Hostile input (SPEC §9): fuzzed command-line arguments and web parameters, the API's own
schema (schemathesis), and Markdown that carries script.

Whatever comes in: a clear refusal or a right answer, never a traceback or a 500, no file
written, and git asked only the read-only commands the tracker means to run (a logging git on
the PATH records every command).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import schemathesis
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.demo import build_demo
from tracker.manual import open_manual
from tracker.publish.chapter import render_chapter
from tracker.trackchanges.compare import diff_documents
from tracker.trackchanges.views import diff_html
from web.app import create_app

TODAY = date(2024, 11, 20)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
LOGGING_GIT = """#!/bin/sh
# Records the git command run (past any '-c name=value' settings), then runs it.
command="$1"; shift_by=0
while [ "$command" = "-c" ]; do
  shift_by=$((shift_by + 2)); eval "command=\\${{$((shift_by + 1))}}"
done
printf '%s\\n' "$command" >> "$GIT_CALLS"
exec {git} "$@"
"""
# What reading a manual asks of git (GitPython's own 'version' included), and nothing else.
READ_ONLY = {
    "version",
    "log",
    "cat-file",
    "rev-parse",
    "symbolic-ref",
    "merge-base",
    "ls-tree",
    "rev-list",
    "status",  # (what check and preview do not read, uncommitted: taking no optional lock)
    "-c",
}  # fmt: skip  ("-c": pinned settings before 'log' or 'ls-tree')
SLOW = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = [
    "--output=/tmp/owned", "-h", "--help", "..", "../..", "../../etc/passwd", "/etc/passwd",
    "a\nb", "main\n--all", "HEAD~1", "HEAD^", "main..HEAD", "main...HEAD", "@{-1}", "HEAD@{0}",
    "HEAD:procedures/manual.toml", ":/fix", "*", "?", "%2e%2e%2f", "2024-02-30", "2024-13-01",
    "0000-01-01", "0001-01-01", "9999-12-31", "99999-01-01", "2024-1-1", "20241113", "x" * 5000,
    "\x1b[31mred\x1b[0m", "<script>alert(1)</script>", "javascript:alert(1)", "'; DROP TABLE",
    "refs/heads/main", "main^{tree}", ":(glob)**", "\x00", "\u202e", "CON", "nul", " ", "",
    "domestic-abuse/../referrals", "domestic-abuse/", "/domestic-abuse", "domestic-abuse/history",
]  # fmt: skip
REAL = ["domestic-abuse", "referrals", "2024-11-13", "2024-12-11", "2024-01-01", "main", "HEAD"]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(REAL),
    st.text(max_size=40),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
)


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo manual plus a chapter written to attack the page, read through a logging git."""
    folder = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_CACHE_DIR", str(folder / "cache"))
        path = build_demo(folder / "demo")
        repo = ManualRepo(path)  # git init again: the same repository, with an author set
        repo.commit({"attack.md": doc("Attack", ATTACK)}, "Add", "2024-11-01T10:00:00+00:00")
        real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True)
        script = folder / "bin" / "git"
        script.parent.mkdir()
        script.write_text(LOGGING_GIT.format(git=real.stdout.strip()))
        script.chmod(0o755)
        patch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
        patch.setenv("GIT_CALLS", str(folder / "git-calls"))
        yield path


def files_of(path: Path) -> dict[str, tuple[int, int]]:
    """Every file of the repository (the tracker's own cache is elsewhere) and its size and
    modification time, to see that nothing was written."""
    found = {}
    for folder, _, names in os.walk(path):
        for name in names:
            stat = (Path(folder) / name).stat()
            found[str(Path(folder) / name)] = (stat.st_size, stat.st_mtime_ns)
    return found


def git_commands_run() -> set[str]:
    calls = Path(os.environ["GIT_CALLS"])
    return set(calls.read_text().split("\n")) - {""} if calls.exists() else set()


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse refusing the arguments
            code = int(stop.code or 0)
    return code, out.getvalue(), err.getvalue()


def commands(repo: str) -> st.SearchStrategy[list[str]]:
    plain = ["--repo", repo, "--today", "2024-11-20"]
    return st.one_of(
        st.tuples(st.just("releases"), st.just("--today"), values).map(list),
        st.tuples(st.sampled_from(["history", "show"]), values).map(list),
        st.tuples(st.just("show"), values, st.just("--at"), values).map(list),
        st.tuples(st.just("diff"), values, st.just("--from"), values, st.just("--to"), values).map(
            list
        ),
        st.tuples(
            st.just("newsletter"),
            st.just("--release"),
            values,
            st.just("--format"),
            st.sampled_from(["text", "md", "html", "json"]),
        ).map(list),
        st.tuples(
            st.sampled_from(["releases", "preview", "check"]),
            st.sampled_from(["--branch", "--root", "--today"]),
            values,
        ).map(list),
        st.tuples(st.just("history"), st.just("domestic-abuse"), values).map(list),
    ).map(lambda argv: [*argv[:1], *plain, *argv[1:]] if "--repo" not in argv else argv)


@pytest.mark.reliability("command-line arguments fuzzed")
def test_the_command_line_refuses_or_answers(manual: Path, tally: Callable[[int], None]):
    before = files_of(manual)

    @SLOW
    @given(argv=commands(str(manual)))
    def attempt(argv: list[str]) -> None:
        tally(1)
        code, _, err = run(argv)
        assert code in (0, 1, 2), (argv, code, err)
        assert "Traceback" not in err, (argv, err)
        if code == 2:
            errors = [line for line in err.splitlines() if not line.startswith("tracker: warning")]
            assert len(errors) == 1 and re.match(r"tracker( [\w-]+)?: error: ", errors[0]), err
            assert not any(ord(c) < 32 and c not in "\n\t" for c in errors[0]), errors

    attempt()
    assert files_of(manual) == before
    assert git_commands_run() <= READ_ONLY, git_commands_run()


def web_addresses() -> st.SearchStrategy[str]:
    def part(value: str) -> str:
        return quote(value, safe="")

    def path(value: str) -> str:
        return quote(value, safe="/")

    templates = [
        "/chapters/{p}", "/chapters/{p}?at={q}", "/chapters/{p}/history", "/chapters/{p}/diff",
        "/chapters/{p}/diff?from={q}&to={r}", "/chapters/{p}/diff?from={q}&source={r}",
        "/chapters/{p}/feed.atom", "/files/{q}/{p}", "/releases/{q}", "/releases/{q}/newsletter",
        "/releases/{q}/newsletter.{r}", "/search?q={q}", "/search?q={q}&q={r}",
        "/api/chapters/{p}?at={q}", "/api/chapters/{p}/diff?from={q}&to={r}",
        "/api/chapters/{p}/history", "/api/releases/{q}", "/api/releases/{q}/newsletter?format={r}",
        "/chapters?tag={q}", "/releases?page={q}", "/{p}",
    ]  # fmt: skip
    return st.builds(
        lambda template, p, q, r: template.format(p=path(p), q=part(q), r=part(r)),
        st.sampled_from(templates),
        values,
        values,
        values,
    )


@pytest.mark.reliability("web addresses fuzzed")
def test_the_website_refuses_or_answers(manual: Path, tally: Callable[[int], None]):
    before = files_of(manual)
    with TestClient(create_app(open_manual(manual), TODAY), raise_server_exceptions=False) as web:

        @SLOW
        @given(address=web_addresses())
        def attempt(address: str) -> None:
            tally(1)
            response = web.get(address, follow_redirects=False)
            assert response.status_code in (200, 302, 308, 400, 404, 405), (
                address,
                response.text[:300],
            )
            if response.is_redirect:  # a former id, or a trailing '/': never to another site
                assert response.headers["location"].startswith(("/", "http://testserver/")), address
            assert "Traceback" not in response.text

        attempt()
    assert files_of(manual) == before
    assert git_commands_run() <= READ_ONLY, git_commands_run()


@pytest.mark.reliability("API operations fuzzed from /openapi.json (schemathesis)")
def test_the_api_schema_holds_under_schemathesis(manual: Path, tally: Callable[[int], None]):
    app = create_app(open_manual(manual), TODAY)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)

    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy()

        @settings(max_examples=max(EXAMPLES // 3, 10), deadline=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=strategy)
        def one(case: schemathesis.Case) -> None:
            tally(1)
            response = case.call()
            assert response.status_code < 500, (case.path, case.query, response.text[:300])

        try:
            one()
        except AssertionError as error:
            failures.append(str(error))
    assert failures == []


ATTACK = """<script>alert(1)</script>

[click](javascript:alert(2)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==)
<img src="x" onerror="alert(4)"> <a href="https://example.org" onclick="alert(5)">ok</a>
<svg onload="alert(6)"><circle r="1"/></svg> ![svg](data:image/svg+xml;base64,PHN2Zz4=)
<a href="JaVaScRiPt:alert(7)">mixed case</a> <a href="jav&#x09;ascript:alert(8)">entity</a>
<iframe src="https://evil.example"></iframe> <object data="x.swf"></object>
<style>body{display:none}</style> <form action="https://evil.example"><input></form>
<math><mtext><table><mglyph><style><img src=x onerror=alert(9)>
[ref]: javascript:alert(10)
"""
FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "[a](javascript:alert(3))",
    "[b](data:text/html,<script>alert(4)</script>)", "<svg onload=alert(5)>", "<iframe src=x>",
    '<a href="JaVaScRiPt:alert(6)">x</a>', "<style>*{}</style>", "<object data=x>",
    "![i](data:image/svg+xml,<svg onload=alert(7)>)", "<p onclick=alert(8)>p</p>", "&lt;script&gt;",
    "<!-- <script> -->", "`<script>`", "```\n<script>\n```", "| <script> | x |\n| - | - |\n| y | z |",
    "- <b onmouseover=alert(9)>b</b>", "> <img src=x onerror=alert(10)>", "<details open ontoggle=alert(11)>",
    "Plain words.", "## Heading", "**bold** _em_", "[fine](other.md)",
]  # fmt: skip
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "form", "input",
                  "details", "base", "link", "meta"}  # fmt: skip
PAGE_TAGS = {
    "form",
    "input",
    "link",
    "meta",
}  # the site's own forms (search, compare, a date), head


class _Danger(HTMLParser):
    """Finds what a browser would run in HTML: a tag of script, an event attribute, an address
    with a scheme that runs or embeds (read as a browser reads it: entities decoded, spaces and
    control characters inside dropped)."""

    def __init__(self, page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.page = page  # a whole page: its own head, forms and scripts are allowed

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        ours = (tag == "script" and (
            "nonce" in named or (named.get("src") or "").startswith("/static/")
        )) or (tag == "details" and named.get("class") == "govuk-details app-date-details")  # fmt: skip
        if tag in FORBIDDEN_TAGS and not (self.page and (tag in PAGE_TAGS or ours)):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).split(":", 1)
                if len(scheme) == 2 and scheme[0].lower() in ("javascript", "data", "vbscript"):
                    self.found.append(f"{tag} {name}={value}")


def danger(html: str, page: bool = False) -> list[str]:
    finder = _Danger(page)
    finder.feed(html)
    return finder.found


@pytest.mark.reliability("hostile Markdown rendered (chapter and diff)")
def test_markdown_cannot_carry_script_into_a_page(tally: Callable[[int], None]):
    documents = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map("\n\n".join)

    @SLOW
    @given(old=documents, new=documents)
    def attempt(old: str, new: str) -> None:
        tally(1)
        for html in (
            render_chapter(new, "a.md", lambda path, fragment: f"/chapters/{path}"),
            diff_html(diff_documents(old, new, 5.0)),
        ):
            assert danger(html) == [], html

    attempt()


@pytest.mark.reliability("hostile Markdown rendered (chapter and diff)")
def test_the_attack_chapter_is_harmless_on_every_page(manual: Path):
    with TestClient(create_app(open_manual(manual), TODAY)) as web:
        for address in ("/chapters/attack", "/chapters/attack/diff", "/chapters/attack/history",
                        "/search?q=click", "/chapters/attack/feed.atom", "/api/chapters/attack"):  # fmt: skip
            response = web.get(address)
            assert response.status_code == 200, address
            if "json" not in response.headers["content-type"]:
                assert danger(response.text, page=True) == [], address


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>", '<img src="x" onerror="alert(1)">',
        '<a href="java&#x09;script:alert(1)">x</a>', '<a href=" JavaScript:alert(1)">x</a>',
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">', "<svg><circle/></svg>",
        '<iframe src="https://x.example"></iframe>', "<style>*{}</style>",
    ],
)  # fmt: skip
def test_the_danger_finder_finds_what_a_browser_would_run(html: str):
    assert danger(html) != []
    assert danger("<p>&lt;script&gt; and onerror=x as text</p>") == []


def test_a_huge_value_is_refused_in_a_sentence_of_ordinary_length(manual: Path):
    code, _, err = run(["diff", "domestic-abuse", "--repo", str(manual), "--from", "x" * 50_000])
    assert code == 2 and len(err) < 400, err
    with TestClient(create_app(open_manual(manual), TODAY)) as web:
        response = web.get("/api/chapters/domestic-abuse/diff?from=" + "x" * 50_000)
        assert response.status_code == 400 and len(response.text) < 400
        response = web.get("/search?q=" + "word%20" * 8_000)
        assert response.status_code == 200
