"""The newsletter section (SPEC §5): groups, order, wording, formats and overrides."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from html import unescape
from html.parser import HTMLParser
from textwrap import dedent

import pytest
from conftest import ManualRepo, doc

from tracker.dates import in_words, ordinal
from tracker.errors import ConfigError
from tracker.publish.newsletter import Format, newsletter_context, render_newsletter

D = date.fromisoformat
TODAY = D("2030-01-01")
SETTINGS = dedent("""\
    [manual]
    short_name = "TSCP"
    site_url = "https://procedures.example.org/"
    sections = ["One", "Two"]
""")


def newsletter(repo: ManualRepo, day: str | None, fmt: Format) -> str:
    """The section of the release on ``day`` (None: the first), as the command line makes it."""
    manual = repo.open()
    snapshot = manual.snapshot()
    release = snapshot.release(D(day)) if day else snapshot.releases[0]
    templates = manual.texts.templates(snapshot)
    summarise = manual.differ.summary
    return render_newsletter(
        snapshot, release, TODAY, fmt, templates=templates, summarise=summarise
    )


@pytest.fixture
def release_repo(repo: ManualRepo) -> ManualRepo:
    """A release on 1 March 2024 with an entry in every group."""
    repo.commit(
        {
            "manual.toml": SETTINGS,
            "old-chapter.md": doc("Old Chapter", section="Two", id="old-chapter"),
            "old-guidance.md": doc("Old Guidance", type="guidance", id="old-guidance"),
            "b.md": doc("Bravo", section="Two", order=1, id="b"),
            "a.md": doc("Alpha", section="One", id="a"),
            "g.md": doc("Guide", type="guidance", id="g"),
            "h.md": doc("Handbook", type="guidance", id="h"),
            "t.md": doc("Typo", id="t"),
        },
        "Start",
        "2024-01-01T09:00:00+00:00",
    )
    repo.commit(
        {
            "b.md": doc("Bravo", "changed", section="Two", order=1, id="b"),
            "a.md": doc("Alpha", "changed", section="One", id="a"),
            "new-chapter.md": doc("New Chapter", section="One", id="new-chapter"),
            "new-guidance.md": doc("New Guidance", type="guidance", id="new-guidance"),
            "old-chapter.md": None,
            "old-guidance.md": None,
        },
        "Spring changes",
        "2024-03-01T09:00:00+00:00",
        {"Change-Note": "Spring update."},
    )
    repo.commit(
        {"g.md": doc("Guide", "new text", type="guidance", id="g")},
        "Refresh guide",
        "2024-03-01T10:00:00+00:00",
    )
    repo.commit(
        {"h.md": doc("Handbook", "new text", type="guidance", id="h")},
        "Refresh handbook",
        "2024-03-01T11:00:00+00:00",
        {"Change-Note": "Handbook refreshed."},
    )
    repo.commit(
        {"t.md": doc("Typo", "fixed", id="t")},
        "Fix typo",
        "2024-03-01T12:00:00+00:00",
        {"Change-Type": "minor"},
    )
    return repo


def test_text_groups_in_order_with_toc_order_inside(release_repo: ManualRepo):
    text = newsletter(release_repo, "2024-03-01", "text")
    assert text == dedent("""\
        Multi-Agency Procedures update

        The following changes to the multi-agency procedures will take effect on the TSCP website on the 1st March 2024:

        New Chapters:
          • New Chapter: Spring update.

        Updated Chapters:
          • Alpha: Spring update.
          • Bravo: Spring update.

        New Guidance:
          • New Guidance: Spring update.

        Updated Guidance:
          • Guide
          • Handbook: Handbook refreshed.

        Withdrawn Chapters:
          • Old Chapter: Spring update.

        Withdrawn Guidance:
          • Old Guidance: Spring update.

        See all the multi-agency procedures provided by TSCP at https://procedures.example.org/chapters
        """)


def test_context_links_to_each_chapter_and_its_changes(release_repo: ManualRepo):
    snapshot = release_repo.snapshot()
    context = newsletter_context(snapshot, snapshot.release(D("2024-03-01")), TODAY)
    alpha = context["groups"][1].items[0]
    assert alpha.url == "https://procedures.example.org/chapters/a"
    assert alpha.changes_url == (
        "https://procedures.example.org/chapters/a/diff?from=2024-02-29&to=2024-03-01"
    )


def test_markdown_format(release_repo: ManualRepo):
    text = newsletter(release_repo, "2024-03-01", "md")
    assert text.startswith("## Multi-Agency Procedures update\n")
    assert (
        "### Updated Chapters\n\n- [Alpha](https://procedures.example.org/chapters/a): "
        "Spring update. [See what changed in Alpha](https://procedures.example.org/chapters/a/"
        "diff?from=2024-02-29&to=2024-03-01)\n" in text
    )
    assert "- [Guide](https://procedures.example.org/chapters/g) [See what changed in Guide](" in (
        text
    )


def test_markdown_links_say_where_they_go_as_the_html_s_do(release_repo: ManualRepo):
    """Screen-reader users list a page's links: no two links of the Markdown format that go
    to different places share their words, and each names what the HTML format's link names
    (docs/decisions.md, "Link text")."""
    markdown = newsletter(release_repo, "2024-03-01", "md")
    links = re.findall(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\(([^)]*)\)", markdown)
    words = {}
    for text, address in links:
        assert words.setdefault(text, address) == address, (text, address)
    html = newsletter(release_repo, "2024-03-01", "html")
    named = re.findall(r'<a href="([^"]*)"[^>]*>(?:<strong>)?([^<]*)<', html)
    assert len(named) == len(links) > 4
    assert {(a.replace("&amp;", "&"), unescape(t)) for a, t in named} == {
        (address, re.sub(r"\\(.)", r"\1", text)) for text, address in links
    }


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_format_is_email_safe(release_repo: ManualRepo):
    html = newsletter(release_repo, "2024-03-01", "html")
    collector = _Collector()
    collector.feed(html)
    tags = {tag for tag, _ in collector.tags}
    assert not tags & {"script", "style", "link", "img"}
    links = [attrs["href"] for tag, attrs in collector.tags if tag == "a"]
    assert all(href.startswith("https://") for href in links)
    assert all("style" in attrs for tag, attrs in collector.tags if tag in {"a", "h2", "ul"})
    assert "See what changed in Alpha" in html


def test_json_format(release_repo: ManualRepo):
    data = json.loads(newsletter(release_repo, "2024-03-01", "json"))
    assert data["release"] == {
        "date": "2024-03-01",
        "date_words": "1st March 2024",
        "upcoming": False,
    }
    assert [g["heading"] for g in data["groups"]][:2] == ["New Chapters", "Updated Chapters"]
    guide = data["groups"][3]["items"][0]
    assert guide["summary"]["text"] == "Revised: the opening text. 2 words added, 2 removed."
    del guide["summary"]
    assert guide == {
        "id": "g",
        "title": "Guide",
        "notes": [],
        "url": "https://procedures.example.org/chapters/g",
        "changes_url": "https://procedures.example.org/chapters/g/diff?from=2024-02-29&to=2024-03-01",
    }


def test_titles_are_escaped_in_html(repo: ManualRepo):
    repo.commit({"a.md": doc("Drugs & <Alcohol>")}, when="2024-01-01T09:00:00+00:00")
    html = newsletter(repo, None, "html")
    assert "Drugs &amp; &lt;Alcohol&gt;" in html
    assert "<Alcohol>" not in html


def test_minor_only_release_says_so(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    repo.commit(
        {"a.md": doc("A", "x")}, "Typo", "2024-02-01T09:00:00+00:00", {"Change-Type": "minor"}
    )
    text = newsletter(repo, "2024-02-01", "text")
    assert "editorial corrections only" in text
    assert "  • " not in text


def test_a_commit_with_an_empty_message_is_listed_by_its_title_alone(repo: ManualRepo):
    """SPEC §5: "Title: note(s)"; with no note, the title alone. A commit git was told to
    make with an empty message gave "• A: " with nothing after it (exploratory testing)."""
    from tracker.authoring.check import check_manual

    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    (repo.path / "procedures" / "a.md").write_text(doc("A", "More."), encoding="utf-8")
    repo.git("commit", "--quiet", "--all", "--allow-empty-message", "-m", "",
             when="2024-02-01T09:00:00+00:00")  # fmt: skip
    text = newsletter(repo, "2024-02-01", "text")
    assert "  • A\n" in text and "A:" not in text
    assert "\n- A\n" in newsletter(repo, "2024-02-01", "md")  # (no site_url: no link)
    (item,) = json.loads(newsletter(repo, "2024-02-01", "json"))["groups"][0]["items"]
    assert item["notes"] == []
    found = check_manual(repo.snapshot(), date(2024, 1, 20))
    assert [(p.rule, p.message) for p in found] == [
        ("missing-change-note", "goes live on 2024-02-01 without a Change-Note, so the "
         "newsletter lists it by its title alone"),
    ]  # fmt: skip


def test_a_manual_can_override_the_template(release_repo: ManualRepo):
    release_repo.commit(
        {
            "_templates/newsletter.txt.j2": "{{ manual.name }} on {{ release.date_words }}: "
            "{{ groups | length }} groups\n"
        },
        when="2024-03-02T09:00:00+00:00",
    )
    text = newsletter(release_repo, "2024-03-01", "text")
    assert text == "TSCP on 1st March 2024: 6 groups\n"
    # A group's items by either spelling: `g.items` was the dict's own method, which failed
    # with "'builtin_function_or_method' object is not iterable" (exploratory testing).
    each = "{% for g in groups %}{{ g.heading }}: {% for i in g.items %}{{ i.title }};{% endfor %}"
    subscripted = each.replace("g.items", 'g["items"]')
    release_repo.commit(
        {"_templates/newsletter.txt.j2": f"{each}{{% endfor %}}|{subscripted}{{% endfor %}}"},
        when="2024-03-02T10:00:00+00:00",
    )
    first, second = newsletter(release_repo, "2024-03-01", "text").split("|")
    assert first == second and first.startswith(
        "New Chapters: New Chapter;Updated Chapters: Alpha;"
    )


def test_an_unsafe_or_broken_template_is_a_clear_error(release_repo: ManualRepo):
    release_repo.commit(
        {"_templates/newsletter.txt.j2": "{{ manual.__class__.__mro__ }}"},
        when="2024-03-02T09:00:00+00:00",
    )
    with pytest.raises(ConfigError, match=r"newsletter\.txt\.j2"):
        newsletter(release_repo, "2024-03-01", "text")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (30, "30th"),
        (31, "31st"),
    ],
)
def test_british_ordinals(day, expected):
    assert ordinal(day) == expected


def test_date_in_words():
    assert in_words(D("2024-11-13")) == "13th November 2024"


@pytest.mark.parametrize(
    "body",
    ["{% include 'newsletter.txt.j2' %}",
     "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}"],
)  # fmt: skip
def test_a_template_that_includes_or_calls_itself_is_a_clear_error(
    release_repo: ManualRepo, body: str
):
    """A macro calling itself without end was said to include itself (exploratory testing):
    the sentence is true of both."""
    release_repo.commit({"_templates/newsletter.txt.j2": body}, when="2024-03-02T09:00:00+00:00")
    with pytest.raises(ConfigError) as raised:
        newsletter(release_repo, "2024-03-01", "text")
    assert str(raised.value) == (
        "The newsletter template procedures/_templates/newsletter.txt.j2 failed at line 1: it "
        "includes or calls itself without end (a template or a macro, directly or through "
        "another)."
    )


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ('{{ "x" * 10**10 }}', "it repeats a value 10,000,000,000 times, too large to make"),
        ("{{ [1] * 5000000 }}", "it repeats a value 5,000,000 times, too large to make"),
        ("{{ 10 ** 100000 }}", "10 ** 100000 is too large a number"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
         "its loops go through more than 1,000,000 numbers or items"),
        ('{% for i in range(30000) %}{{ "x" * 100 }}{% endfor %}',
         "it writes more than 2,000,000 characters"),
        ("{% set r = range(100000) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}",
         "its loops go through more than 1,000,000 numbers or items"),
        ('{% set ns = namespace(s="x" * 1500000) %}{{ (ns.s + ns.s)|length }}',
         "it joins values into more than 2,000,000 items"),
        ('{{ "x"|center(3000000000) }}', "its center filter is given a number over 2,000,000"),
        ('{{ "%3000000000s"|format("x") }}',
         "its format filter is given a width or precision over 2,000,000"),
        ('{{ "%-*s"|format(30000000, "x") }}',
         "its format filter is given a width or precision over 2,000,000"),
        ('{{ ("%-30000000s" % "a")|length }}', "its '%' is given a width or precision over 2,000,000"),
        ('{{ ("%-*s" % (-30000000, "a"))|length }}',
         "its '%' is given a width or precision over 2,000,000"),
        ('{{ ("%.*f" % (30000000, 1.5))|length }}',
         "its '%' is given a width or precision over 2,000,000"),
        ('{{ ("%(a(b))30000000s" % {"a(b)": 1})|length }}',
         "its '%' is given a width or precision over 2,000,000"),
        ('{% set x = "a" * 1000000 %}{{ "%(a)s%(a)s%(a)s" % {"a": x} }}',
         "its '%' would make more than 2,000,000 characters"),
        ("{{ lipsum(10000000) }}", "lipsum() is not for a newsletter"),
        # A value made many times the size of what it was made from, or doubled in a loop:
        ('{% set ns = namespace(s="ab") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
         "{% endfor %}", "it makes a value of more than 2,000,000 items or characters"),
        ('{% set ns = namespace(s="ab") %}{% for i in range(40) %}{% set ns.s = [ns.s, ns.s]|join %}'
         "{% endfor %}", "it makes more than 2,000,000 items or characters"),
        ('{% set x = "a" * 1000000 %}{{ ([""] * 1000)|join(x) }}',
         "its join filter would make more than 2,000,000 items or characters"),
        ('{% set x = "a" * 1000000 %}{{ x|replace("a", x) }}',
         "its replace filter would make more than 2,000,000 items or characters"),
        ('{% set x = "a" * 1000000 %}{{ x.replace("a", x) }}',
         "its replace() would make more than 2,000,000 items or characters"),
        ('{% set x = "a" * 1000000 %}{{ "".join([x] * 1000) }}',
         "it repeats a value 1,000 times, too large to make"),
        ('{% set x = "a" * 1000000 %}{{ x.join([""] * 1000) }}',
         "its join() would make more than 2,000,000 items or characters"),
        ('{% set x = "a" * 1000000 %}{{ x.translate({97: x}) }}',
         "its translate() would make more than 2,000,000 items or characters"),
        ('{% set x = "\\n" * 100000 %}{{ x|indent("a" * 100000) }}',
         "its indent filter would make more than 2,000,000 items or characters"),
        ('{% set x = "a " * 500000 %}{{ x|wordwrap(1, wrapstring=x) }}',
         "its wordwrap filter would make more than 2,000,000 items or characters"),
        ("{{ ([[1]] * 100000)|tojson(1000) }}",
         "its tojson filter would make more than 2,000,000 items or characters"),
        ('{{ "a".ljust(3000000000) }}', "its ljust() is given a number over 2,000,000"),
        ('{{ "{:>3000000000}".format("a") }}',
         "its format() is given a width or precision over 2,000,000"),
        ('{{ "{:>{w}}".format("a", w=3000000000) }}',
         "its format() is given a width or precision over 2,000,000"),
        ('{{ "{0:>{1}}".format("a", "30000000")|length }}',
         "its format() is given a width or precision over 2,000,000"),
        ('{{ "{x:>{w}}".format_map({"w": 30000000, "x": "a"})|length }}',
         "its format() is given a width or precision over 2,000,000"),
        ('{{ "{:>{}{}}".format("a", "3", "0000000")|length }}',
         "its format() is given a width or precision over 2,000,000"),
        ('{{ "{:.{p}}".format(1.5, p=30000000)|length }}',
         "its format() is given a width or precision over 2,000,000"),
        ('{% set x = "a" * 1000000 %}{{ "{0}{0}{0}".format(x) }}',
         "its format() would make more than 2,000,000 characters"),
        ("{{ [1]|batch(3000000000, 0)|list }}", "its batch filter is given a number over 2,000,000"),
        ('{% set x = "a" * 1999999 %}{{ ([{x: 1}] * 1000)|length }}',
         "it repeats a value 1,000 times, too large to make"),
        ('{% set x = "a" * 1000000 %}{{ ([namespace(a=x)] * 1000)|length }}',
         "it repeats a value 1,000 times, too large to make"),
        ('{% set x = "a" * 1999999 %}{{ ([{"k": x}.values()] * 1000)|length }}',
         "it repeats a value 1,000 times, too large to make"),
        # Text made in a block, a macro or a filter block, lists in lists, an indent of a
        # number on every line, a long text wrapped (review, after):
        ('{% set x = "a" * 1999999 %}{% set big %}{% for i in range(2000) %}{{ x }}{% endfor %}'
         "{% endset %}", "it writes more than 2,000,000 characters"),
        ('{% set x = "a" * 1999999 %}{% macro m() %}{% for i in range(2000) %}{{ x }}'
         "{% endfor %}{% endmacro %}{{ m()|length }}", "it writes more than 2,000,000 characters"),
        ('{% set x = "a" * 1999999 %}{% filter upper %}{% for i in range(2000) %}{{ x }}'
         "{% endfor %}{% endfilter %}", "it writes more than 2,000,000 characters"),
        ('{% set L = "a"|list * 900000 %}{% set M = [L] * 1000 %}{{ M|length }}',
         "it repeats a value 1,000 times, too large to make"),
        ('{{ ("a\\n" * 900000)|indent(1999999)|length }}',
         "its indent filter would make more than 2,000,000 items or characters"),
        ('{{ ("a " * 60000)|wordwrap(1, wrapstring="") }}',
         "its wordwrap filter is given more than 100,000 characters"),
        ('{% set r = [1] * 100000 %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}',
         "its loops go through more than 1,000,000 numbers or items"),
        ('{{ range(1000)|map("string")|map("center", 1999999)|list|length }}',
         "it makes more than 2,000,000 items or characters"),
        ('{% set ns = namespace(l=[]) %}{% for i in range(1000) %}'
         '{% set ns.l = ns.l + [("a" * 1000000)|upper] %}{% endfor %}',
         "it joins values into more than 2,000,000 items"),
    ],
)  # fmt: skip
def test_a_template_that_would_exhaust_the_service_is_a_clear_error(
    release_repo: ManualRepo, template: str, words: str
):
    """The sandbox stops code, not time or memory: '"x" * 10**10' made ten gigabytes (in the
    service, for every feed and page with the newsletter) and loops inside loops never ended
    (security review); a text doubled with '~' in a loop, a text put in place of each letter
    of another, a thousand copies of a long text made by map() did too (after). Each bound is
    a failure of the template, named with its line."""
    release_repo.commit({"_templates/newsletter.txt.j2": f"Start\n{template}\n"},
                        when="2024-03-02T09:00:00+00:00")  # fmt: skip
    with pytest.raises(ConfigError) as failed:
        newsletter(release_repo, "2024-03-01", "text")
    assert str(failed.value) == (
        f"The newsletter template procedures/_templates/newsletter.txt.j2 failed at line 2: {words}."
    )


@pytest.mark.parametrize(
    "template",
    ['{{ ("%-*s" % (30000000, "a"))|length }}', '{{ "{0:>{1}}".format("a", "30000000")|length }}',
     '{{ "{x:>{w}}".format_map({"w": 30000000, "x": "a"})|length }}',
     '{% set x = "a" * 1000000 %}{{ ("%(a)s" * 30 % {"a": x})|length }}',
     '{% set x = "a" * 1000000 %}{{ ("{0}" * 30).format(x)|length }}'],
)  # fmt: skip
def test_a_format_too_large_is_refused_before_it_is_made(release_repo: ManualRepo, template: str):
    """'%' was not bounded at all ("%-300000000s" % "a" made 300 MB), a width given to format()
    as a text or through format_map was refused only once made, and a long text put into a
    format many times was made in full (exploratory testing): each is refused first."""
    import tracemalloc

    release_repo.commit(
        {"_templates/newsletter.txt.j2": template}, when="2024-03-02T09:00:00+00:00"
    )
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match=r"(over|more than) 2,000,000"):
            newsletter(release_repo, "2024-03-01", "text")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak


@pytest.mark.parametrize(
    ("template", "expected"),
    [('{{ "Issue %s"|format(20241009) }}', "Issue 20241009"),
     ('{{ "%d"|format(3000000) }}', "3000000"),
     ('{{ "%(n)d people"|format(n=3000000) }}', "3000000 people"),
     ('{{ "Ref: {}".format(3000000) }}', "Ref: 3000000"),
     ('{{ "{:>{w}}|{}".format("a", 3000000, w=3) }}', "  a|3000000"),
     ('{{ "{0:>{1}}|{2}".format("a", 3, 3000000) }}', "  a|3000000"),
     ("{{ range(5) }} {{ range(2, 9, 3) }}", "range(0, 5) range(2, 9, 3)"),
     ("{{ range(3) == range(3) }} {{ range(3) == range(0, 3) }} {{ range(3) == [0, 1, 2] }}",
      "True True False")],
)  # fmt: skip
def test_numbers_that_are_not_widths_are_formatted(
    release_repo: ManualRepo, template: str, expected: str
):
    """Every number given to the format filter was taken for a width ("Issue %s"|format(20241009)
    was refused), and every number given to format() once a ':' came before a '{'; a range
    printed as "<tracker.publish.sandbox._Counted object ...>" and was not equal to another
    (exploratory testing)."""
    release_repo.commit(
        {"_templates/newsletter.txt.j2": template}, when="2024-03-02T09:00:00+00:00"
    )
    assert newsletter(release_repo, "2024-03-01", "text") == expected


def test_a_partial_that_writes_too_much_is_named_with_its_line(release_repo: ManualRepo):
    """What a rendering writes was counted outside it: the newsletter template was named, with
    no line, though its partial wrote it (exploratory testing)."""
    lead = 'One\n{% for i in range(30000) %}{{ "x" * 100 }}{% endfor %}\n'
    release_repo.commit({"_templates/_lead.j2": lead}, when="2024-03-02T09:00:00+00:00")
    with pytest.raises(ConfigError) as raised:
        newsletter(release_repo, "2024-03-01", "text")
    assert str(raised.value) == (
        "The newsletter template procedures/_templates/_lead.j2 failed at line 2: it writes more "
        "than 2,000,000 characters."
    )


def test_a_template_that_takes_too_long_is_a_clear_error(
    release_repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """Within every other bound a loop can still do a long piece of work each time (sorting a
    long list a hundred thousand times): a rendering has SECONDS (10) in all."""
    from tracker.publish import sandbox

    monkeypatch.setattr(sandbox, "SECONDS", 0.2)
    body = "{% for i in range(100000) %}{{ ([3, 1, 2] * 100000)|sort|length }}{% endfor %}"
    release_repo.commit({"_templates/newsletter.txt.j2": body}, when="2024-03-02T09:00:00+00:00")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"failed at line 1: it takes more than 0\.2 seconds"):
        newsletter(release_repo, "2024-03-01", "text")
    assert time.monotonic() - started < 5


def test_a_template_within_the_bounds_renders_as_before(release_repo: ManualRepo):
    body = ('{{ "-" * 20 }} {{ 2 ** 64 }} {{ range(3)|list|length }} {{ [0] * 2 }}'
            "{% for i in range(500) %}{% for j in range(500) %}{% endfor %}{% endfor %}"
            "{% for i in [1, 2] %}{% for j in 'ab' %}{{ loop.length }}{% endfor %}{% else %}E{% endfor %}"
            ' {{ range(5)|reverse|join }} {{ 3 in range(5) }} {{ "ab"|center(6) }}|'
            ' {{ "%5s"|format("x") }} {{ [1] + [2] }} {{ "Ref 3000000: %s"|format("x") }}'
            ' {{ "a".ljust(3) ~ "|" }} {{ ["a", "b"]|join(", ") }} {{ "-".join(["x", "y"]) }}'
            ' {{ "abc"|replace("b", "BB") }} {{ {"a": [1]}|tojson(1) }} {{ "{:>3}".format("z") }}'
            " {{ 5000000|default(1) }} {{ [1, 2, 3]|batch(2)|list }} {{ \"x\\tb\".expandtabs(2) }}"
            ' {{ 7 % 3 }} {{ "%-*s|%5.1f|%%" % (3, "a", 2.25) }} {{ "%(a)s-%(a)s" % {"a": "x"} }}'
            ' {{ "{0}{0}".format("y") }} {{ ("<{}>"|safe).format("&") }} {% macro m() %}M{% endmacro %}{{ m() }}'
            ' {{ "{n:,}".format_map({"n": 3000000}) }}')  # fmt: skip
    release_repo.commit({"_templates/newsletter.txt.j2": body}, when="2024-03-02T09:00:00+00:00")
    assert newsletter(release_repo, "2024-03-01", "text") == (
        "-------------------- 18446744073709551616 3 [0, 0]2222 43210 True   ab  |     x [1, 2] "
        'Ref 3000000: x a  | a, b x-y aBBc {\n "a": [\n  1\n ]\n}   z 5000000 [[1, 2], [3]] x b'
        " 1 a  |  2.2|% x-x yy <&amp;> M 3,000,000"
    )


def test_a_release_that_only_withdraws_says_so(repo: ManualRepo):
    repo.commit({"a.md": doc("A"), "b.md": doc("B")}, when="2024-01-01T09:00:00+00:00")
    repo.commit({"b.md": None}, "Withdraw B", when="2024-02-01T09:00:00+00:00")
    text = newsletter(repo, "2024-02-01", "text")
    assert "The following multi-agency procedures will be withdrawn from the procedures website " \
        "on the 1st February 2024:" in text  # fmt: skip
    assert "updated or new" not in text


def test_a_manual_without_settings_names_itself_sensibly(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    text = newsletter(repo, "2024-01-01", "text")
    assert "will go live on the procedures website on the 1st January 2024:" in text
    assert text.endswith(
        "See all the multi-agency procedures provided by the partnership on the procedures "
        "website.\n"
    )
    titled = '[manual]\ntitle = "Northshire Procedures"\n'
    repo.commit({"manual.toml": titled, "a.md": doc("A", "New.")}, when="2024-02-01T09:00:00+00:00")
    assert "go live on the Northshire Procedures website" in newsletter(repo, "2024-02-01", "text")


def test_the_email_styles_are_inlined_and_a_manual_may_restyle_them(release_repo: ManualRepo):
    html = newsletter(release_repo, "2024-03-01", "html")
    assert '<h2 style="font-size: 22px;' in html
    assert "<style" not in html
    release_repo.commit(
        {"_templates/newsletter.css": "a { color: #00703c; }"}, when="2024-03-02T09:00:00+00:00"
    )
    restyled = newsletter(release_repo, "2024-03-01", "html")
    assert 'style="color: #00703c;"' in restyled
    assert "font-size: 22px" not in restyled  # the manual's stylesheet replaces ours


def test_the_opening_sentence_is_escaped_in_html(repo: ManualRepo):
    settings = '[manual]\nshort_name = "A & B <Partnership>"\n'
    repo.commit({"manual.toml": settings, "a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    html = newsletter(repo, "2024-01-01", "html")
    assert "the A &amp; B &lt;Partnership&gt; website" in html
    assert "<Partnership>" not in html
    assert "the A & B <Partnership> website" in newsletter(repo, "2024-01-01", "text")


def test_rendering_never_fetches_a_stylesheet(repo: ManualRepo):
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"p { color: red; }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    link = f'<link rel="stylesheet" href="http://127.0.0.1:{server.server_port}/x.css"><p>Hi</p>'
    repo.commit({"a.md": doc("A"), "_templates/newsletter.html.j2": link},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    try:
        html = newsletter(repo, "2024-01-01", "html")
    finally:
        server.shutdown()
        server.server_close()
    assert asked == []
    assert "<p" in html and "<link" not in html


@pytest.mark.parametrize(
    ("lead", "line", "words"),
    [
        ("Line one\n{% if release.upcoming %}soon\n", 2, "Unexpected end of template"),
        ("Line one\n{{ release.date | nosuch }}\n", 2, "No filter named 'nosuch'"),
        ("Line one\n\n{{ release.nosuch }}\n", 3, "has no attribute 'nosuch'"),
        ("Line one\n{% include '_nowhere.j2' %}\n", 2, "_nowhere.j2"),
    ],
)
def test_a_failing_partial_is_named_with_its_line(
    release_repo: ManualRepo, lead: str, line: int, words: str
):
    """The partial that is wrong (a file the newsletter includes), not the newsletter."""
    release_repo.commit({"_templates/_lead.j2": lead}, when="2024-03-02T09:00:00+00:00")
    for fmt in ("text", "md", "html"):
        with pytest.raises(ConfigError) as raised:
            newsletter(release_repo, "2024-03-01", fmt)  # type: ignore[arg-type]
        message = str(raised.value)
        assert message.startswith(
            f"The newsletter template procedures/_templates/_lead.j2 failed at line {line}: "
        ), message
        assert words in message and "newsletter." not in message


def test_a_template_that_is_not_utf8_is_refused_and_checked(release_repo: ManualRepo):
    """A template saved as Latin-1 was read with replacement characters: the newsletter went
    out with the wrong letters and nothing said so (review). It is refused as manual.toml is,
    and tracker check reports it."""
    from tracker.authoring.check import check_manual
    from tracker.publish.newsletter import template_problems

    folder = release_repo.path / "procedures" / "_templates"
    folder.mkdir()
    (folder / "_lead.j2").write_bytes("Caf\xe9 news\n".encode("latin-1"))
    release_repo.commit({}, "Lead", "2024-03-02T09:00:00+00:00")
    with pytest.raises(ConfigError) as raised:
        newsletter(release_repo, "2024-03-01", "text")
    assert str(raised.value) == (
        "procedures/_templates/_lead.j2 is not UTF-8 text (line 1); save it as UTF-8 and commit "
        "it again."
    )
    manual = release_repo.open()
    snapshot = manual.snapshot()
    found = template_problems(snapshot, TODAY, lambda: manual.texts.templates(snapshot))
    problems = check_manual(snapshot, TODAY, templates=found)
    assert "error: _templates/_lead.j2: is not UTF-8 text (line 1), so no newsletter can be " \
        "written" in [str(problem) for problem in problems]  # fmt: skip


def test_a_partial_that_includes_itself_is_named(release_repo: ManualRepo):
    release_repo.commit({"_templates/_lead.j2": "One\n{% include '_lead.j2' %}\n"},
                        when="2024-03-02T09:00:00+00:00")  # fmt: skip
    with pytest.raises(ConfigError) as raised:
        newsletter(release_repo, "2024-03-01", "text")
    assert str(raised.value) == (
        "The newsletter template procedures/_templates/_lead.j2 failed at line 2: it includes "
        "or calls itself without end (a template or a macro, directly or through another)."
    )


def test_a_failure_in_our_partial_names_the_manual_s_line_that_led_to_it(
    release_repo: ManualRepo,
):
    """Only the manual's templates can be mended by its authors: the line of theirs that
    included ours is named, not our partial."""
    own = "Line one\n{% with release={} %}{% include '_lead.j2' %}{% endwith %}\n"
    release_repo.commit({"_templates/newsletter.txt.j2": own}, when="2024-03-02T09:00:00+00:00")
    with pytest.raises(ConfigError) as raised:
        newsletter(release_repo, "2024-03-01", "text")
    assert str(raised.value).startswith(
        "The newsletter template procedures/_templates/newsletter.txt.j2 failed at line 2: "
    ), str(raised.value)


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_several_notes_each_read_as_a_sentence(repo: ManualRepo, fmt: Format):
    """Subjects taken as notes have no full stop: three ran together as "A: A Fix typo in
    contacts Update the phone number" (exploratory testing). A note that ends as a sentence
    does keeps its ending; a note alone is left as written."""
    go_live = {"Go-Live": "2024-02-01"}
    repo.commit({"a.md": doc("Alpha"), "b.md": doc("Bravo")}, "Add them",
                "2024-01-10T09:00:00+00:00", go_live)  # fmt: skip
    for number, subject in enumerate(["Fix typo in contacts", "Is the number right?"]):
        repo.commit({"a.md": doc("Alpha", f"Text {number}.")}, subject,
                    f"2024-01-1{number + 1}T09:00:00+00:00", go_live)  # fmt: skip
    section = newsletter(repo, "2024-02-01", fmt)
    notes = ["Add them.", "Fix typo in contacts.", "Is the number right?"]
    if fmt == "json":
        items = json.loads(section)["groups"][0]["items"]
        assert [item["notes"] for item in items] == [notes, ["Add them"]]
    else:
        lines = [unescape(re.sub(r"<[^>]*>|\]\([^)]*\)|\[", "", line)) for line in
                 section.splitlines()]  # fmt: skip
        assert [line.split(" See what")[0].strip(" -•") for line in lines if ": " in line] == [
            f"Alpha: {' '.join(notes)}",
            "Bravo: Add them",
        ]


def test_each_release_s_newsletter_runs_out_of_loops_on_its_own_even_in_a_batch(
    release_repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """Whether a rendering runs out of its loops' steps depends on its release (loops over its
    entries): one release's failure, remembered for the process, then for a batch, made every
    other release's newsletter fail, the feed's newest entry too (two reviews). Only running
    out of time is remembered (the next test)."""
    from tracker.publish.templating import batch

    loops = ("{% for g in groups %}{% for h in groups %}{% for i in range(30000) %}{% endfor %}"
             "{% endfor %}{% endfor %}{{ groups|length }}\n")  # fmt: skip
    release_repo.commit({"_templates/_lead.j2": loops}, when="2024-03-02T09:00:00+00:00")
    renderings = counted_renderings(monkeypatch)
    with batch():
        with pytest.raises(ConfigError, match=r"_lead\.j2 failed at line 1: its loops go through"):
            newsletter(release_repo, "2024-03-01", "text")  # (36 x 30,000 numbers)
        assert "2\n" in newsletter(release_repo, "2024-01-01", "text")  # (4 x 30,000 numbers)
        assert "2\n" in newsletter(release_repo, "2024-01-01", "html")
    assert renderings == ["newsletter.txt.j2", "newsletter.txt.j2", "newsletter.html.j2",
                          "newsletter.css"]  # fmt: skip


def test_a_newsletter_out_of_time_fails_the_rest_of_its_batch_at_once(
    release_repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """A release feed of fifty newsletters took fifty times ten seconds (exploratory testing):
    within a batch (a feed, a static copy), templates that ran out of time fail at once
    afterwards, with the same sentence; outside it, each rendering tries again."""
    from tracker.publish import sandbox
    from tracker.publish.templating import batch

    monkeypatch.setattr(sandbox, "SECONDS", 0.3)
    slow = "{% for i in range(100000) %}{{ ([2, 1] * 100000)|sort|length }}{% endfor %}\n"
    release_repo.commit({"_templates/_lead.j2": slow}, when="2024-03-02T09:00:00+00:00")
    renderings = counted_renderings(monkeypatch)
    with batch():
        for day, fmt in [("2024-03-01", "text"), ("2024-01-01", "text"), ("2024-01-01", "html")]:
            with pytest.raises(ConfigError, match=r"_lead\.j2 failed at line 1: it takes more"):
                newsletter(release_repo, day, fmt)  # type: ignore[arg-type]
    assert renderings == ["newsletter.txt.j2"]
    with pytest.raises(ConfigError, match="it takes more"):
        newsletter(release_repo, "2024-01-01", "md")
    assert renderings == ["newsletter.txt.j2", "newsletter.md.j2"]


def test_styles_too_many_to_inline_are_refused_before_inlining(release_repo: ManualRepo):
    """The inliner matches each style rule against each element: 25,000 of each took 52
    seconds, outside the rendering's bounds (review)."""
    html = '{% for i in range(20000) %}<p class="a">x</p>{% endfor %}\n'
    css = "{% for i in range(2000) %}p.c{{ i }} { color: red }\n{% endfor %}"
    release_repo.commit({"_templates/newsletter.html.j2": html, "_templates/newsletter.css": css},
                        when="2024-03-02T09:00:00+00:00")  # fmt: skip
    with pytest.raises(ConfigError) as failed:
        newsletter(release_repo, "2024-03-01", "html")
    assert str(failed.value) == (
        "The newsletter template procedures/_templates/newsletter.css failed: its 2,000 style "
        "rules for 40,000 elements are too many to inline (at most 10,000,000 of one for each "
        "of the other)."
    )


