"""Replaying the first-parent line: which document each changed file is, and its new version.

Identity is the front-matter ``id`` (default: the path under the root). A file with an
explicit id is that document wherever it moves; an id-less file follows git's rename
detection. Explicit ids are settled first, so an id-less file left behind by a move (a
pointer page, say) never takes over the moved document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING as MISSING_FIELD
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

from tracker.config import Config
from tracker.errors import shown
from tracker.history.documents import LFS, MISSING, DocMeta, path_id
from tracker.history.ids import path_id_problem
from tracker.history.links import composed
from tracker.history.model import INVALID_ID, Document, Problem, Version, VersionKind
from tracker.history.trailers import Source, Sources, combined
from tracker.repository.parse import NOT_FILES, Change, RawCommit
from tracker.repository.paths import Root

Entry = tuple[str | None, str | None, Change]  # (old path, new path) under the root, change
_NO_META = DocMeta()  # a file whose blob has no metadata (made once: it is asked for often)


@dataclass
class Draft:
    """A document while the history is replayed; frozen into a Document at the end."""

    key: int
    versions: list[Version] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    @property
    def latest(self) -> Version:
        return self.versions[-1]


class Walker:
    """The state of the tree while the first-parent line is replayed oldest first."""

    def __init__(self, metas: Mapping[str, DocMeta], root: Root, config: Config) -> None:
        self.metas = metas
        self.root = root
        self.config = config
        self.sources = Sources(config.timezone, config.schedule)
        self.documents: dict[int, Draft] = {}
        self.live: dict[str, int] = {}  # path under the root -> document key
        # How many live paths each document key has (``live``'s values, kept beside it: a
        # set of them made for every commit cost a first read about 0.1 s).
        self.holders: dict[int, int] = {}
        self.released: set[int] = set()  # keys that lost their last live path in this commit
        self.by_id: dict[str, int] = {}  # id -> the document that holds it
        self.next_key = 0
        self.skipped: dict[str, Problem] = {}  # path -> why its latest version is not published
        self.skipped_before: list[Problem] = []  # versions left out that later ones replaced
        self.touched: set[int] = set()  # documents given a version since this was last cleared
        # What left-out versions said, and the one that would have gone live last (its commit
        # and day), by their document's key, or by path for a file never published yet.
        self.pending: dict[int | str, list[Source]] = {}
        self.waits: dict[int | str, tuple[str, date]] = {}
        self.relatives: dict[str, str | None] = {}  # each path's answer from _relative

    def apply(self, commit: RawCommit, merged: list[RawCommit]) -> None:
        """Record the versions one first-parent commit makes."""
        entries = [entry for entry in map(self._entry, commit.changes) if entry[0] or entry[1]]
        entries = [entry for entry in entries if not self._skip(commit, merged, *entry)]
        leaving = {old: self._unplace(old) for old, _, _ in entries if old and old in self.live}
        # Taken: the keys live once the leaving paths are gone, or touched by this commit (a
        # key that loses its last path on the way still counts: ``released``).
        self.released = set()
        touched: set[int] = set()
        kept = [
            (old, new, change, self._meta(change))
            for old, new, change in entries
            if new is not None
        ]
        explicit = [entry for entry in kept if entry[3].id]
        implicit = [entry for entry in kept if not entry[3].id]
        renamed: list[tuple[int, int, bool, str, str]] = []  # a file's explicit id changed
        for old, new, change, meta in explicit + implicit:
            made = self.next_key  # (a key from here on is a new document's)
            key = self._key_for(old, new, meta, leaving, touched)
            touched.add(key)
            was = leaving.get(old) if old is not None else None
            if was is not None and was != key and meta.id:
                renamed.append((was, key, key >= made, str(old), new))
            self._add_version(key, commit, merged, change, old, (new, meta))
        for was, key, made_now, old, new in renamed if renamed else ():
            if was not in touched:  # (withdrawn below: no other file took its id)
                self._id_changed(commit, was, key, made_now, (old, new))
        for old, _, change in entries:
            gone = leaving.get(old) if old is not None else None
            if gone is not None and gone not in touched:
                touched.add(gone)  # deleted, moved out of the manual, or replaced by another id
                self._add_version(gone, commit, merged, change, old, None)

    def _id_changed(
        self, commit: RawCommit, was: int, key: int, made_now: bool, paths: tuple[str, str]
    ) -> None:
        """A file git reads as a document's (``was``: renamed, or edited in place) that gives
        another explicit id (``key``'s, a new document's or one brought back): the other is
        withdrawn, its bookmarks lead to a withdrawn page, its history stops (practitioners'
        exploratory testing). None where the id is put back (``key`` withdrawn as ``was`` came)."""
        before, now = self.documents[was].latest, self.documents[key]
        if not before.meta.id or before.meta.id == now.latest.meta.id:
            return
        back = now.versions[-2].commit if len(now.versions) > 1 and not made_now else None
        if back is not None and back == self.documents[was].versions[0].commit:
            return  # (the id put back: the chapter goes on, its history kept)
        ident, (old, new) = str(now.latest.meta.id), paths
        how = "edited in place" if old == new else f"renamed from {old}"
        what = "a new chapter" if made_now else f"the chapter {shown(ident)} brought back"
        self.sources.problems.append(Problem(
            "warning", new, f"has the id {shown(ident)} in commit {commit.sha[:10]}, where git "
            f"reads the file as {before.title!r} {how}, whose id was {shown(before.meta.id)}: "
            f"an id is what a chapter is known by, so this is {what}, and {before.title!r}'s "
            "history and address stop there (its page says it was withdrawn, and continues as "
            "this one); to keep them, keep its id (the file may be renamed freely)",
            datetime.fromtimestamp(commit.timestamp, self.config.timezone).date(),
            rule="id-changed", document=before.key,
        ))  # fmt: skip

    def _skip(
        self,
        commit: RawCommit,
        merged: list[RawCommit],
        old: str | None,
        new: str | None,
        change: Change,
    ) -> bool:
        """Leave out a version that cannot be published (SPEC §7): its document keeps the
        version before, the reason is a problem of the history, what its commit said (notes,
        minor) goes with the next version that can be published, and that version goes live
        no earlier than this one would have (its declared day)."""
        for path in ({old, new} - {None}) if self.skipped else ():  # (mostly none left out)
            gone = self.skipped.pop(str(path), None)  # replaced, moved or deleted since
            if gone is not None:  # (said as what became of it: no line of a file gone by)
                since = "the file was deleted since" if new is None else "replaced since"
                said = f"{gone.message.rsplit(' (', 1)[0]} ({since})"
                self.skipped_before.append(replace(gone, message=said, line=None))
        if new is None:
            return False
        meta = self._meta(change)
        reason = meta.unreadable
        if reason is None and meta.id is None and (wrong := path_id_problem(path_id(new))):
            reason = (  # (an id the website cannot show: a link to it could not open)
                f"takes the id {shown(path_id(new))} from its path, which cannot be a web "
                f"address ({wrong}): rename the file, or give it an id in its front matter"
            )
            rule = INVALID_ID
        elif reason is None:
            return False
        else:
            rule = _rule(reason)
        key = self._unplace(old) if old is not None and old in self.live else None
        if key is not None:
            self._place(new, key)  # still the same document, at its new path
        if key is not None:
            what = "the version before it stays in force"
        elif rule == INVALID_ID:
            what = "the file appears once renamed, or given an id"
        else:
            what = "the file appears once it can be read"
        moment = datetime.fromtimestamp(commit.timestamp, self.config.timezone)
        at = re.search(r"\(line (\d+)\)", reason) if rule != INVALID_ID else None
        self.skipped[new] = Problem(
            "error", new, f"{reason}; its version of commit {commit.sha[:10]} is not published "
            f"({what})", moment.date(), rule=rule, line=int(at.group(1)) if at else None,
            document=key, committed=moment.date(),
        )  # fmt: skip
        paths, earlier = {self.root.join(path) for path in (old, new) if path}, []
        if merged and key is not None:  # (the merged commits that touched it, at any path)
            paths, earlier = self._paths(self.documents[key], change), self.documents[key].versions
        slot: int | str = key if key is not None else new
        held = (slot, old or "", new)  # (where earlier left-out versions of it wait)
        carried = [source for at in held for source in self.pending.pop(at, [])]
        own = self.sources.for_change(commit, merged, paths, earlier)
        self.pending[slot] = [*carried, *own]
        waited = [found for at in held if (found := self.waits.pop(at, None))]
        day = combined(own)[0].date  # (its own declared day: a merge's by the merge's rules)
        self.waits[slot] = max([*waited, (commit.sha, day)], key=_second)
        return True

    @property
    def problems(self) -> list[Problem]:
        """Versions left out: those still at the branch head are errors without a date (check
        reports them until fixed); earlier ones are warnings that age."""
        current = [replace(problem, day=None) for problem in self.skipped.values()]
        earlier = [replace(problem, level="warning") for problem in self.skipped_before]
        return [*self.sources.problems, *current, *earlier]

    def _paths(self, document: Draft, change: Change) -> set[str]:
        """Every path (from the repository's top) the document has had, and this change's."""
        found = {p for p in (change.old_path, change.new_path) if p}
        for version in document.versions:
            found.update(self.root.join(p) for p in (version.path, version.old_path) if p)
        return found

    def finish(self, keys: set[int] | None = None) -> list[Document]:
        """The documents that have versions (of ``keys`` only, if given), in order of birth."""
        documents = self.documents
        drafts = documents.values() if keys is None else [documents[k] for k in sorted(keys)]
        return [
            Document(draft.key, tuple(draft.versions), tuple(draft.aliases))
            for draft in drafts
            if draft.versions
        ]

    def _entry(self, change: Change) -> Entry:
        old = None if change.old_mode in NOT_FILES else self._relative(change.old_path)
        new = None if change.new_mode in NOT_FILES else self._relative(change.new_path)
        return old, new, change

    def _relative(self, path: str | None) -> str | None:
        """The path under the root of a document's file, else None (each path worked out
        once: asked of both sides of every change)."""
        if path is None:
            return None
        known = self.relatives.get(path, "")
        if known != "":
            return known
        relative = self.root.relative(path)
        found = relative if relative is not None and self.config.is_document(relative) else None
        self.relatives[path] = found
        return found

    def _meta(self, change: Change) -> DocMeta:
        return self.metas.get(change.new_blob or "", _NO_META)

    def _place(self, path: str, key: int) -> None:
        """``live[path] = key``, with ``holders`` kept in step."""
        before = self.live.get(path)
        if before == key:
            return
        if before is not None:
            self._release(before)
        self.live[path] = key
        self.holders[key] = self.holders.get(key, 0) + 1

    def _unplace(self, path: str) -> int:
        """``live.pop(path)``, with ``holders`` kept in step."""
        key = self.live.pop(path)
        self._release(key)
        return key

    def _release(self, key: int) -> None:
        left = self.holders[key] - 1
        if left:
            self.holders[key] = left
        else:
            del self.holders[key]
            self.released.add(key)

    def _has_id(self, key: int, ident: str) -> bool:
        """Whether a live document has the id now (not as a former id: a document renamed
        away from a path leaves its id to the next file there)."""
        versions = self.documents[key].versions
        return key in self.holders and bool(versions) and versions[-1].id == ident

    def _taken(self, key: int, touched: set[int]) -> bool:
        """Whether a key was live once this commit's leaving paths were gone, or is touched."""
        return key in touched or key in self.holders or key in self.released

    def _key_for(
        self, old: str | None, new: str, meta: DocMeta, leaving: dict[str, int], touched: set[int]
    ) -> int:
        """The document a new or changed file belongs to (taken: live, or ``touched`` by
        this commit already)."""
        same_file = leaving.get(old) if old is not None else None
        if same_file is not None and self._taken(same_file, touched):
            same_file = None  # an explicit id claimed it earlier in this commit
        before = self.documents[same_file].latest.meta.id if same_file is not None else None
        compatible = meta.id is None or before is None or meta.id == before
        if same_file is not None and old == new and compatible:
            return same_file  # edited in place
        known = self.by_id.get(meta.id or path_id(new))
        if meta.id and known is not None and not self._taken(known, touched):
            return known  # its id: moved here, or brought back
        if same_file is not None and compatible:
            return same_file  # a rename git detected
        if known is not None and not self._taken(known, touched):
            return known  # an id-less file back at the path it had
        key = self.next_key  # a new document (or a duplicate id, which check reports)
        self.next_key += 1
        self.documents[key] = Draft(key)
        return key

    def _add_version(
        self,
        key: int,
        commit: RawCommit,
        merged: list[RawCommit],
        change: Change,
        old: str | None,
        new_file: tuple[str, DocMeta] | None,  # its path under the root and its metadata
    ) -> None:
        document = self.documents[key]
        self.touched.add(key)
        previous = document.versions[-1] if document.versions else None
        new = new_file[0] if new_file is not None else None
        if new_file is None:
            assert old is not None
            # A file gone has no text: no links or headings (those of the text before are
            # read only while it is the newest, so it would depend on when the index was made).
            meta = replace(previous.meta, links=(), anchors=()) if previous else DocMeta()
            kind: VersionKind = "withdrawn"
            path, blob = old, None
            ident = previous.id if previous else path_id(old)
        else:
            new, meta = new_file
            if meta.broken and previous is not None and not previous.deleted:
                meta = _last_good(previous.meta, meta)
            path, blob, ident = new, change.new_blob, meta.id or path_id(new)
            kind = _kind(previous, new, meta)
            self._place(new, key)
        holder = self.by_id.get(ident)
        if holder is not None and holder != key and self._has_id(holder, ident):
            # A duplicate id: known by its path instead; an id-less file whose path gives the
            # id another document has, by its file's name (an id is unique on the website).
            ident = path_id(path) if meta.id else path
        else:
            self.by_id[ident] = key
        if ident not in document.aliases:
            document.aliases.append(ident)
        paths = self._paths(document, change) if merged else set()  # only merges need them
        moved_from = old if old != path else None
        if moved_from is None and previous is not None and previous.path != path:
            moved_from = previous.path  # moved while its text could not be read
        # Where left-out versions of it wait: by its key while it is live; else also by path,
        # for a file not published yet, which is this document if git says it is the same file,
        # or if it names no other id (the left-out file's own id could not be read).
        held: list[int | str] = [key, new or "", old or "", moved_from or ""]
        if previous is not None and not previous.deleted:
            held[1:] = ["", "", ""]
        elif new is not None and old != new and meta.id and meta.id != path_id(new):
            held[1] = ""
            self.pending.pop(new, None)
            self.waits.pop(new, None)
        carried = [source for at in held for source in self.pending.pop(at, [])]
        waited = [found for at in held if (found := self.waits.pop(at, None))]
        waits = max(waited, key=_second, default=None)
        if new is None:
            carried = []  # a text never published is withdrawn: what it said goes with it
        own = self.sources.for_change(commit, merged, paths, document.versions)
        declared, notes, minor = combined(own)  # (a left-out version's day: ``waits``)
        sources = [*carried, *own]
        if carried:  # (what left-out versions said: their notes, whether minor)
            _, notes, minor = combined(sources)
        document.versions.append(
            _version(
                key=key,
                id=ident,
                commit=commit.sha,
                committed=sources[-1].committed,
                author=commit.author,
                authored=commit.authored,
                path=path,
                old_path=moved_from,
                blob=blob,
                meta=meta,
                kind=kind,
                notes=notes,
                minor=minor,
                declared=declared,
                sources=tuple(source.commit.sha for source in sources),
                waits_for=waits,  # (a deletion waits too: the text left out went live first)
            )
        )


