"""The terminal's diff says what a change of formatting changed (bold, emphasis, code, a link):
marked words carry Markdown's marks when their formatting is part of the change, so that
``kept`` made bold no longer reads ``[-kept-]{+kept+}`` (docs/decisions.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date

import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.manual import open_manual
from tracker.trackchanges.compare import diff_documents
from tracker.trackchanges.summary import summarise
from tracker.trackchanges.textviews import diff_json, diff_text
from tracker.trackchanges.views import diff_html
from web.app import create_app


def terminal(repo: ManualRepo, old: str, new: str, fmt: str = "text") -> str:
    """``tracker diff a`` between two versions committed to a real repository."""
    repo.commit({"a.md": doc("Alpha", old)}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("Alpha", new)}, "Edit", "2024-02-01T09:00:00+00:00")
    return committed(repo, fmt)


def committed(repo: ManualRepo, fmt: str = "text") -> str:
    """``tracker diff a`` between the versions ``terminal`` committed."""
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "diff", "a", "--repo", str(repo.path),
         "--from", "2024-01-01", "--to", "2024-02-01", "--format", fmt],
        capture_output=True, text=True, check=False, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("Staff kept a record.", "Staff **kept** a record.", "Staff [-kept-]{+**kept**+} a record."),
        ("Staff **kept** a record.", "Staff kept a record.", "Staff [-**kept**-]{+kept+} a record."),
        ("Staff kept a record.", "Staff *kept* a record.", "Staff [-kept-]{+_kept_+} a record."),
        ("Use the form.", "Use the `form`.", "Use the [-form-]{+`form`+}."),
        ("Staff kept a record.", "Staff ***kept*** a record.", "Staff [-kept-]{+**_kept_**+} a record."),
        ("Staff **kept** it.", "Staff *kept* it.", "Staff [-**kept**-]{+_kept_+} it."),
    ],
)  # fmt: skip
def test_a_word_whose_formatting_alone_changed_shows_its_new_formatting(
    repo: ManualRepo, old: str, new: str, line: str
):
    out = terminal(repo, old, new)
    assert line in out.splitlines(), out
    assert "Revised: the opening text." in out.splitlines()[1]  # (the summary)


def test_a_link_put_around_the_same_words_shows_its_address(repo: ManualRepo):
    out = terminal(repo, "Read the guide first.", "Read [the guide](https://a.example/g) first.")
    assert "Read [-the guide-]{+[the guide](https://a.example/g)+} first." in out.splitlines()
    assert "1 link added." in out.splitlines()[1]


def test_a_plain_change_beside_a_change_of_formatting(repo: ManualRepo):
    out = terminal(repo, "Staff kept a record.", "Staff **kept** the record.")
    assert "Staff [-kept a-]{+**kept** the+} record." in out.splitlines(), out
    out = diff_text(diff_documents("Staff kept a record.\n", "Staff **kept a** new record.\n"))
    assert "Staff [-kept a-]{+**kept a** new+} record." in out.splitlines(), out


def test_bold_that_now_reaches_one_more_word_marks_that_word():
    out = diff_text(diff_documents("Staff **kept** a record.\n", "Staff **kept a** record.\n"))
    assert "[-a-]" in out and "{+**a**+}" in out, out
    out = diff_text(diff_documents("Staff **kept a** record.\n", "Staff **kept** a record.\n"))
    assert "[-**a**-]" in out and "{+a+}" in out, out


def test_bold_stretched_over_a_word_reads_with_no_stray_space(repo: ManualRepo):
    """Each side of such a change starts (or ends) with the space before the word: it read
    ``kept [-words-] {+**words**+}``, a space between the two marks as if a word stood there."""
    out = terminal(repo, "Staff **kept** words here.", "Staff **kept words** here.")
    assert "Staff kept [-words-]{+**words**+} here." in out.splitlines(), out
    for old, new, line in (
        ("**kept** words\n", "**kept words**\n", "kept [-words-]{+**words**+}"),
        ("Staff **kept words** here.\n", "Staff **kept** words here.\n",
         "Staff kept [-**words**-]{+words+} here."),
        ("Staff words **kept** here.\n", "Staff **words kept** here.\n",
         "Staff [-words-]{+**words**+} kept here."),
        ("Staff *kept* words here.\n", "Staff *kept words* here.\n",
         "Staff kept [-words-]{+_words_+} here."),
        ("| a |\n|---|\n| **x** y |\n", "| a |\n|---|\n| **x y** |\n", "| x [-y-]{+**y**+} |"),
    ):  # fmt: skip
        assert line in diff_text(diff_documents(old, new)).splitlines()
    coloured = diff_text(diff_documents("**kept** words\n", "**kept words**\n"), colour=True)
    assert "kept \x1b[31m[-words-]\x1b[0m\x1b[32m{+**words**+}\x1b[0m" in coloured.splitlines()


def test_formatting_both_versions_share_is_not_marked():
    """A word changed inside bold or a link: its formatting is no part of the change."""
    for old, new, line in (
        ("Staff **kept a** record.\n", "Staff **kept the** record.\n", "Staff kept [-a-]{+the+} record."),
        ("Read [the guide](http://x) now.\n", "Read [the new guide](http://x) now.\n",
         "Read the {+new+} guide now."),
        ("Call **999** now.\n", "Call **999** at once.\n", "Call 999 [-now-]{+at once+}."),
    ):  # fmt: skip
        assert line in diff_text(diff_documents(old, new)).splitlines()


def test_formatting_added_inside_formatting_both_share_shows_what_was_added():
    for old, new, line in (
        ("Read **the guide** now.\n", "Read **the *guide*** now.\n", "Read the [-guide-]{+_guide_+} now."),
        ("Read [the guide](http://x) now.\n", "Read [the *new* guide](http://x) now.\n",
         "Read the {+_new_+} guide now."),
        ("a 2 b\n", "a <sup>2</sup> b\n", "a [-2-]{+^2^+} b"),
    ):  # fmt: skip
        assert line in diff_text(diff_documents(old, new)).splitlines()


def test_new_text_shows_its_formatting_and_code_blocks_take_no_marks():
    out = diff_text(diff_documents("Call now.\n", "Call **999** now.\n\nThen `wait`.\n"))
    assert "Call {+**999**+} now." in out.splitlines(), out
    assert "{+Then `wait`.+}" in out.splitlines(), out
    code = diff_text(diff_documents("```\nrun it\n```\n", "```\nrun it now\n```\n"))
    assert "`" not in code, code


def test_a_heading_whose_formatting_changed_is_a_revised_section(repo: ManualRepo):
    out = terminal(repo, "## Kept here\n\nText.", "## **Kept** here\n\nText.")
    assert out.splitlines()[1] == "Revised: Kept here. 1 word added, 1 removed.", out
    assert "## [-Kept-]{+**Kept**+} here" in out.splitlines()
    same = diff_documents('## a <abbr title="x">DBS</abbr>\n', '## a <abbr title="y">DBS</abbr>\n')
    assert diff_text(same).splitlines()[0] != "No changes."


@pytest.mark.parametrize(
    ("old", "new", "note", "summary"),
    [
        ('Read [the guide](https://a.example/g "Old title") first.',
         'Read [the guide](https://a.example/g "New title") first.',
         "The link “the guide” now has the title “New title” (it was “Old title”).",
         "1 link has a new title."),
        ('The <abbr title="Designated Safeguarding Lead">DSL</abbr> decides.',
         'The <abbr title="Deputy Safeguarding Lead">DSL</abbr> decides.',
         "The abbreviation “DSL” now stands for “Deputy Safeguarding Lead” (it stood for "
         "“Designated Safeguarding Lead”).",
         "1 abbreviation now stands for something else."),
    ],
)  # fmt: skip
def test_a_title_alone_changed_is_said_in_every_view(
    repo: ManualRepo, old: str, new: str, note: str, summary: str
):
    """A link's or an abbreviation's title (what the page shows on hovering) that alone
    changed made its section "Revised" with nothing marked to say what changed: it is said in
    words, as a link's new address is, in the terminal, the JSON and the page."""
    out = terminal(repo, old, new)
    assert out.splitlines()[1] == f"Revised: the opening text. {summary}", out
    assert f"    ({note})" in out.splitlines(), out
    data = json.loads(committed(repo, "json"))["diff"]
    assert data["blocks"][1]["notes"] == [note]
    assert summary in data["summary"]["text"]
    client = TestClient(create_app(open_manual(repo.path), date(2024, 6, 1)))
    response = client.get("/chapters/a/diff?from=2024-01-01&to=2024-02-01")
    assert response.status_code == 200
    assert f'<span class="diff-note">{note}</span>' in response.text


