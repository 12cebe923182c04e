"""The quicker reading of a document's chunks gives exactly the blocks the plain reading gives.

The plain reading (the reference here) converts each chunk alone with every inline pattern of
Python-Markdown, sanitises it and reads it with ``HTMLParser``. The diff converts many chunks
at once with a separator between them, leaves out the inline patterns that cannot match, and
reads the sanitised HTML with one pattern; its block diff leaves out the blocks only one
version has. Each must give what the plain way gives, on the corpus and on documents written
by Hypothesis to put every kind of chunk after every other.
"""

from __future__ import annotations

import random
from pathlib import Path

import markdown
import nh3
from corpus import corpus
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from oracle import assert_reads_as, document_words

from tracker.trackchanges import blocks
from tracker.trackchanges import chunks as chunks_module
from tracker.trackchanges.blocks import (
    EXTENSIONS,
    SEPARATOR,
    Chunk,
    _clean,
    render_chunks,
)
from tracker.trackchanges.chunks import document_chunks
from tracker.trackchanges.compare import diff_documents
from tracker.trackchanges.flat import flat_blocks, flat_pieces
from tracker.trackchanges.plainread import without_header
from tracker.trackchanges.text import Block
from tracker.trackchanges.textviews import diff_json
from tracker.trackchanges.tree import html_tree, parsed_tree, tree_blocks
from tracker.trackchanges.views import diff_html
from tracker.trackchanges.wordiff import (
    DELETE,
    EQUAL,
    INSERT,
    LONG,
    Deadline,
    diff_items,
    diff_tokens,
)

ROOT = Path(__file__).resolve().parent.parent


def reference(chunk: Chunk) -> tuple[Block, ...]:
    """A chunk read the plain way: a converter of its own with every pattern, HTMLParser."""
    converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    text = chunk.text + ("\n\n" + chunk.references if chunk.references else "")
    found = tree_blocks(parsed_tree(_clean(converter.convert(text))))
    return without_header(found) if chunk.continues_table else found


def assert_read_as_alone(source: str) -> None:
    chunks = list({chunk.key: chunk for chunk in document_chunks(source)}.values())
    blocks._RENDERED.clear()
    for chunk, found in zip(chunks, render_chunks(chunks), strict=True):
        assert found == reference(chunk), chunk.text
        assert blocks._RENDERED.get(chunk.key) == found  # and remembered as it was read


def test_the_corpus_and_the_demo_manual_read_as_each_chunk_alone():
    sources = [text for texts in corpus(8).values() for text in texts]
    sources += [path.read_text(encoding="utf-8") for path in (ROOT / "procedures").rglob("*.md")]
    for source in sources:
        assert_read_as_alone(source)


WORD = st.sampled_from(["child", "risk", "LADO", "co-operate", "can't", "17", "£5", "é"])
MARK = st.sampled_from(
    [
        "*", "**", "_", "__", "`", "\\", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&copy",
        "![", "  \n", "\t", "\r\n", "\x02", "|", "#", ":", "]:", "-", "1.", "~~~", "```",
    ]
)  # fmt: skip
INLINE = st.lists(st.one_of(WORD, WORD, MARK, st.just(" ")), min_size=1, max_size=12).map("".join)
BLOCK = st.one_of(
    INLINE,
    INLINE.map(lambda text: f"## {text}"),
    INLINE.map(lambda text: f"{text}\n===="),
    st.lists(INLINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(INLINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"1. {i}" for i in items)),
    INLINE.map(lambda text: f"- item\n\n    {text}"),
    INLINE.map(lambda text: f"> {text}"),
    INLINE.map(lambda text: f"    {text}"),
    INLINE.map(lambda text: f"| A | B |\n|---|---|\n| {text} | x |"),
    INLINE.map(lambda text: f"```\n{text}\n```"),
    INLINE.map(lambda text: f"```\n{text}"),  # never closed
    INLINE.map(lambda text: f"<div>\n{text}\n</div>"),
    INLINE.map(lambda text: f"<div>\n{text}"),  # never closed
    INLINE.map(lambda text: f"[{text}]: https://example.org/a"),
    INLINE.map(lambda text: f"[a]: https://example.org/{len(text)}\n\nSee [a] and [{text}]."),
    st.just("---"),
    st.just("<!-- note"),
    st.just(SEPARATOR),
    INLINE.map(lambda text: f"[a]\x02: https://example.org/x\n\nSee [a] {text}."),  # joined
    INLINE.map(lambda text: f"`\x02``\n{text}\n`\x03``"),  # by the first step's drop
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BLOCK, max_size=8), st.sampled_from(["\n\n", "\n\n\n", "\n"]))
@example(["A.", "[![]: https://example.org/a", "B."], "\n\n")  # not a definition to Markdown
def test_any_chunks_read_as_each_alone(chunks: list[str], between: str):
    assert_read_as_alone(between.join(chunks) + "\n")