def test_templates_that_took_too_long_fail_at_once_in_check(
    release_repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """As above, for the time: tracker check tries three formats in the time of one."""
    from tracker.publish import sandbox
    from tracker.publish.newsletter import template_problems

    monkeypatch.setattr(sandbox, "SECONDS", 0.5)
    slow = "{% for i in range(100000) %}{{ ([2, 1] * 100000)|sort|length }}{% endfor %}\n"
    release_repo.commit({"_templates/_lead.j2": slow}, when="2024-03-02T09:00:00+00:00")
    renderings = counted_renderings(monkeypatch)
    manual = release_repo.open()
    snapshot = manual.snapshot()
    found = template_problems(snapshot, TODAY, lambda: manual.texts.templates(snapshot))
    assert [str(problem) for problem in found] == [
        "error: _templates/_lead.j2: fails at line 1 writing the newsletter of 1st March 2024: "
        "it takes more than 0.5 seconds"
    ]
    assert renderings == ["newsletter.txt.j2"]  # (three formats each took the time before)


def counted_renderings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates rendered from now on (counted, not timed: a busy machine is slow), with
    no failure remembered from an earlier test's templates (kept per set of templates)."""
    from tracker.publish import newsletter as module
    from tracker.publish import templating

    templating._environment.cache_clear()
    renderings: list[str] = []
    real = module.rendered

    def counted(environment: object, name: str, *rest: object) -> str:
        renderings.append(name)
        return real(environment, name, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "rendered", counted)
    return renderings