def test_each_block_using_an_abbreviation_that_changed_says_it_once():
    """Each use carries its own title (there is no definition on the page to mark): each
    block whose uses changed says so, once however often it uses it (docs/decisions.md)."""
    use = '<abbr title="{}">DSL</abbr>'
    old, new = (
        f"The {use} and the {use} act.\n\nAsk the {use}.\n\nNo abbreviation here.\n".format(
            *[t] * 3
        )
        for t in ("Designated Safeguarding Lead", "Deputy Safeguarding Lead")
    )
    diff = diff_documents(old, new)
    said = "The abbreviation “DSL” now stands for “Deputy Safeguarding Lead” (it stood for “Designated Safeguarding Lead”)."
    assert [change.notes for change in diff.changes] == [(said,), (said,), ()]
    assert summarise(diff).text() == (
        "Revised: the opening text. 1 abbreviation now stands for something else."
    )
    gone = diff_documents('A <abbr title="x">DSL</abbr>.\n', "A <abbr>DSL</abbr>.\n")
    assert gone.changes[0].notes == (
        "The abbreviation “DSL” no longer says what it stands for (it stood for “x”).",
    )


def test_a_link_title_that_came_or_went_is_said_and_a_moved_blocks_link_too():
    came = diff_documents("Read [the guide](u) now.\n", 'Read [the guide](u "T") now.\n')
    assert came.changes[0].notes == ("The link “the guide” now has the title “T” (it had none).",)
    went = diff_documents('Read [the guide](u "T") now.\n', "Read [the guide](u) now.\n")
    assert went.changes[0].notes == ("The link “the guide” now has no title (it was “T”).",)
    first = "First paragraph, long enough to be moved."
    second = 'Second, [a link](u "{}") in it.'
    old = f"{first}\n\n{second.format('Old')}\n\nLast.\n"
    new = f"{second.format('New')}\n\n{first}\n\nLast.\n"
    moved = next(c for c in diff_documents(old, new).changes if c.status == "moved")
    assert moved.notes[1:] == ("The link “a link” now has the title “New” (it was “Old”).",)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Staff <b>kept</b> a record.", "Staff <strong>kept</strong> a record."),
        ("Staff <b>kept</b> a record.", "Staff **kept** a record."),
        ("Staff <i>kept</i> a record.", "Staff <em>kept</em> a record."),
        ("Staff <i>kept</i> a record.", "Staff *kept* a record."),
        ("## <b>Kept</b> here\n\nText.", "## __Kept__ here\n\nText."),
        ("- <b><i>kept</i></b> it", "- ***kept*** it"),
    ],
)
def test_tags_that_look_the_same_are_no_change(repo: ManualRepo, old: str, new: str):
    """``<b>`` and ``<strong>``, ``<i>`` and ``<em>``, look the same on the page: one written
    for the other is no change (it read as ``[-**kept**-]{+**kept**+}``, "Revised")."""
    out = terminal(repo, old, new)
    assert out.splitlines()[1] == "No changes.", out
    data = json.loads(committed(repo, "json"))["diff"]
    assert data["identical"] and data["summary"]["text"] == "No changes.", data
    html = diff_html(diff_documents(old, new))
    assert "<ins" not in html and "<del" not in html and "diff-changed" not in html, html