STEPS = ["table", "quote", "hashheader", "reference", "fenced_code_block", "html_block", "unescape"]


def left_out(text: str) -> set[str]:
    """The steps the converter for a text leaves out (inline: every inline pattern too)."""
    converter = blocks._converter(blocks._unused(text), blocks._unused_blocks(text))
    registries = (converter.preprocessors, converter.parser.blockprocessors,
                  converter.treeprocessors)  # fmt: skip
    return {name for name in [*STEPS, "inline"] if not any(name in r for r in registries)}


def test_a_conversion_leaves_out_the_steps_that_change_nothing_and_reads_as_alone():
    """A text with none of a step's characters is converted without it; chunks needing
    different steps are converted apart, and each reads as it does alone. The raw HTML step
    reads a character reference with no ";" ("&#38 ", which then stands for "&"), so a text
    with "&" keeps it."""
    assert left_out("Plain words, nothing more.") == {*STEPS, "inline"}
    assert left_out("Fish &#38 chips.") == {*STEPS} - {"html_block", "hashheader"}
    assert left_out("Half \\* a star.") == {*STEPS} - {"unescape"}
    assert left_out("## A heading | a pipe > a quote") == {
        "reference",
        "fenced_code_block",
        "html_block",
        "unescape",
        "inline",
    }
    chunks = ["Plain words.", "Fish &#38 chips, AT&T", "Half \\* a star.", "## Heading",
              "| A | B |\n|---|---|\n| x | y |", "> quoted", "See [a] there.\n\n[a]: /x",
              "Plain again.", "```\ncode\n```"]  # fmt: skip
    assert_read_as_alone("\n\n".join(chunks) + "\n")
    assert [b.text for b in blocks.parse_blocks("Fish &#38 chips.\n\nPlain.\n")] == [
        "Fish & chips.",
        "Plain.",
    ]
    # Python-Markdown's first step drops "\x02" and "\x03", joining what was either side of
    # them into a definition's "]:" or a fence: a text with them leaves nothing out (review)
    assert left_out("[a]\x02: https://example.org/x") == set()
    for joined in ("Intro.\n\n[a]\x02: https://example.org/x\n\nSee [a].\n",
                   "Intro.\n\n`\x02``\nrun(x*2, y*3)\n`\x02``\n",
                   "Intro.\n\n~\x02~~\ncode *x* here\n~\x02~~\n"):  # fmt: skip
        assert_read_as_alone(joined)


LABELS = st.sampled_from(["the policy", "glossary", "a"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LABELS, min_size=1, max_size=4), st.lists(LABELS, min_size=1, max_size=4),
       st.lists(INLINE, max_size=3))  # fmt: skip
@example(["the policy"], ["the policy", "glossary"], [])
def test_each_version_reads_its_own_reference_definitions(
    old_labels: list[str], new_labels: list[str], words: list[str]
):
    """Two versions defining the same labels with other targets: each version's chunks read
    as each alone with that version's definitions, however they are batched together."""

    def version(side: str, labels: list[str]) -> str:
        uses = [f"{side} {n}: see [{label}] and {w}." for n, label in enumerate(labels)
                for w in (words or ["more"])]  # fmt: skip
        defined = [f"[{label}]: https://{side}.example/{n}" for n, label in enumerate(labels)]
        return "\n\n".join(["# T", *uses, "\n".join(defined)]) + "\n"

    old, new = version("old", old_labels), version("new", new_labels)
    blocks._RENDERED.clear()
    olds, news, plain = blocks.parse_pair(old, new)
    assert not plain
    for source, found in ((old, olds), (new, news)):
        assert found == [b for chunk in document_chunks(source) for b in reference(chunk)]