def _second(pair: tuple[str, date]) -> date:
    return pair[1]


def _version(**values: Any) -> Version:
    """``Version(**values)``, without its cost: a frozen dataclass sets its 17 fields one by
    one (2.3 µs, for each of 15,000 versions on a first read); this fills the new version's
    dict at once, in the fields' order, defaults last. A test compares the two."""
    made = object.__new__(Version)
    state = made.__dict__
    state.update(values)
    for name, default in _DEFAULTS:  # (given or not, in the fields' order)
        state[name] = state.pop(name, default)
    return made


_DEFAULTS = [(f.name, f.default) for f in fields(Version) if f.default is not MISSING_FIELD]


def _last_good(before: DocMeta, now: DocMeta) -> DocMeta:
    """Front matter that cannot be read keeps the values of the version before (SPEC §7): a
    typo in the YAML must not rename, retitle or move a chapter. What the text holds (links,
    headings) and the problems are the new version's own."""
    return replace(before, links=now.links, anchors=now.anchors, problems=now.problems, broken=True)


def _rule(reason: str) -> str:
    """The check rule of a reason a version is not published (docs/authors.md)."""
    if reason.startswith((MISSING, LFS)):
        return "missing-object" if reason.startswith(MISSING) else "lfs-pointer"
    return "too-large" if "larger than" in reason else "not-utf8"


def _kind(previous: Version | None, new: str, meta: DocMeta) -> VersionKind:
    """What a version with a file did: came (back), was archived, moved or changed."""
    if previous is None or previous.deleted:
        return "added"
    archived = meta.status == "archived"
    if archived and not previous.withdrawn:
        return "withdrawn"
    if not archived and previous.withdrawn:
        return "added"  # brought back from the archive
    return "renamed" if composed(previous.path) != composed(new) else "modified"
