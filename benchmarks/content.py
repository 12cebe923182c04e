"""What a synthetic manual says: chapters in Markdown with front matter, edits, commit messages.

Paragraphs, lists, tables and headings come from the demo manual (``procedures/``), with a few
words changed so that no two chapters are alike. Everything is drawn from one seeded
``random.Random``, so the same seed gives the same manual.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_BYTES, MAX_BYTES = 2_000, 30_000  # a chapter's size stays within these

SECTIONS = {  # title -> folder
    "Responsibilities of All Agencies": "all-agencies",
    "Referral and Assessment": "referral-and-assessment",
    "Partnership Arrangements": "partnership",
    "Children in Specific Circumstances": "specific-circumstances",
    "Looked After Children": "looked-after-children",
    "Early Help": "early-help",
    "Allegations and Complaints": "allegations",
    "Practice Guidance": "practice-guidance",
}
TOPICS = (
    "Referrals", "Assessments", "Strategy Discussions", "Child Protection Conferences",
    "Core Groups", "Child Protection Plans", "Information Sharing", "Escalation",
    "Managing Allegations", "Safe Recruitment", "Online Safety", "Bruising in Babies",
    "Domestic Abuse", "Child Exploitation", "Children Missing from Home or Care",
    "Self-Harm and Suicidal Behaviour", "Female Genital Mutilation", "Honour-Based Abuse",
    "Forced Marriage", "Neglect", "Parental Substance Misuse", "Parental Mental Health",
    "Was Not Brought", "Disabled Children", "Private Fostering", "Young Carers",
    "Children of Prisoners", "Modern Slavery", "Radicalisation and Prevent",
    "Fabricated or Induced Illness", "Harmful Sexual Behaviour", "Bullying",
    "Children in Custody", "Homeless 16 and 17 Year Olds", "Unaccompanied Asylum-Seeking Children",
    "Pre-Birth Assessments", "Safe Sleeping", "Abusive Head Trauma", "Animal Abuse",
    "Child Death Reviews", "Child Safeguarding Practice Reviews", "Safeguarding Arrangements",
    "Early Help Assessments", "Team Around the Family", "Elective Home Education",
    "Children Missing Education", "Looked After Reviews", "Placement Planning",
    "Leaving Care", "Contact with Family", "Complaints", "Whistleblowing",
    "Professional Curiosity", "Recording Concerns", "Supervision", "Resolving Disagreements",
    "Gangs and Serious Violence", "Sexual Abuse", "Emotional Abuse", "Physical Abuse",
)  # fmt: skip
AUDIENCES = (
    "", " in Education Settings", " for Health Practitioners", ": Police Response",
    " in Early Years Settings", ": Practice Guidance",
)  # fmt: skip
AUTHORS = (
    "Helen Forster <helen.forster@example.org>", "Aisha Rahman <aisha.rahman@example.org>",
    "Gareth Lowes <gareth.lowes@example.org>", "Procedures Team <procedures@example.org>",
    "Tom Bell <tom.bell@example.org>", "Priya Shah <priya.shah@example.org>",
)  # fmt: skip
NOTES = (
    "This chapter has been updated to clarify when a referral must be made.",
    "The contact details for First Contact have been updated.",
    "Amendments have been made in line with the revised Working Together to Safeguard Children.",
    "The section on {heading} has been revised.",
    "A new section on {heading} has been added.",
    "The out-of-hours telephone number for Children's Social Care has been corrected.",
    "This chapter has been revised in line with updated government guidance.",
    "Links to local services and further resources have been updated.",
    "Timescales for {heading} have been shortened; practitioners must act within one working day.",
    "The guidance on {heading} now applies to education and early years staff.",
)
SUBJECTS = (
    "Update {title}", "Revise the {heading} section of {title}", "Clarify {heading} in {title}",
    "Add a section on {heading} to {title}", "Bring {title} in line with national guidance",
)  # fmt: skip


_LOCAL_LINK = re.compile(r"\[([^\]]+)\]\((?!https?:)[^)]*\)")


def _corpus() -> tuple[list[str], list[str]]:
    """(blocks, headings) of the demo manual's chapters, front matter and titles left out.

    Links between the demo's chapters become plain text: they would not resolve here.
    """
    blocks, headings = [], []
    for path in sorted((ROOT / "procedures").rglob("*.md")):
        if "_demo" in path.parts:
            continue
        body = path.read_text(encoding="utf-8").split("---\n", 2)[-1]
        for block in body.split("\n\n"):
            block = block.strip()
            if block.startswith("## "):
                headings.append(block[3:])
            elif block and not block.startswith("#"):
                blocks.append(_LOCAL_LINK.sub(r"\1", block))
    return blocks, headings


BLOCKS, HEADINGS = _corpus()
WORDS = sorted({w for block in BLOCKS for w in block.split() if w.isalpha() and len(w) > 3})


def slug(text: str) -> str:
    """A file name or id from a title."""
    kept = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in kept.split("-") if part)


def reword(block: str, rng: random.Random, share: float) -> str:
    """``share`` of a block's plain words replaced by others (Markdown syntax is left alone)."""
    words = block.split(" ")
    plain = [i for i, word in enumerate(words) if word.isalpha()]
    for i in rng.sample(plain, min(len(plain), max(1, int(len(plain) * share)))):
        words[i] = rng.choice(WORDS)
    return " ".join(words)