WRITTEN = st.sampled_from(["The Policy", "the  policy", " glossary ", "GLOSSARY", "a", "b", "é"])
USE = st.sampled_from(
    [
        "[{}]",
        "[words][{}]",
        "[{}][]",
        "![alt][{}]",
        "[a [{}] b][c]",
        "[{}]\n",
        "> [x][{}]",
        "> > [{}][]",
    ]
)


def quoted(use: str, label: str) -> str:
    """In a block quote, the label broken over two lines of the quote."""
    return label.replace(" ", "\n" + use[: use.index("[")], 1) if use.startswith(">") else label


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(USE, WRITTEN, INLINE), max_size=6), st.lists(WRITTEN, max_size=5))
@example([("[{}]", "the  policy", "x")], ["The Policy"])
@example([("> [x][{}]", "The Policy", "x")], ["the policy"])
def test_a_chunk_reads_as_with_every_definition_of_its_document(
    uses: list[tuple[str, str, str]], labels: list[str]
):
    """Each chunk carries only the definitions whose label it writes in brackets (however
    its case and spaces are written), and reads as it would with all of them (a definition in
    a quotation counts for the whole document, as the page reads it: review)."""
    chunks = [use.format(quoted(use, label)) + f" {words}" for use, label, words in uses]
    defined = [f"[{label}]: https://example.org/{n}" for n, label in enumerate(labels)]
    quoted_too = [("> " * (n % 3)) + line for n, line in enumerate(defined)]  # (they count too)
    source = "\n\n".join(["# T", *chunks, *quoted_too]) + "\n"
    every = "\n".join(line for line in defined if chunks_module._REFERENCE.match(line))
    for chunk in document_chunks(source):
        assert reference(chunk) == reference(Chunk(chunk.text, every, chunk.continues_table))
    assert [c.references for c in document_chunks("[a]: /x\n\nNone.\n")] == ["[a]: /x", ""]


def test_a_chunk_holding_the_separator_is_read_alone():
    source = f"Before.\n\n{SEPARATOR}\n\nAfter {SEPARATOR}.\n"
    assert_read_as_alone(source)
    assert [b.text for b in blocks.parse_blocks(source)] == [
        "Before.",
        SEPARATOR,
        f"After {SEPARATOR}.",
    ]


TAGS = st.sampled_from(
    [
        "<p>", "</p>", '<a href="x&amp;y" title="a>b">', "<a href='q'>", "</a>", "<br>", "<br/>",
        "<li>", "</li>", "<ul>", "</ul>", "<pre>", "</pre>", '<img src="a" alt="b&quot;c">',
        "<em>", "</em>", '<td align="left">', "</td>", "<P>", "</P >", "<!-- c -->", "<", ">",
        "text", " ", "\n", "&amp;", "&nbsp;", "&lt;", "&#8217;", "&copy", "x>y",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(TAGS, max_size=20).map("".join))
def test_the_quick_tree_is_the_parsers_tree(fragment: str):
    for markup in (fragment, nh3.clean(fragment)):
        assert html_tree(markup).inner() == parsed_tree(markup).inner()


LINE = st.lists(st.one_of(MARK, WORD, st.sampled_from([" ", "   ", "    ", "<div>", "<p a>",
                                                      "~~~~", "[x]: y"])), max_size=6).map("".join)  # fmt: skip


@given(LINE)
@example("[x]: https://example.org")
@example("   <div>")
@example("  ~~~~")
@example("```python")
def test_a_line_that_starts_no_mark_starts_no_html_block_fence_or_definition(line: str):
    """The chunker looks for an HTML block, a fence or a reference definition only on a line
    whose first character after its spaces is one of _MARKS: none can start on another."""
    from tracker.trackchanges.chunks import _HTML_BLOCK, _MARKS, _OPEN_FENCE, _REFERENCE

    if _HTML_BLOCK.match(line) or _OPEN_FENCE.match(line) or _REFERENCE.match(line):
        assert line.lstrip(" ")[:1] in _MARKS


SHAPES = st.sampled_from(
    ["<p>", "</p>", "<h2>", "</h2>", "<ul>", "</ul>", "<ol>", '<ol start="3">', "</ol>", "<li>",
     "</li>", '<p lang="ur" dir="rtl">', '<h2 dir="rtl">', '<li lang="cy">', '<pre lang="a&amp;b">',
     "<table>", "</table>", "<thead>", "<tbody>", "<tr>", "</tr>", "<th>", "</th>", "<td>",
     "</td>", "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<hr>", "<dl>", "<dt>", "<dd>",
     "<em>", "</em>", "<strong>", "</strong>", '<a href="x&amp;y" title="t">', "</a>", "<br>",
     '<img src="a" alt="b">', "<code>", "</code>", "child", " ", "\n", "&amp;", "&lt;", "&nbsp;",
     "&quot;", "'", '"', ">", "é"]
)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(SHAPES, max_size=24).map("".join))
@example("<ul>\n<li>\n<p>a <em>b</em></p>\n<p>c</p>\n<ol>\n<li>d</li>\n</ol>\n</li>\n</ul>")
@example("<table>\n<thead>\n<tr>\n<th>A</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>b</td>\n</tr>")
@example(
    "<blockquote>\n<p>q</p>\nloose <em>text</em>\n</blockquote><pre><code>x\n</code></pre><hr>"
)
def test_the_cut_html_reads_as_the_tree(fragment: str):
    """Sanitised HTML cut into blocks where it is written as the tree would write it gives the
    tree's blocks; anything else is left to the tree (None)."""
    clean = nh3.clean(fragment, tags=blocks.ALLOWED_TAGS, attributes=blocks.ALLOWED_ATTRIBUTES)
    found = flat_blocks(clean)
    if found is not None:
        assert found == tree_blocks(html_tree(clean))
        # (numbers are not compared by ==: a step renumbered has not changed)
        tree = tree_blocks(html_tree(clean))
        assert [(b.number, b.spoken) for b in found] == [(b.number, b.spoken) for b in tree]
    pieces = flat_pieces(clean + f"<p>{SEPARATOR}</p>" + clean, SEPARATOR)
    if pieces is not None:
        assert found is not None and pieces == [found, found]


