"""Three long procedure chapters and fifty-odd versions of each, written for the corpus test.

Everything comes from a seeded random generator, so every run builds the same versions: the
chapters are assembled from sentences a safeguarding partnership's procedures would hold
(numbered clauses, lists of links, tables with line breaks in cells, nested lists, quotes,
images, HTML blocks, character references), and each version makes a few of the edits authors
make: a word, a sentence, a clause renumbered, a row, a link, bold, a section moved, and the
edits that change only the source or only its spacing.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

AGENCIES = [
    "the police", "children's social care", "the school", "the health visitor", "the GP",
    "the LADO", "the early help team", "the youth offending service", "the designated nurse",
    "the named doctor", "the housing officer", "the probation service",
]  # fmt: skip
DUTIES = [
    "must record the concern on the child's file",
    "should discuss the concern with their designated safeguarding lead",
    "must make a referral to children's social care within one working day",
    "should seek consent unless doing so would place the child at risk",
    "must share information where there is reasonable cause to suspect significant harm",
    "should keep the child's wishes and feelings at the centre of the plan",
    "must not delay a referral to gather further evidence",
    "should record who was told, when and why",
    "must review the plan at least every three months",
    "should escalate the disagreement under the resolution protocol",
]
OPENINGS = [
    "Where a practitioner is worried about a child,",
    "If a child discloses abuse,",
    "Before a strategy discussion,",
    "When the threshold for a statutory assessment is met,",
    "Following a missing episode,",
    "Where the concern relates to a member of staff,",
    "In an emergency,",
    "Once the assessment is complete,",
]
AFTERTHOUGHTS = [
    "(see 2.Thresholds for the levels of need)",
    "in line with *Working Together to Safeguard Children 2023*",
    "using the **multi-agency referral form**",
    "and the outcome is recorded &amp; shared with the family",
    ", unless this would increase the risk",
    "as set out in section 4.2 , above",
    "— the “Was Not Brought” guidance applies",
    "(the child\u2019s own words should be used)",
]
LINKS = [
    ("NSPCC helpline", "https://www.nspcc.org.uk/keeping-children-safe/"),
    ("Working Together 2023", "https://www.gov.uk/government/publications/working-together"),
    ("Keeping Children Safe in Education", "https://www.gov.uk/government/publications/kcsie"),
    ("github.com", "https://github.com/"),
    ("Child Exploitation Toolkit", "https://example.org/procedures/exploitation-toolkit"),
    ("LADO referral form", "https://example.org/forms/lado-referral"),
    ("Early Help Assessment", "https://example.org/early-help/assessment"),
    ("Information sharing advice", "https://www.gov.uk/government/publications/info-sharing"),
    ("Modern Slavery Helpline", "https://www.modernslaveryhelpline.org/"),
    ("Brook Traffic Light Tool", "https://www.brook.org.uk/training/traffic-light-tool/"),
]
SECTION_NAMES = [
    "Definitions", "Thresholds", "Making a referral", "Strategy discussions", "Consent",
    "Information sharing", "Missing children", "Allegations against staff", "Escalation",
    "Record keeping", "Contacts", "Further reading", "Children with disabilities",
    "Private fostering", "Online safety", "Domestic abuse", "Neglect", "Young carers",
]  # fmt: skip
LEVELS = [
    ("Level 1: Universal", "Needs met by universal services.<br>No referral needed."),
    ("Level 2: Early help", "A single agency or early help plan.<br><br>Consent is needed."),
    ("Level 3: Targeted", "A multi-agency plan led by the early help team."),
    ("Level 4: Specialist", "Child in need or protection.<br>Refer to social care the same day."),
]
SWAPS = [
    ("must", "should"), ("practitioner", "professional"), ("within one working day", "within 24 hours"),
    ("child's", "young person's"), ("significant harm", "serious harm"), ("record", "write down"),
    ("the LADO", "the designated officer"), ("three months", "six months"), ("&amp;", "and"),
]  # fmt: skip


@dataclass
class Chapter:
    """A chapter as its sections, each a heading and its blocks of Markdown."""

    title: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    joiner: str = "\n\n"

    def markdown(self) -> str:
        parts = [f"# {self.title}"]
        for number, (heading, blocks) in enumerate(self.sections, start=1):
            parts.append(f"## {number}. {heading}")
            parts += blocks
        return "---\ntitle: " + self.title + "\n---\n\n" + self.joiner.join(parts) + "\n"


def _sentence(rng: random.Random) -> str:
    text = f"{rng.choice(OPENINGS)} {rng.choice(AGENCIES)} {rng.choice(DUTIES)}"
    if rng.random() < 0.5:
        extra = rng.choice(AFTERTHOUGHTS)
        text += extra if extra.startswith(",") else " " + extra
    return text + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _clauses(rng: random.Random, section: int) -> str:
    return "\n\n".join(
        f"{section}.{number} {_paragraph(rng)}" for number in range(1, rng.randint(3, 6))
    )


def _links(rng: random.Random) -> str:
    chosen = rng.sample(LINKS, rng.randint(3, 6))
    return "\n".join(
        f"- [{name}]({url}), {rng.choice(['for advice', 'and its guidance', 'open all day'])}"
        for name, url in chosen
    )


def _nested(rng: random.Random) -> str:
    lines = []
    for number in range(1, rng.randint(3, 5)):
        lines.append(f"{number}. **{rng.choice(AGENCIES).capitalize()}**: {_sentence(rng)}")
        for _ in range(rng.randint(0, 3)):
            lines.append(f"    - {rng.choice(DUTIES).capitalize()}")
            if rng.random() < 0.3:
                lines.append(f"        - see [{rng.choice(LINKS)[0]}]({rng.choice(LINKS)[1]})")
    return "\n".join(lines)


def _table(rng: random.Random) -> str:
    rows = [
        f"| {level} | {description} | {rng.choice(AGENCIES)} |" for level, description in LEVELS
    ]
    return "| Level | What it means | Who leads |\n|---|---|---|\n" + "\n".join(rows)


def _quote(rng: random.Random) -> str:
    return f"> **Note:** {_sentence(rng)}\n>\n> - {rng.choice(DUTIES).capitalize()}."


def _extra(rng: random.Random) -> str:
    return rng.choice(
        [
            f"![Flowchart of the {rng.choice(SECTION_NAMES).lower()} pathway](images/flow.png)",
            f'<div class="callout">\n<p>{_sentence(rng)}</p>\n</div>',
            f"See part 1.Definitions. {_sentence(rng)} &copy; the partnership, 2024.",
            "```\nReferral line: 0300 123 4567\n    Out of hours: 0300 123 4568\n```",
        ]
    )


BLOCKS: list[Callable[[random.Random, int], str]] = [
    lambda rng, n: _paragraph(rng),
    lambda rng, n: _paragraph(rng),
    _clauses,
    lambda rng, n: _links(rng),
    lambda rng, n: _nested(rng),
    lambda rng, n: _table(rng),
    lambda rng, n: _quote(rng),
    lambda rng, n: _extra(rng),
]


def _section(rng: random.Random, number: int) -> tuple[str, list[str]]:
    blocks = [rng.choice(BLOCKS)(rng, number) for _ in range(rng.randint(3, 7))]
    return rng.choice(SECTION_NAMES), blocks


def chapter(title: str, sections: int, seed: int) -> Chapter:
    rng = random.Random(seed)
    return Chapter(title, [_section(rng, number) for number in range(1, sections + 1)])


# --- edits ------------------------------------------------------------------------------------


def _replace_once(rng: random.Random, text: str, old: str, new: str) -> str | None:
    places = [match.start() for match in re.finditer(re.escape(old), text)]
    if not places:
        return None
    at = rng.choice(places)
    return text[:at] + new + text[at + len(old) :]


def _edit_block(rng: random.Random, doc: Chapter, change: Callable[[str], str | None]) -> bool:
    _, blocks = rng.choice(doc.sections)
    number = rng.randrange(len(blocks))
    changed = change(blocks[number])
    if changed is None or changed == blocks[number]:
        return False
    blocks[number] = changed
    return True


def _swap(rng: random.Random, doc: Chapter) -> bool:
    old, new = rng.choice(SWAPS)
    old, new = (old, new) if rng.random() < 0.5 else (new, old)
    return _edit_block(rng, doc, lambda block: _replace_once(rng, block, old, new))


def _text_edit(pairs: list[tuple[str, str]]) -> Callable[[random.Random, Chapter], bool]:
    def edit(rng: random.Random, doc: Chapter) -> bool:
        old, new = rng.choice(pairs)
        return _edit_block(rng, doc, lambda block: _replace_once(rng, block, old, new))

    return edit


def _sentences(rng: random.Random, doc: Chapter) -> bool:
    def change(block: str) -> str | None:
        if block[:1] in "|-!<>`" or block[:1].isdigit():
            return None
        if rng.random() < 0.5 or block.count(". ") < 2:
            return block + " " + _sentence(rng)
        cut = block.split(". ")
        del cut[rng.randrange(len(cut) - 1)]
        return ". ".join(cut)

    return _edit_block(rng, doc, change)


def _list_item(rng: random.Random, doc: Chapter) -> bool:
    def change(block: str) -> str | None:
        lines = block.split("\n")
        items = [i for i, line in enumerate(lines) if line.lstrip().startswith(("- ", "1. "))]
        if not items:
            return None
        at = rng.choice(items)
        if rng.random() < 0.5 and len(items) > 1:
            del lines[at]
        else:
            indent = " " * (len(lines[at]) - len(lines[at].lstrip()))
            name, url = rng.choice(LINKS)
            lines.insert(at + 1, f"{indent}- [{name}]({url}) {rng.choice(DUTIES)}")
        return "\n".join(lines)

    return _edit_block(rng, doc, change)


def _table_row(rng: random.Random, doc: Chapter) -> bool:
    def change(block: str) -> str | None:
        if not block.startswith("| Level"):
            return None
        lines = block.split("\n")
        at = rng.randrange(2, len(lines))
        if rng.random() < 0.4 and len(lines) > 3:
            del lines[at]
        elif rng.random() < 0.5:
            lines[at] = (
                lines[at].replace("<br>", "<br><br>", 1)
                if "<br>" in lines[at]
                else (lines[at].replace(". ", ".<br>", 1))
            )
        else:
            lines.insert(
                at, f"| Level 3b: Complex | {_sentence(rng)}<br>{_sentence(rng)} | the LADO |"
            )
        return "\n".join(lines)

    return _edit_block(rng, doc, change)


def _heading(rng: random.Random, doc: Chapter) -> bool:
    number = rng.randrange(len(doc.sections))
    doc.sections[number] = (rng.choice(SECTION_NAMES), doc.sections[number][1])
    return True


def _sections(rng: random.Random, doc: Chapter) -> bool:
    size = len(doc.markdown())
    if size < 14_000 or (size < 50_000 and rng.random() < 0.5):
        doc.sections.insert(rng.randrange(len(doc.sections) + 1), _section(rng, 9))
    elif rng.random() < 0.5:
        del doc.sections[rng.randrange(len(doc.sections))]
    else:
        moved = doc.sections.pop(rng.randrange(len(doc.sections)))
        doc.sections.insert(rng.randrange(len(doc.sections) + 1), moved)
    return True


def _blocks(rng: random.Random, doc: Chapter) -> bool:
    _, blocks = rng.choice(doc.sections)
    if len(blocks) < 2:
        return False
    choice = rng.random()
    at = rng.randrange(len(blocks) - 1)
    if choice < 0.3:
        blocks.insert(rng.randrange(len(blocks)), blocks.pop(at))  # a block moved
    elif choice < 0.6 and ". " in blocks[at] and not blocks[at].startswith(("|", "-", ">")):
        first, rest = blocks[at].split(". ", 1)
        blocks[at : at + 1] = [first + ".", rest]  # a paragraph split
    elif choice < 0.8 and blocks[at][:1].isalpha() and blocks[at + 1][:1].isalpha():
        blocks[at : at + 2] = [blocks[at] + " " + blocks[at + 1]]  # two paragraphs joined
    else:
        blocks.insert(at, rng.choice(BLOCKS)(rng, 7))
    return True


def _rewrap(rng: random.Random, doc: Chapter) -> bool:
    """Only the source: a paragraph's lines wrapped anew, or blank lines doubled."""
    if rng.random() < 0.3:
        doc.joiner = "\n\n\n" if doc.joiner == "\n\n" else "\n\n"
        return True

    def change(block: str) -> str | None:
        if not block[:1].isalpha():
            return None
        words = block.split(" ")
        width = rng.randint(6, 14)
        return "\n".join(" ".join(words[i : i + width]) for i in range(0, len(words), width))

    return _edit_block(rng, doc, change)


