"""Each side of a diff holds exactly the words of its version (issue 11, docs/decisions.md).

The oracle (tests/oracle.py) reads Python-Markdown's rendering of the whole version; the diff is
rendered chunk by chunk, cut into blocks, aligned and word-diffed, then shown as HTML and JSON.
Hypothesis writes documents with inline formatting inside list items, table cells and quotes,
and edits them the ways authors do.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle import assert_reads_as, document_words, rendered_html

from tracker.trackchanges.blocks import parse_blocks
from tracker.trackchanges.compare import diff_documents
from tracker.trackchanges.textviews import diff_json, diff_text
from tracker.trackchanges.views import diff_html

# --- documents --------------------------------------------------------------------------------

PLAIN = st.sampled_from(
    [
        "child", "must", "should", "police", "report", "the", "a", "harm", "999", "risk",
        "Safeguarding", "co-operate", "can't", "github.com", "(see", "below)", "“Early", "Help”",
        "1.Definitions.", "e.g.", "£5", "section", "17", "LADO",
    ]
)  # fmt: skip
PUNCTUATION = st.sampled_from([",", ".", ":", ";", "!", "?", ")", "”", "'s"])
INLINE = st.one_of(
    PLAIN,
    PLAIN.map(lambda w: f"**{w}**"),
    PLAIN.map(lambda w: f"*{w}*"),
    PLAIN.map(lambda w: f"_{w}_"),
    PLAIN.map(lambda w: f"`{w}`"),
    st.tuples(PLAIN, PLAIN).map(lambda t: f"[{t[0]} {t[1]}](https://example.org/{len(t[1])})"),
    PLAIN.map(lambda w: f"![{w}](images/{len(w)}.png)"),
    PLAIN.map(lambda w: f"<sup>{w}</sup>"),
    st.sampled_from(["&amp;", "&copy;", "&lt;", "AT&amp;T", "&#8217;"]),
    st.just("[^1]"),
)
GLUE = st.sampled_from([" ", " ", " ", "", "  "])


@st.composite
def inline_text(draw: st.DrawFn, max_pieces: int = 6) -> str:
    """Words and inline formatting, sometimes touching, sometimes followed by punctuation."""
    pieces = draw(st.lists(INLINE, min_size=1, max_size=max_pieces))
    text = pieces[0]
    for piece in pieces[1:]:
        text += draw(GLUE) + piece
        if draw(st.booleans()) and draw(st.booleans()):
            text += draw(PUNCTUATION)
    return text


TEXT = inline_text()
CELL = st.one_of(
    TEXT, st.tuples(TEXT, TEXT).map("<br><br>".join), st.tuples(TEXT, TEXT).map("<br>".join)
)


@st.composite
def table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 3))
    rows = draw(
        st.lists(st.lists(CELL, min_size=columns, max_size=columns), min_size=1, max_size=4)
    )
    head = "| " + " | ".join(f"H{n}" for n in range(columns)) + " |"
    rule = "|" + "---|" * columns
    return "\n".join([head, rule, *("| " + " | ".join(row) + " |" for row in rows)])


@st.composite
def bullet_list(draw: st.DrawFn) -> str:
    marker = draw(st.sampled_from(["-", "*", "1."]))
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        lines.append(f"{marker} {draw(TEXT)}")
        for _ in range(draw(st.integers(0, 2))):
            lines.append(f"    - {draw(TEXT)}")
            if draw(st.booleans()) and draw(st.booleans()):
                lines.append(f"        1. {draw(TEXT)}")
    return "\n".join(lines)


BLOCK = st.one_of(
    TEXT,
    st.tuples(st.integers(1, 6), TEXT).map(lambda t: "#" * t[0] + " " + t[1]),
    bullet_list(),
    table(),
    TEXT.map(lambda s: f"> {s}"),
    st.tuples(TEXT, TEXT).map(lambda t: f"> {t[0]}\n>\n> - {t[1]}"),
    st.tuples(TEXT, TEXT).map(lambda t: f"{t[0]}  \n{t[1]}"),
    PLAIN.map(lambda w: f"```\n{w}  x\n    {w}\n```"),
    PLAIN.map(lambda w: f"<div>{w} here</div>"),
    st.tuples(TEXT, TEXT).map(lambda t: f"<div>\n\n{t[0]}\n\n<p>{t[1]}</p>\n\n</div>"),
    st.just("---"),
)
DOCUMENT = st.lists(BLOCK, max_size=7).map(lambda blocks: "\n\n".join(blocks) + "\n")

# --- edits ------------------------------------------------------------------------------------

EDITS = [
    (" ,", ","), (",", " ,"), ("1.Definitions.", "1. Definitions."), (". ", "."), (" ", "  "),
    ("**", "__"), ("*", "_"), ("\n", "  \n"), ("\n", " \n"), ("\n\n", "\n\n\n"), ("<br><br>", "<br>"),
    ("<br>", " "), ("must", "should"), ("the ", ""), (" risk", " high risk"), ("**", ""),
    ("github.com", "gov.uk"), ("&amp;", "and"), ("](https://example.org/", "](https://example.com/"),
    ("- ", "1. "), ("`", ""), ("x\n", "x\n\n"), ("  x", " x"), ("\n    ", "\n      "),
]  # fmt: skip


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    """A document and a version of it with a few of the edits authors make."""
    old = draw(DOCUMENT)
    new = old
    for _ in range(draw(st.integers(1, 3))):
        before, after = draw(st.sampled_from(EDITS))
        places = [i for i in range(len(new)) if new.startswith(before, i)]
        if places:
            at = draw(st.sampled_from(places))
            new = new[:at] + after + new[at + len(before) :]
    return (old, new) if draw(st.booleans()) else (new, old)


PAIRS = st.one_of(edited(), st.tuples(DOCUMENT, DOCUMENT))


def leaked(html: str) -> bool:
    """Whether Python-Markdown left (a part of) a placeholder of its own, "\x02klzzwxh:0001\x03",
    in what it rendered (see below)."""
    return re.search(r"[\x02\x03]|klz|wxh:\d", html) is not None


def check_both_sides(old: str, new: str) -> None:
    """The oracle on both sides of the HTML and of the JSON."""
    diff = diff_documents(old, new, seconds=60)
    assert_reads_as(diff_html(diff), diff_json(diff), document_words(old), document_words(new))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAIRS)
def test_each_side_of_a_diff_holds_the_words_of_its_version(pair: tuple[str, str]):
    # Python-Markdown itself can leave a placeholder of its own in the text (`*a**b*`c``
    # renders "*a<strong>b</strong>klzzwxh:0001"), numbered by what came before in the
    # document: the diff cannot say the same of it, nor should a reader see it. Emphasis can
    # cut the placeholder itself (`_*a**` renders "_<em>a</em><strong>klzz</strong>h:0006", and
    # `_*a**  `b`` "<strong> \x02klz</strong>xh:0001\x03"): some part of it is left.
    assume(not leaked(rendered_html(pair[0]) + rendered_html(pair[1])))
    check_both_sides(*pair)


def respaced(blocks: list[str]) -> str:
    """The same document with only its source respaced: a space at the end of each line
    outside code, and blank lines doubled between blocks."""
    lines: list[str] = []
    fenced = False
    for line in "\n\n\n".join(blocks).split("\n"):
        fenced ^= line.startswith("```")
        lines.append(line + " " if line and (not fenced or line.startswith("```")) else line)
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BLOCK, max_size=7))
def test_a_change_to_the_source_alone_is_no_change(blocks: list[str]):
    old, new = "\n\n".join(blocks) + "\n", respaced(blocks)
    # (Python-Markdown's leaked placeholder, numbered by what came before: see above)
    assume(not leaked(rendered_html(old) + rendered_html(new)))
    diff = diff_documents(old, new)
    assert diff.identical, diff_html(diff)


# --- what the issue saw -----------------------------------------------------------------------


def test_inline_elements_in_list_items_keep_their_spacing():
    source = dedent("""\
        - located at [github.com](https://github.com/), and
        - see "[Tracking changes](#tracking)"
        - **Appeal**: text
        - foo**bar**
        """)
    blocks = parse_blocks(source)
    assert [block.text for block in blocks] == [
        "located at github.com, and",
        'see "Tracking changes"',
        "Appeal: text",
        "foobar",
    ]
    assert blocks[0].html == 'located at <a href="https://github.com/">github.com</a>, and'
    check_both_sides(source, source.replace(", and", ", or"))


def test_line_breaks_in_table_cells_keep_words_apart_in_json():
    old = "| Step | Note |\n|---|---|\n| 1 | Service.<br><br>As agreed |\n"
    (_, row) = diff_json(diff_documents(old, old.replace("agreed", "planned")))["blocks"]
    assert row["old"] == "1 Service. As agreed"
    assert row["new"] == "1 Service. As planned"
    assert row["segments"] == [
        {"op": "=", "text": "1\tService.\n\nAs "},
        {"op": "-", "text": "agreed"},
        {"op": "+", "text": "planned"},
    ]


def test_white_space_that_changes_the_text_is_marked():
    diff = diff_documents(
        "See clause 1.Definitions. Call this , then that.\n",
        "See clause 1. Definitions. Call this, then that.\n",
    )
    assert diff_html(diff) == dedent("""\
        <div class="diff">
        <p class="diff-changed">See clause 1.<ins class="diff-space"><span class="vh">inserted space</span> </ins>Definitions. Call this<del class="diff-space"><span class="vh">deleted space</span> </del>, then that.</p>
        </div>""")
    assert diff_text(diff).splitlines()[-1] == (
        "See clause 1.{+ +}Definitions. Call this[- -], then that."
    )


def test_a_line_break_that_comes_or_goes_is_marked():
    diff = diff_documents("Ring the team.  \nOr the police.\n", "Ring the team.Or the police.\n")
    assert diff_html(diff) == dedent("""\
        <div class="diff">
        <p class="diff-changed">Ring the team.<del class="diff-space"><span class="vh">deleted line break</span><span aria-hidden="true">↵</span></del>Or the police.</p>
        </div>""")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Staff record the concern.\n", "Staff record the concern.   \n"),
        ("Staff record\nthe concern.\n", "Staff record \nthe concern.\n"),
        ("Staff record the concern.\n", "Staff  record\nthe   concern.\n"),
        ("Staff *must* act.\n", "Staff _must_ act.\n"),
        ("Staff **must** act.\n", "Staff __must__ act.\n"),
        ("One.\n\nTwo.\n", "One.\n\n\n\nTwo.\n"),
        ("- call\n- tell\n", "- call\n\n- tell\n"),
        ("- one\n    - two\n", "* one\n    + two\n"),
        ("| A | B |\n|---|---|\n| x | y |\n", "|A|B|\n|-|-|\n|x|y|\n"),
        ("> Quoted words\n> here.\n", "> Quoted words\nhere.\n"),
    ],
    ids=["trailing", "line-end", "rewrapped", "em", "strong", "blank", "loose", "bullets", "table",
         "lazy"],
)  # fmt: skip
def test_no_mark_where_only_the_source_changed(old: str, new: str):
    diff = diff_documents(old, new)
    assert diff.identical
    assert "<ins" not in diff_html(diff) and "<del" not in diff_html(diff)


def test_formatting_that_comes_or_goes_is_marked_on_its_words():
    html_out = diff_html(diff_documents("Call **999** now.\n", "Call 999 now.\n"))
    assert html_out.splitlines()[1] == (
        '<p class="diff-changed">Call <del><span class="vh">deleted text: </span>'
        '<strong>999</strong></del><ins class="diff-next"><span class="vh">inserted text: '
        "</span>999</ins>"
        " now.</p>"
    )
    html_out = diff_html(diff_documents("Staff must act.\n", "Staff **must** act.\n"))
    assert '<strong><ins class="diff-next">' in html_out and "<del>" in html_out


def test_a_paragraph_parted_where_it_had_no_space_is_shown_old_then_new():
    old = "Call now.Then write it down in the file today.\n"
    new = "Call now.\n\nThen write it down in the file today.\n"
    assert {change.status for change in diff_documents(old, new).changes} == {"rewritten"}
    check_both_sides(old, new)
    spaced = "<strong>Call now.</strong> Then write it down in the file today.\n"
    parted = "<strong>Call now.</strong>\n\nThen write it down in the file today.\n"
    assert [change.status for change in diff_documents(spaced, parted).changes] == ["split"] * 2
    check_both_sides(spaced, parted)


def test_a_moved_item_whose_paragraphs_were_joined_is_shown_whole_where_it_now_is():
    old = dedent("""\
        ## A

        - alpha one two three four five six seven eight

            nine ten eleven twelve thirteen fourteen

        ## B

        Text of B stays.
        """)
    new = dedent("""\
        ## A

        ## B

        Text of B stays.

        - alpha one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        """)
    diff = diff_documents(old, new)
    moved = next(change for change in diff.changes if change.status == "moved")
    assert [op for op, _ in moved.ops] == ["+"]
    (block,) = [block for block in diff_json(diff)["blocks"] if block["status"] == "moved"]
    assert block["old"] == block["new"] == moved.new.text
    check_both_sides(old, new)


# --- code keeps its lines ---------------------------------------------------------------------


class _Code(HTMLParser):
    """The exact text of one side of a diffed code block.

    A line break's sign (``aria-hidden``) is seen on the old side only in a deletion, where it
    stands for the line break that is not there; on the new side a real one follows it.
    """

    def __init__(self, side: str) -> None:
        super().__init__(convert_charrefs=True)
        self.side, self.other = side, {"old": "ins", "new": "del"}[side]
        self.hidden: list[bool] = []
        self.sign: list[bool] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        hidden = (bool(self.hidden) and self.hidden[-1]) or tag == self.other
        self.hidden.append(hidden or values.get("class") == "vh" or "aria-hidden" in values)
        self.sign.append("aria-hidden" in values and not hidden)

    def handle_endtag(self, tag):
        self.hidden.pop()
        self.sign.pop()

    def handle_data(self, data):
        if self.sign and self.sign[-1]:
            self.text += "\n" if self.side == "old" else ""
        elif not (self.hidden and self.hidden[-1]):
            self.text += data


def code_text(rendered: str) -> str:
    return html.unescape(re.search(r"<code>(.*)</code>", rendered, re.S).group(1))


def code_side(rendered: str, side: str) -> str:
    parser = _Code(side)
    parser.feed(re.search(r"<code>(.*)</code>", rendered, re.S).group(1))
    return parser.text


CODE_LINE = st.lists(st.sampled_from(["x", "=", "1", "call()", "if", "  ", " "]), max_size=5).map(
    "".join
)


@settings(max_examples=150, deadline=None)
@given(st.lists(CODE_LINE, min_size=1, max_size=6), st.lists(CODE_LINE, min_size=1, max_size=6))
def test_code_reads_exactly_as_each_version_with_the_new_lines_kept(old: list[str], new: list[str]):
    old_source, new_source = ("```\n" + "\n".join(lines) + "\n```\n" for lines in (old, new))
    diff = diff_documents(old_source, new_source)
    rendered = diff_html(diff)
    if [change.status for change in diff.changes] == ["changed"]:
        # The code as rendered (Python-Markdown empties lines of spaces alone).
        assert code_side(rendered, "old") == code_text(rendered_html(old_source))
        assert code_side(rendered, "new") == code_text(rendered_html(new_source))
        # A deleted line break is shown by its sign, never as a second line break.
        assert all("\n" not in part for part in re.findall(r"<del\b.*?</del>", rendered, re.S))


def test_a_white_space_change_in_code_shows_no_line_twice():
    old = "```\nif x:\n    call()\n```\n"
    new = "```\nif x:\n  call()\n\n```\n"
    assert diff_html(diff_documents(old, new)) == dedent("""\
        <div class="diff">
        <pre class="diff-changed"><code>if x:
        <del class="diff-space"><span class="vh">deleted space</span>    </del><ins class="diff-space"><span class="vh">inserted space</span>  </ins>call()
        <ins class="diff-space"><span class="vh">inserted line break</span><span aria-hidden="true">↵</span>
        </ins></code></pre>
        </div>""")


@pytest.mark.parametrize(
    ("old", "new"),
    [("a&nbsp;b\n", "a b\n"), ("a b c\n", "a b&nbsp;c\n"), ("a\u2003b\n", "a b\n"),
     ("a b\n", "a \u2003b\n")],
)  # fmt: skip
def test_a_space_a_browser_shows_as_written_is_marked_when_it_changes(old: str, new: str):
    """A no-break or em space is not folded: its coming or going shows, so it is marked."""
    html = diff_html(diff_documents(old, new, 5.0))
    assert "<ins" in html or "<del" in html, html


def test_a_link_whose_address_changed_leaves_no_empty_deletion():
    for old, new in (("[a](http://x)b\n", "[a](http://y)b\n"),
                     ("[a **b**](http://x) c\n", "[a **b**](http://y) c d\n")):  # fmt: skip
        html = diff_html(diff_documents(old, new, 5.0))
        assert not re.search(r"<del>(<span class=\"vh\">[^<]*</span>)?</del>", html), html