def test_the_corpus_is_cut_rather_than_built_into_a_tree():
    """The quicker reading is the one taken: for each chunk of the corpus and the demo manual
    but a few (character references kept as the sanitiser writes them, a no-break space...)."""
    chunks = {c.key: c for texts in corpus(2).values() for text in texts
              for c in document_chunks(text)}  # fmt: skip
    cut = 0
    for chunk in chunks.values():
        clean = _clean(markdown.Markdown(extensions=EXTENSIONS).convert(chunk.text))
        found = flat_blocks(clean)
        if found is not None:
            assert found == tree_blocks(html_tree(clean))
            cut += 1
    assert cut > 0.9 * len(chunks)


KEYS = st.lists(st.sampled_from("abcdef"), max_size=30)


def check_script(old: list[str], new: list[str], runs: list[tuple[str, int]]) -> int:
    """That the runs turn ``old`` into ``new``; how many keys they keep."""
    i = j = kept = 0
    for number, (op, count) in enumerate(runs):
        assert count > 0
        if number:
            assert (runs[number - 1][0], op) in {(EQUAL, DELETE), (EQUAL, INSERT),
                                                 (DELETE, INSERT), (DELETE, EQUAL),
                                                 (INSERT, EQUAL)}  # fmt: skip
        if op == EQUAL:
            assert old[i : i + count] == new[j : j + count]
            i, j, kept = i + count, j + count, kept + count
        elif op == DELETE:
            i += count
        else:
            j += count
    assert (i, j) == (len(old), len(new))
    return kept


@settings(max_examples=300, deadline=None)
@given(KEYS, KEYS, st.data())
def test_the_block_diff_keeps_every_key_that_was_not_replaced(
    old: list[str], extra: list[str], data: st.DataObject
):
    """A version whose blocks all changed but a few: each unchanged block is kept in place,
    however many blocks around it changed (as when every paragraph has a word changed)."""
    replaced = data.draw(st.lists(st.booleans(), min_size=len(old), max_size=len(old)))
    new = [f"{key}{number}'" if swap else key for number, (key, swap) in
           enumerate(zip(old, replaced, strict=True))] + [f"{k}+" for k in extra]  # fmt: skip
    kept = check_script(old, new, diff_items(old, new, Deadline(5)))
    assert kept == replaced.count(False)


@settings(max_examples=300, deadline=None)
@given(KEYS, KEYS)
def test_the_block_diff_is_a_script_from_one_version_to_the_other(old: list[str], new: list[str]):
    check_script(old, new, diff_items(old, new, Deadline(5)))