def fresh_block(rng: random.Random) -> str:
    """A paragraph, list or table from the corpus, lightly reworded."""
    return reword(rng.choice(BLOCKS), rng, 0.05)


@dataclass
class Chapter:
    """One document of the synthetic manual, as it stands now."""

    path: str  # under the root
    title: str
    section: str
    explicit_id: str | None
    kind: str = "chapter"
    order: int = 10
    review_due: date = date(2016, 1, 1)
    blocks: list[str] = field(default_factory=list)
    locked: bool = False  # a branch is changing it: the main line leaves it alone

    @property
    def id(self) -> str:
        """The id the tracker knows it by."""
        return self.explicit_id or self.path.removesuffix(".md")

    def text(self) -> str:
        """The file: front matter, title, body."""
        front = [f"id: {self.explicit_id}"] if self.explicit_id else []
        front += [f'title: "{self.title}"', f"type: {self.kind}", f"section: {self.section}"]
        front += [f"order: {self.order}", "owner: Procedures Group"]
        front += [f"review_due: {self.review_due.isoformat()}"]
        return "---\n" + "\n".join(front) + f"\n---\n\n# {self.title}\n\n" + self.body()

    def body(self) -> str:
        return "\n\n".join(self.blocks) + "\n"

    def size(self) -> int:
        return sum(len(block) + 2 for block in self.blocks)

    def heading(self, rng: random.Random) -> str:
        """One of its section headings (for messages)."""
        found = [block[3:] for block in self.blocks if block.startswith("## ")]
        return rng.choice(found or HEADINGS)