def test_tags_that_look_different_are_still_a_change():
    for old, new, line in (
        ("Staff <b>kept</b> it.\n", "Staff <i>kept</i> it.\n", "Staff [-**kept**-]{+_kept_+} it."),
        ("Staff <i>kept</i> it.\n", "Staff **kept** it.\n", "Staff [-_kept_-]{+**kept**+} it."),
        ("Staff <b>kept</b> a record.\n", "Staff **kept** the record.\n",
         "Staff kept [-a-]{+the+} record."),
    ):  # fmt: skip
        out = diff_text(diff_documents(old, new))
        assert line in out.splitlines(), out
        assert out.splitlines()[0].startswith("Revised: the opening text."), out
    shown = diff_html(diff_documents("Staff <b>kept</b> it.\n", "Staff <i>kept</i> it.\n"))
    kept = '<del><span class="vh">deleted text: </span><b>kept</b></del><i><ins class="diff-next">'
    assert kept in shown


def test_the_html_view_is_as_it_was():
    html = diff_html(diff_documents("Staff kept a record.\n", "Staff **kept** a record.\n"))
    assert (
        'Staff <del><span class="vh">deleted text: </span>kept</del><strong><ins class="diff-next">'
        '<span class="vh">inserted text: </span>kept</ins></strong> a record.'
    ) in html