# --- a very long block ------------------------------------------------------------------------

SECTION = """## Section {n}

Practitioners **must** record the concern {n} on the child's file, and *should* discuss it.

- The police {n}
- The school {n}: see [the procedure](https://example.org/{n}).

| Agency | Action |
|---|---|
| GP {n} | Refer |
"""


def test_an_html_block_never_closed_reads_as_the_page_shows():
    """The rest of the document is the block, its Markdown shown as text (as Python-Markdown
    keeps it raw): each side reads as its version does, and only the changed words are marked,
    however long the block (longer than a chunk Python-Markdown is given otherwise)."""
    old = "Intro.\n\n<div>\n\n" + "\n".join(SECTION.format(n=n) for n in range(120))
    assert len(old) > blocks.MAX_CHUNK
    new = old.replace("concern 7 ", "worry 7 ").replace("GP 110 ", "nurse 110 ")
    diff = diff_documents(old, new)
    assert not diff.coarse
    data = diff_json(diff)
    assert_reads_as(diff_html(diff), data, document_words(old), document_words(new))
    marked = [(s["op"], s["text"]) for b in data["blocks"] for s in b["segments"] if s["op"] != "="]
    assert marked == [("-", "concern"), ("+", "worry"), ("-", "GP"), ("+", "nurse")]
    assert "## Section 7" in diff.new[-1].text  # shown as the page shows it, not as a heading


def replay(ops: list[tuple[str, list[str]]], keep: str) -> list[str]:
    return [token for op, tokens in ops if op in (EQUAL, keep) for token in tokens]


def test_a_long_block_is_diffed_a_sentence_at_a_time_and_marks_only_what_changed():
    rng = random.Random(8)
    words = ["child", "risk", "police", "school", "harm", "plan", "must", "the"]
    for _ in range(20):
        old: list[str] = []
        while len(old) < LONG + 500:
            old += [rng.choice(words), " "] if rng.random() > 0.1 else [".", " "]
        new = list(old)
        words_apart = [at for at in range(2, len(old) - 2, 10) if "." not in old[at - 2 : at + 3]]
        changed = rng.sample(words_apart, rng.randint(1, 40))
        for at in changed:
            new[at] = f"new{at}"
        ops = diff_tokens(old, new, Deadline(60))
        assert replay(ops, DELETE) == old
        assert replay(ops, INSERT) == new
        assert sorted(t for op, tokens in ops if op == INSERT for t in tokens) == sorted(
            f"new{at}" for at in changed
        )


def test_a_thread_keeps_a_bounded_number_of_converters_and_each_still_reads_right():
    """Texts lacking different characters ask for converters without different patterns:
    a thread keeps the newest CONVERTERS of them (review: unbounded, ~22 MB a thread)."""
    import itertools
    import threading

    sizes: list[int] = []
    marks = ["*e*", "`c`", "[l](x)", "<b>h</b>", "_u_", "&amp;", "\\*", "#", "|", ">"]

    def work() -> None:
        for size in (1, 2, 3):
            for some in itertools.combinations(marks, size):  # a paragraph each
                assert_read_as_alone("Text " + " ".join(some) + " end.\n")
        sizes.append(len(blocks._LOCAL.converters))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert sizes == [blocks.CONVERTERS]


def test_the_rendered_chunks_remembered_keep_to_their_bound_in_memory(monkeypatch):
    """A service remembers rendered chunks up to a bound in bytes of memory: it counted their
    source's characters, a nineteenth of what they take once compared, so a service working
    many diffs out grew by hundreds of megabytes."""
    import gc
    import tracemalloc

    bound = 2 * 2**20
    monkeypatch.setattr(blocks, "_RENDERED", blocks._Remembered(bound))
    chooser = random.Random(5)
    words = [f"w{n}" for n in range(5000)]

    def version() -> str:
        paragraphs = (" ".join(chooser.choices(words, k=60)) for _ in range(40))
        return "# Title\n\n" + "\n\n".join(
            f"- {p}" if n % 3 else p for n, p in enumerate(paragraphs)
        )

    tracemalloc.start()
    try:
        for _ in range(40):  # (each compared, as a diff compares them: their keys made)
            diff_documents(version(), version(), 10.0)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        blocks._RENDERED.clear()
        gc.collect()
        freed = held - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert blocks._RENDERED.size == 0
    assert bound / 2 < freed <= bound