def new_chapter(number: int, rng: random.Random, when: date) -> Chapter:
    """Chapter ``number`` of the manual: its title, place and a body of 2 to 30 KB."""
    topic = TOPICS[number % len(TOPICS)]
    round_, extra = divmod(number // len(TOPICS), len(AUDIENCES))
    title = topic + AUDIENCES[extra] + (f" (Part {round_ + 1})" if round_ else "")
    section = list(SECTIONS)[number % len(SECTIONS)]
    name = slug(title)
    chapter = Chapter(
        path=f"{SECTIONS[section]}/{name}.md",
        title=title,
        section=section,
        explicit_id=(name if rng.random() < 0.7 else f"{name}-{number}")
        if number % 5 < 2
        else None,
        kind="guidance" if section == "Practice Guidance" else "chapter",
        order=10 * (1 + number // len(SECTIONS)),
        review_due=when.replace(year=when.year + 2, day=1),
    )
    target = int(min(MAX_BYTES, max(MIN_BYTES, rng.lognormvariate(math.log(7_000), 0.6))))
    while chapter.size() < target:
        if not chapter.blocks or rng.random() < 0.2:
            chapter.blocks.append("## " + rng.choice(HEADINGS))
        chapter.blocks.append(fresh_block(rng))
    return chapter


def edit(chapter: Chapter, rng: random.Random) -> None:
    """One author's change to a chapter: reword, replace, add or remove a block or a section."""
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        paragraphs = [i for i, b in enumerate(chapter.blocks) if not b.startswith("## ")]
        roll = rng.random()
        if paragraphs and (
            chapter.size() > MAX_BYTES or (roll < 0.15 and chapter.size() > 2 * MIN_BYTES)
        ):
            del chapter.blocks[rng.choice(paragraphs)]
        elif not paragraphs or chapter.size() < MIN_BYTES or roll < 0.35:
            place = rng.randrange(len(chapter.blocks) + 1)
            new = [fresh_block(rng)]
            if rng.random() < 0.3:  # a new section
                new.insert(0, "## " + rng.choice(HEADINGS))
            chapter.blocks[place:place] = new
        elif roll < 0.5:
            chapter.blocks[rng.choice(paragraphs)] = fresh_block(rng)
        else:
            where = rng.choice(paragraphs)
            chapter.blocks[where] = reword(chapter.blocks[where], rng, rng.choice((0.02, 0.1)))


def related(chapter: Chapter, other: Chapter) -> None:
    """Add (or replace) a link to another chapter, as authors link related procedures."""
    link = f"See also [{other.title}](../{other.path})."
    chapter.blocks = [b for b in chapter.blocks if not b.startswith("See also [")] + [link]


def message(subject: str, rng: random.Random, day: date, heading: str, minor: bool) -> str:
    """A commit message with the trailers authors write (SPEC §3)."""
    trailers = []
    if minor:
        trailers.append("Change-Type: minor")
    elif rng.random() < 0.7:
        trailers.append("Change-Note: " + rng.choice(NOTES).format(heading=heading))
    roll = rng.random()
    if roll < 0.2:
        later = day.toordinal() + rng.choice((0, 7, 14, 21, 30, 45, 60, 90))
        trailers.append(f"Go-Live: {date.fromordinal(later).isoformat()}")
    elif roll < 0.24:
        trailers.append("Go-Live: immediate")
    elif roll < 0.25:  # back-dated: the tracker takes the commit's day and warns
        trailers.append(f"Go-Live: {date.fromordinal(day.toordinal() - 3).isoformat()}")
    return subject + ("\n\n" + "\n".join(trailers) if trailers else "") + "\n"


def edit_subject(chapter: Chapter, rng: random.Random, heading: str, minor: bool) -> str:
    """The subject line of a commit that edits one chapter."""
    if minor:
        return rng.choice(("Fix typos in {title}", "Tidy the formatting of {title}")).format(
            title=chapter.title
        )
    return rng.choice(SUBJECTS).format(title=chapter.title, heading=heading)


MANUAL_TOML = """\
# A synthetic manual for the benchmarks (benchmarks/synthetic.py).
[manual]
title = "Synthetic Safeguarding Children Partnership: Multi-Agency Procedures"
short_name = "SSCP"
site_url = "https://procedures.example.org"
timezone = "Europe/London"
sections = [{sections}]

[releases]
# The second Wednesday of every month.
schedule = "DTSTART:20150101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE"
cutoff_days = 7
bank_holidays = "GB-ENG"
"""


def manual_toml() -> str:
    """The synthetic manual's settings, with a release schedule."""
    return MANUAL_TOML.format(sections=", ".join(f'"{s}"' for s in SECTIONS))


def parse_chapter(path: str, text: str) -> Chapter:
    """A chapter read back from its file (as ``Chapter.text`` wrote it), to carry on editing."""
    _, front, rest = text.split("---\n", 2)
    meta = dict(line.split(": ", 1) for line in front.splitlines())
    body = rest.split("\n\n", 2)[-1]  # after the blank line and the "# title" line
    return Chapter(
        path=path,
        title=meta["title"].strip('"'),
        section=meta["section"],
        explicit_id=meta.get("id"),
        kind=meta["type"],
        order=int(meta["order"]),
        review_due=date.fromisoformat(meta["review_due"]),
        blocks=[block for block in body.strip().split("\n\n") if block],
    )