def test_json_segments_keep_their_plain_text_and_say_the_formatting_that_changed(
    repo: ManualRepo,
):
    """A word only made bold read in JSON as the same word deleted and inserted: a segment
    whose formatting is part of the change says it as the terminal does ("marked")."""
    data = json.loads(terminal(repo, "Staff kept a record.", "Staff **kept** a record.", "json"))
    segments = data["diff"]["blocks"][1]["segments"]
    assert segments == [
        {"op": "=", "text": "Staff "}, {"op": "-", "text": "kept"},
        {"op": "+", "text": "kept", "marked": "**kept**"}, {"op": "=", "text": " a record."},
    ]  # fmt: skip


def test_json_segments_say_nothing_more_where_formatting_is_not_part_of_the_change():
    data = diff_json(diff_documents("**Staff kept** a record.\n", "**Staff made** a record.\n"))
    assert all("marked" not in segment for b in data["blocks"] for segment in b["segments"])


WORD = st.sampled_from(["child", "must", "report", "the", "harm", "999", "risk", "police"])
FORMATS = st.sampled_from(
    ["{}", "**{}**", "*{}*", "`{}`", "***{}***", "[{}](https://example.org/a)", "<sup>{}</sup>"]
)


@st.composite
def restyled(draw: st.DrawFn) -> tuple[str, str]:
    """A paragraph, and the same words in other formatting."""
    words = draw(st.lists(WORD, min_size=1, max_size=6))
    old, new = ([draw(FORMATS).format(word) for word in words] for _ in range(2))
    return " ".join(old) + "\n", " ".join(new) + "\n"


@settings(max_examples=200, deadline=None)
@given(restyled())
def test_no_word_reads_as_replaced_by_itself(pair: tuple[str, str]):
    """The bug: ``[-kept-]{+kept+}``, with nothing to say what changed."""
    out = diff_text(diff_documents(*pair))
    assert not re.search(r"\[-([^\]]*?)-\]\{\+\1\+\}", out), out
    if pair[0] != pair[1]:
        assert out.splitlines()[0] != "No changes.", out


LOOKS = st.sampled_from(
    ["{}", "**{}**", "*{}*", "<b>{}</b>", "<i>{}</i>", "<strong>{}</strong>", "<em>{}</em>",
     "<b>{} <i>x</i></b>", "<strong><em>{}</em></strong>"]
)  # fmt: skip


def as_strong(source: str) -> str:
    """The same text with ``<b>`` and ``<i>`` written as ``<strong>`` and ``<em>``."""
    for short, long in (("b", "strong"), ("i", "em")):
        source = source.replace(f"<{short}>", f"<{long}>").replace(f"</{short}>", f"</{long}>")
    return source


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(WORD, LOOKS, LOOKS), min_size=1, max_size=6))
def test_b_and_i_read_as_strong_and_em_in_every_diff(words: list[tuple[str, str, str]]):
    """Whatever else changed, a version with ``<b>`` and ``<i>`` diffs, in the terminal and
    the JSON, as the same version written with ``<strong>`` and ``<em>``."""
    old, new = (" ".join(looks[side].format(w) for w, *looks in words) + "\n" for side in (0, 1))
    written = diff_documents(old, new)
    alike = diff_documents(as_strong(old), as_strong(new))
    assert diff_text(written) == diff_text(alike)
    assert diff_json(written) == diff_json(alike)
