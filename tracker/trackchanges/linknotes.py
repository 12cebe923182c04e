"""What a diff says in words of links and abbreviations whose words stayed: a link that now
goes elsewhere or has another title, an abbreviation that stands for something else. The
rendered text shows none of it (SPEC §6)."""

from __future__ import annotations

import posixpath
from collections import Counter
from typing import TypeVar
from urllib.parse import unquote

from tracker.history.hrefs import manual_target
from tracker.history.links import composed
from tracker.trackchanges.text import Block

_Words = TypeVar("_Words", str, tuple[str, str])  # a link's words, or its words and target


class LinkNote(str):
    """The note that a link's words now go elsewhere, as text ("The link “the guidance” now
    goes to b.md (it went to a.md).") with its words and two targets kept, so that a page can
    name the chapters they lead to rather than their files (``views``)."""

    text: str
    was: str
    now: str

    def __new__(cls, text: str, was: str, now: str) -> LinkNote:
        note = super().__new__(cls, f"The link “{text}” now goes to {now} (it went to {was}).")
        note.text, note.was, note.now = text, was, now
        return note

    def __getnewargs__(self) -> tuple[str, str, str]:  # type: ignore[override]  # (pickle)
        return self.text, self.was, self.now


def link_notes(
    olds: list[Block],
    news: list[Block],
    folders: tuple[str, str] = ("", ""),
    reached: Reached | None = None,
) -> tuple[str, ...]:
    """A link whose words stayed but whose target or title changed, and an abbreviation whose
    title (what it stands for) changed, stated in words: the rendered text shows neither
    (``reached``: see ``read_links``)."""
    moved = retargeted_links(olds, news, folders, reached)
    notes: list[str] = [LinkNote(text, was, now) for text, was, now in moved]
    notes += [
        f"The link “{text}” now has "
        + (f"the title “{now}”" if now else "no title")
        + (f" (it was “{was}”)." if was else " (it had none).")
        for text, was, now in retitled_links(olds, news)
    ]
    notes += dict.fromkeys(  # (once for each abbreviation, however often the block uses it)
        f"The abbreviation “{text}” "
        + (f"now stands for “{now}”" if now else "no longer says what it stands for")
        + (f" (it stood for “{was}”)." if was else " (it did not say).")
        for text, was, now in retitled_abbreviations(olds, news)
    )
    return tuple(notes)


def retargeted_links(
    olds: list[Block],
    news: list[Block],
    folders: tuple[str, str] = ("", ""),
    reached: Reached | None = None,
) -> list[tuple[str, str, str]]:
    """(text, old target, new target) of links that kept their words but not their target.

    Links are compared as (text, target) pairs, so two links with the same words and different
    targets that both stayed are not mistaken for a change; a chapter's target as the page
    reads it (``./c.md`` is ``c.md``, ``<e f.md>`` is ``e%20f.md``: review), each said as
    written.
    """
    if not any("<a " in block.html for block in news):
        return []  # most often: no link in the new text, so none was retargeted
    return [(text, was, now) for text, was, now, *_ in retargeted(olds, news, folders, reached)]


def retargeted(
    olds: list[Block],
    news: list[Block],
    folders: tuple[str, str],
    reached: Reached | None = None,
) -> list[tuple[str, str, str, str, str]]:
    """``retargeted_links``, each with its old and new target as read (``read_links``)."""
    if not any("<a " in block.html for block in news):
        return []
    old, new = read_links(olds, news, folders, reached)
    was = {(text, target): to for text, target, to in old}
    now = {(text, target): to for text, target, to in new}
    before = Counter((text, target) for text, target, _ in old)
    after = Counter((text, target) for text, target, _ in new)
    found = _kept_words(before, after)
    return [(text, was[text, old], now[text, new], old, new) for text, old, new in found]


Read = list[tuple[str, str, str]]  # (words, target as the page reads it, target as written)