EDITS: list[Callable[[random.Random, Chapter], bool]] = [
    _swap,
    _swap,
    _sentences,
    _list_item,
    _table_row,
    _heading,
    _sections,
    _blocks,
    _rewrap,
    _text_edit(
        [
            (" ,", ","),
            (",", " ,"),
            ("1.Definitions", "1. Definitions"),
            ("1. Definitions", "1.Definitions"),
            (". ", ".  "),
            (".\n", ".   \n"),
        ]
    ),
    _text_edit([("**", "__"), ("*Working", "_Working"), ("2023*", "2023_")]),  # source only
    _text_edit(
        [
            ("**Note:**", "Note:"),
            ("multi-agency referral form", "**multi-agency** referral form"),
            ("the LADO", "the [LADO](https://example.org/lado)"),
        ]
    ),
    _text_edit(
        [
            ("https://example.org/", "https://example.org/v2/"),
            ("[github.com]", "[GitHub]"),
            ("images/flow.png", "images/flow-2024.png"),
            ("pathway]", "pathway (2024)]"),
        ]
    ),
    _text_edit([("<br>", " "), ("<br><br>", "<br>"), ("&copy;", "(c)"), ("— ", "-- ")]),
    _text_edit([("2.1 ", "2.2 "), ("3.2 ", "3.3 "), ("4.1 ", "4.1.1 ")]),  # clauses renumbered
]


def versions(doc: Chapter, count: int, seed: int) -> list[str]:
    """The chapter's Markdown at ``count`` versions, each a few edits after the one before."""
    rng = random.Random(seed)
    found = [doc.markdown()]
    while len(found) < count:
        made = 0
        while made < rng.randint(1, 4):
            made += rng.choice(EDITS)(rng, doc)
        while len(doc.markdown()) > 58_000:  # kept to 10-60 KB: long, not unwieldy
            _, blocks = max(doc.sections, key=lambda section: len(section[1]))
            del blocks[rng.randrange(len(blocks))]
        while len(doc.markdown()) < 11_000:
            doc.sections.append(_section(rng, len(doc.sections) + 1))
        text = doc.markdown()
        if text != found[-1]:
            found.append(text)
    return found


CHAPTERS = [
    ("Information sharing and consent", 4, 11),
    ("Thresholds of need and making a referral", 9, 22),
    ("Allegations against people who work with children", 14, 33),
]


def corpus(count: int = 52) -> dict[str, list[str]]:
    """Three chapters' file names and their versions, oldest first."""
    return {
        re.sub(r"\W+", "-", title.lower()) + ".md": versions(
            chapter(title, size, seed), count, seed
        )
        for title, size, seed in CHAPTERS
    }
