"""Sections reordered, renamed and moved: what the diff and its summary say of them (SPEC §6)."""

from __future__ import annotations

import random

from tracker.trackchanges.compare import diff_documents
from tracker.trackchanges.summary import summarise
from tracker.trackchanges.textviews import diff_text

# UK procedures name sections by the Act's section: headings that share a word.
SECTIONS = {
    "Section 17 assessments": "A child in need assessment is led by a qualified social worker.\n\n"
    "The family must be told about the assessment and its outcome.",
    "Section 47 enquiries": "Enquiries start when there is reasonable cause to suspect harm.\n\n"
    "The police and health must be part of the strategy discussion.",
    "Section 20 accommodation": "A child may be accommodated with the agreement of the parents.",
    "Section 31 care orders": "Only a court can make a care order, on the threshold criteria.",
}


def chapter(order: list[str], sections: dict[str, str] = SECTIONS) -> str:
    return "# Assessments\n\n" + "".join(f"## {name}\n\n{sections[name]}\n\n" for name in order)


SWAPPED = [1, 0, 3, 2]  # the new order: 47, 17, 31, 20


def test_sections_only_reordered_are_moved_though_their_headings_share_a_word():
    names = list(SECTIONS)
    diff = diff_documents(chapter(names), chapter([names[k] for k in SWAPPED]))
    summary = summarise(diff)
    assert summary.text() == "5 blocks moved."
    assert (summary.words_added, summary.words_removed) == (0, 0)
    assert {c.status for c in diff.changes} == {"same", "moved", "away"}
    # Each heading moved is the same heading at both ends: none is renamed in place.
    assert all(c.old.text == c.new.text for c in diff.changes if c.old and c.new)


def test_a_shared_word_at_the_end_of_the_headings_too():
    renamed = {f"{name.split(' ', 2)[2].capitalize()} (section {name.split()[1]})": text
               for name, text in SECTIONS.items()}  # fmt: skip
    names = list(renamed)  # "Assessments (section 17)", "Enquiries (section 47)"...
    diff = diff_documents(chapter(names, renamed), chapter([names[k] for k in SWAPPED], renamed))
    summary = summarise(diff)
    assert summary.added_sections == summary.removed_sections == []
    assert summary.renamed_sections == summary.revised_sections == []
    assert (summary.words_added, summary.words_removed) == (0, 0)


def test_many_numbered_sections_shuffled_with_a_few_words_added():
    rng = random.Random(7)
    syllables = ["ka", "ne", "ri", "po", "lu", "ze", "ta", "mi", "so", "vu"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))

    def paragraph() -> str:
        return " ".join(word() for _ in range(rng.randint(20, 40))) + "."

    sections = {f"Section {n} {word().capitalize()}": "\n\n".join(paragraph() for _ in range(3))
                for n in range(1, 13)}  # fmt: skip
    old = chapter(list(sections), sections)
    order = list(sections)
    rng.shuffle(order)
    edited = dict(sections)
    for name in order[:3]:  # one word added to the first paragraph of three sections
        first, rest = edited[name].split(" ", 1)
        edited[name] = f"{first} EDITED {rest}"
    summary = summarise(diff_documents(old, chapter(order, edited)))
    assert summary.added_sections == summary.removed_sections == []
    assert summary.renamed_sections == []
    assert sorted(summary.revised_sections) == sorted(order[:3])
    assert (summary.words_added, summary.words_removed) == (3, 0)


CONTACTS = "| Service | Phone |\n|---|---|\n| Front Door | 0300 1 |\n"
ESCALATION = "## Escalation\n\nUse the escalation policy.\n\n"


def test_a_moved_section_is_not_revised_by_a_deletion_read_after_it():
    # "Escalation" moves up word for word; "Who to contact" loses a row and becomes "Contacts",
    # a level lower: the heading is not paired, so the diff reads its deletion, then the moved
    # section, then the new heading and the row deleted.
    old = f"# Doc\n\n## Who to contact\n\n{CONTACTS}| Duty Team | 0300 2 |\n\n{ESCALATION}"
    new = f"# Doc\n\n{ESCALATION}### Contacts\n\n{CONTACTS}"
    diff = diff_documents(old, new)
    assert [c.status for c in diff.changes][1:5] == ["deleted", "moved", "moved", "inserted"]
    summary = summarise(diff)
    assert summary.revised_sections == []  # not "Escalation": its text is the same
    assert summary.added_sections == ["Contacts"]
    assert summary.removed_sections == ["Who to contact"]
    assert summary.moved_blocks == 2


def test_a_moved_section_is_not_revised_when_another_heading_is_renamed():
    old = f"# Doc\n\n## Who to contact\n\n{CONTACTS}| Duty Team | 0300 2 |\n\n{ESCALATION}"
    new = f"# Doc\n\n{ESCALATION}## Contacts\n\n{CONTACTS}"
    summary = summarise(diff_documents(old, new))
    assert "Escalation" not in summary.revised_sections
    assert summary.moved_blocks == 2


def test_a_block_changed_a_little_and_moved_is_moved_not_paired_with_one_merely_like_it():
    # Paragraphs of few distinct words are all somewhat alike: each changed one must still be
    # found where it moved to (98% alike), not paired with another that took its old place.
    rng = random.Random(23)
    syllables = ["ka", "ne", "ri", "po", "lu", "ze", "ta", "mi", "so", "vu"]
    vocabulary = sorted({"".join(rng.choice(syllables) for _ in range(3)) for _ in range(60)})

    def paragraph() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(20, 40))) + " the end."

    sections = {f"Section {n} {rng.choice(vocabulary).capitalize()}":
                f"{paragraph()}\n\n{paragraph()}" for n in range(1, 13)}  # fmt: skip
    order = list(sections)
    rng.shuffle(order)
    edited = dict(sections)
    for name in order[:4]:
        first, second = edited[name].split("\n\n")
        edited[name] = f"{first}\n\n{second.replace(' the end.', ' a end.')}"
    diff = diff_documents(chapter(list(sections), sections), chapter(order, edited))
    summary = summarise(diff)
    assert sorted(summary.revised_sections) == sorted(order[:4])
    assert (summary.words_added, summary.words_removed) == (4, 4)
    assert summary.added_sections == summary.removed_sections == summary.renamed_sections == []
    # Each paragraph changed in place or moved, none shown old then new.
    assert {c.status for c in diff.changes} <= {"same", "changed", "moved", "away"}


def test_an_instruction_changed_in_place_and_copied_elsewhere_shows_its_change():
    """An exact copy of the old wording in a new summary took the old paragraph away as
    "moved", and the instruction reworded in place read as all new (review): the change in
    place, "at once", is what a practitioner must see."""
    old = "# T\n\n## Refer\n\nCall the police on 999.\n\n## Record\n\nWrite it down.\n"
    new = old.replace("999.\n", "999 at once.\n") + "\n## Summary\n\nCall the police on 999.\n"
    text = diff_text(diff_documents(old, new))
    assert "Call the police on 999 {+at once+}." in text
    assert "moved" not in text