def read_links(
    olds: list[Block],
    news: list[Block],
    folders: tuple[str, str],
    reached: Reached | None = None,
) -> tuple[Read, Read]:
    """Each link of two versions: its words, its target as the page reads it, and its target
    as written; the later version's read from its folder. A chapter may have moved to another:
    a link of the earlier version is read from the earlier version's folder, unless the later
    version links nowhere to what it reached there and writes its address alike: then it is
    read as the later version reads it (a folder renamed with the chapters its chapters link
    to moves those too, and its links went nowhere else: they were said to, for every chapter
    in it). So a link mended to reach the same file from the new folder is the same link, and
    one rewritten to reach another file is said to go elsewhere, as the diff compares them
    (``reached``: review). One left unmended that now reaches a namesake is not said
    (``tracker check`` warns of it: link-now-elsewhere). ``reached``: what the whole later
    version links to and the addresses it writes, where ``news`` are some of its blocks
    (``reaching``); else theirs."""
    old_folder, new_folder = folders
    new = [(text, read_target(to, new_folder), to) for b in news for text, to in b.links]
    targets, written = reached or (
        frozenset(target for _, target, _ in new),
        frozenset(to for _, _, to in new),
    )
    old = []
    for block in olds:
        for text, to in block.links:
            target = read_target(to, old_folder)
            if target not in targets and to in written and old_folder != new_folder:
                target = read_target(to, new_folder)  # (written alike: a folder renamed)
            old.append((text, target, to))
    return old, new


Reached = tuple[frozenset[str], frozenset[str]]  # (what links reach, the addresses written)


def reaching(blocks: list[Block], folder: str) -> Reached:
    """What the links of a version in ``folder`` reach, as the page reads them, and the
    addresses they are written as."""
    links = [to for block in blocks for _, to in block.links]
    return frozenset(read_target(to, folder) for to in links), frozenset(links)


def read_target(href: str, folder: str = "") -> str:
    """A link's target as the page reads it: a chapter's path made plain (from ``folder``,
    the linking chapter's, with ``./``, ``a/../`` and %-escapes gone, accents joined to their
    letters), any other address as written."""
    found = manual_target(href)
    if found is None:
        return href
    path, fragment = (unquote(part) for part in found)
    if path:  # (é typed, or saved as e and its accent: one page)
        path = composed(posixpath.normpath(posixpath.join(folder, path)))
    return path + (f"#{fragment}" if fragment else "")


def retitled_links(olds: list[Block], news: list[Block]) -> list[tuple[str, str, str]]:
    """(text, old title, new title) of links that kept their words and target but not their
    title (compared as retargeted links are, a target and title going with their words)."""
    if not any("<a " in block.html for block in news):
        return []
    before = Counter(((text, to), title) for b in olds for text, to, title in b.titled_links)
    after = Counter(((text, to), title) for b in news for text, to, title in b.titled_links)
    return [(text, was, now) for (text, _), was, now in _kept_words(before, after)]


def retitled_abbreviations(olds: list[Block], news: list[Block]) -> list[tuple[str, str, str]]:
    """(text, old title, new title) of abbreviations that kept their words but not their title."""
    if not any("<abbr" in block.html for block in news):
        return []
    before = Counter(abbreviation for block in olds for abbreviation in block.abbreviations)
    after = Counter(abbreviation for block in news for abbreviation in block.abbreviations)
    return _kept_words(before, after)


def _kept_words(
    before: Counter[tuple[_Words, str]], after: Counter[tuple[_Words, str]]
) -> list[tuple[_Words, str, str]]:
    """(words, old, new) of the (words, value) pairs only ``after`` has whose words a pair only
    ``before`` has, each of those matched once, in order."""
    gone = list((before - after).elements())
    found = []
    for words, value in (after - before).elements():
        match = next((old for old in gone if old[0] == words), None)
        if match is not None:
            gone.remove(match)
            found.append((words, match[1], value))
    return found
