"""The history rules (SPEC §3) on commits built by hand: no git, no index."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date, datetime

import pytest
from conftest import SCHEDULE

from tracker.config import Config, parse_config
from tracker.history.documents import DocMeta
from tracker.history.model import Document
from tracker.history.walk import History, HistoryBuilder, build_history
from tracker.repository.parse import Change, RawCommit
from tracker.repository.paths import Root

D = date.fromisoformat
ROOT = Root("procedures")
SCHEDULED = parse_config(SCHEDULE)
_numbers = itertools.count(1)


def sha() -> str:
    """A fresh 40-hex object id."""
    return f"{next(_numbers):040x}"


def path(name: str) -> str:
    return ROOT.join(name)


def add(name: str, blob: str) -> Change:
    return Change("A", None, path(name), None, blob)


def modify(name: str, old: str, new: str) -> Change:
    return Change("M", path(name), path(name), old, new)


def rename(old_name: str, new_name: str, old: str, new: str) -> Change:
    return Change("R", path(old_name), path(new_name), old, new)


def delete(name: str, old: str) -> Change:
    return Change("D", path(name), None, old, None)


def commit(
    *changes: Change,
    parents: tuple[RawCommit, ...] = (),
    subject: str = "Update",
    when: str = "2024-01-02",
    trailers: Mapping[str, str] | tuple[tuple[str, str], ...] = (),
) -> RawCommit:
    """A commit as parse_log yields it (trailer keys lower-cased); a bare date is 09:00 UTC."""
    moment = datetime.fromisoformat(when if "T" in when else f"{when}T09:00:00+00:00")
    pairs = trailers.items() if isinstance(trailers, Mapping) else trailers
    return RawCommit(
        sha=sha(),
        parents=tuple(parent.sha for parent in parents),
        timestamp=int(moment.timestamp()),
        author="Test Author",
        subject=subject,
        trailers=tuple((key.lower(), value) for key, value in pairs),
        changes=changes,
    )


def line(*changes_per_commit: tuple[Change, ...], start: str = "2024-01-01") -> list[RawCommit]:
    """A straight first-parent line, one commit a day from ``start``, oldest first."""
    commits: list[RawCommit] = []
    first = D(start).toordinal()
    for offset, changes in enumerate(changes_per_commit):
        when = date.fromordinal(first + offset).isoformat()
        commits.append(commit(*changes, parents=tuple(commits[-1:]), when=when))
    return commits


def history(
    commits: list[RawCommit],
    metas: dict[str, DocMeta] | None = None,
    config: Config | None = None,
) -> History:
    """build_history on commits given oldest first; the index yields them newest first."""
    newest_first = {c.sha: c for c in reversed(commits)}
    return build_history(newest_first, metas or {}, commits[-1].sha, ROOT, config or Config())


def document(found: History, ident: str) -> Document:
    (match,) = [d for d in found.documents if d.id == ident]
    return match


def test_add_modify_rename_delete_make_one_version_each():
    """Each kind of file change is a version of the document, named by what it did."""
    a1, a2, a3 = sha(), sha(), sha()
    commits = line(
        (add("a.md", a1),),
        (modify("a.md", a1, a2),),
        (rename("a.md", "b.md", a2, a3),),
        (delete("b.md", a3),),
    )
    versions = document(history(commits), "b").versions
    assert [(v.kind, v.path, v.old_path, v.blob) for v in versions] == [
        ("added", "a.md", None, a1),
        ("modified", "a.md", None, a2),
        ("renamed", "b.md", "a.md", a3),
        ("withdrawn", "b.md", None, None),
    ]
    assert [v.commit for v in versions] == [c.sha for c in commits]
    assert versions[-1].deleted and versions[-1].withdrawn


def test_archived_status_withdraws_and_live_brings_back():
    """status: archived is a withdrawal without deleting; editing it stays withdrawn."""
    live, archived, archived_edit, back = sha(), sha(), sha(), sha()
    metas = {
        archived: DocMeta(status="archived"),
        archived_edit: DocMeta(status="archived"),
    }
    commits = line(
        (add("a.md", live),),
        (modify("a.md", live, archived),),
        (modify("a.md", archived, archived_edit),),
        (modify("a.md", archived_edit, back),),
    )
    versions = document(history(commits, metas), "a").versions
    assert [(v.kind, v.withdrawn, v.deleted) for v in versions] == [
        ("added", False, False),
        ("withdrawn", True, False),
        ("modified", True, False),
        ("added", False, False),
    ]


@pytest.mark.parametrize(
    ("trailers", "notes", "minor"),
    [
        ((), [("Edit the subject", False)], False),  # no Change-Note: the subject
        ((("Change-Note", "For practitioners."),), [("For practitioners.", True)], False),
        (
            (("Change-Note", "First."), ("change-note", "Second.")),
            [("First.", True), ("Second.", True)],
            False,
        ),
        ((("Change-Type", "Minor"),), [("Edit the subject", False)], True),  # case-insensitive
        ((("Change-Type", "major"),), [("Edit the subject", False)], False),
    ],
)
def test_notes_and_minor_come_from_trailers(trailers, notes, minor):
    """A version's note is its Change-Note, else the subject; Change-Type: minor marks it."""
    only = commit(add("a.md", sha()), subject="Edit the subject", trailers=trailers)
    version = document(history([only]), "a").latest
    assert [(n.text, n.explicit) for n in version.notes] == notes
    assert version.minor is minor


def test_a_change_note_applies_to_every_document_of_the_commit():
    """One Change-Note, two documents: both versions carry it."""
    only = commit(add("a.md", sha()), add("b.md", sha()), trailers={"Change-Note": "Both added."})
    found = history([only])
    assert [d.latest.note for d in found.documents] == ["Both added.", "Both added."]


@pytest.mark.parametrize(
    ("config", "when", "go_live", "declared", "source", "back_dated"),
    [
        (Config(), "2024-10-20T09:00:00+01:00", None, "2024-10-20", "commit", None),
        (SCHEDULED, "2024-10-20T09:00:00+01:00", None, "2024-11-13", "schedule", None),
        (SCHEDULED, "2024-11-06T12:00:00+00:00", None, "2024-11-13", "schedule", None),
        (SCHEDULED, "2024-11-07T12:00:00+00:00", None, "2024-12-11", "schedule", None),
        (SCHEDULED, "2024-10-20T09:00:00+01:00", "immediate", "2024-10-20", "immediate", None),
        (SCHEDULED, "2024-10-20T09:00:00+01:00", "IMMEDIATE", "2024-10-20", "immediate", None),
        (SCHEDULED, "2024-10-20T09:00:00+01:00", "2025-02-03", "2025-02-03", "trailer", None),
        (
            SCHEDULED,
            "2024-06-20T16:00:00+01:00",
            "2024-06-12",
            "2024-06-20",
            "trailer",
            "2024-06-12",
        ),
        (SCHEDULED, "2024-06-30T23:30:00+00:00", "immediate", "2024-07-01", "immediate", None),
    ],
)
def test_declared_go_live(config, when, go_live, declared, source, back_dated):
    """Go-Live: a date (never before the commit), immediate, else the schedule, else the commit."""
    trailers = (("Go-Live", go_live),) if go_live else ()
    only = commit(add("a.md", sha()), when=when, trailers=trailers)
    version = document(history([only], config=config), "a").latest
    assert version.declared.date == D(declared)
    assert version.declared.source == source
    assert version.declared.back_dated == (D(back_dated) if back_dated else None)
    assert version.effective == D(declared)


def test_an_invalid_go_live_is_reported_and_the_schedule_applies():
    """A Go-Live that is neither a date nor immediate is ignored, with an error."""
    only = commit(
        add("a.md", sha()), when="2024-10-20T09:00:00+01:00", trailers={"Go-Live": "2024-02-30"}
    )
    found = history([only], config=SCHEDULED)
    assert document(found, "a").latest.declared.date == D("2024-11-13")
    (problem,) = found.problems
    assert problem.level == "error" and problem.message == (
        "has 'Go-Live: 2024-02-30', which is not a real calendar date, so it was ignored"
    )  # (its form was right: "neither a date (YYYY-MM-DD)" told its author nothing)


def test_effective_dates_chain_and_name_the_version_that_holds_back():
    """Effective(k) = max(declared(k), effective(k-1)); a held-back version names its holder."""
    a1, a2, a3, a4 = sha(), sha(), sha(), sha()
    first = commit(
        add("a.md", a1), when="2024-10-18T09:00:00+01:00", trailers={"Go-Live": "2024-12-11"}
    )
    second = commit(
        modify("a.md", a1, a2),
        parents=(first,),
        when="2024-10-20T09:00:00+01:00",
        trailers={"Go-Live": "immediate"},
    )
    third = commit(modify("a.md", a2, a3), parents=(second,), when="2024-10-24T09:00:00+01:00")
    fourth = commit(
        modify("a.md", a3, a4),
        parents=(third,),
        when="2024-10-25T09:00:00+01:00",
        trailers={"Go-Live": "2025-01-15"},
    )
    versions = document(history([first, second, third, fourth], config=SCHEDULED), "a").versions
    assert [(v.declared.date, v.effective) for v in versions] == [
        (D("2024-12-11"), D("2024-12-11")),
        (D("2024-10-20"), D("2024-12-11")),
        (D("2024-11-13"), D("2024-12-11")),
        (D("2025-01-15"), D("2025-01-15")),
    ]
    assert [v.held_back_by for v in versions] == [None, first.sha, first.sha, None]
    assert [v.held_back for v in versions] == [False, True, True, False]


def test_held_back_only_within_one_document():
    """Another document's later go-live never holds a version back."""
    slow = commit(add("slow.md", sha()), when="2024-01-01", trailers={"Go-Live": "2024-06-01"})
    fast = commit(add("fast.md", sha()), parents=(slow,), when="2024-01-02")
    found = history([slow, fast])
    assert document(found, "fast").latest.effective == D("2024-01-02")
    assert document(found, "fast").latest.held_back_by is None


def test_a_merge_is_one_version_with_the_merged_commits_notes():
    """A merge's notes are those of the merged commits that touched the file, in order."""
    a1, a2, a3, b1, b2, c1 = (sha() for _ in range(6))
    start = commit(add("a.md", a1), add("b.md", b1), subject="Start", when="2024-01-01")
    review = commit(
        modify("a.md", a1, a2),
        parents=(start,),
        subject="Review A",
        when="2024-02-01",
        trailers={"Change-Note": "A was reviewed."},
    )
    tidy = commit(
        modify("a.md", a2, a3),
        parents=(review,),
        subject="Tidy A",
        when="2024-02-02",
    )
    touch_b = commit(modify("b.md", b1, b2), parents=(tidy,), subject="Touch B", when="2024-02-03")
    meanwhile = commit(add("c.md", c1), parents=(start,), subject="Add C", when="2024-02-04")
    merge = commit(
        modify("a.md", a1, a3),
        modify("b.md", b1, b2),
        parents=(meanwhile, touch_b),
        subject="Merge branch 'review'",
        when="2024-02-10",
    )
    found = history([start, review, tidy, touch_b, meanwhile, merge])
    a, b, c = document(found, "a"), document(found, "b"), document(found, "c")
    assert [v.commit for v in a.versions] == [start.sha, merge.sha]  # not the branch's commits
    assert [n.text for n in a.latest.notes] == ["A was reviewed.", "Tidy A"]
    assert a.latest.sources == (review.sha, tidy.sha, merge.sha)
    assert [n.text for n in b.latest.notes] == ["Touch B"]
    assert [v.commit for v in c.versions] == [meanwhile.sha]
    assert a.latest.effective == D("2024-02-10")


def test_a_merge_of_the_main_line_into_the_branch_brings_no_notes():
    """The branch's merge of main carries others' work: no "Merge branch 'main'" note."""
    a1, a2, a3, a4 = (sha() for _ in range(4))
    start = commit(add("a.md", a1), subject="Start", when="2024-01-01")
    review = commit(
        modify("a.md", a1, a2),
        parents=(start,),
        subject="Review A",
        when="2024-01-02",
    )
    fix = commit(modify("a.md", a1, a3), parents=(start,), subject="Fix A", when="2024-01-03")
    back = commit(
        modify("a.md", a2, a4),
        parents=(review, fix),
        subject="Merge branch 'main' into review",
        when="2024-01-04",
    )
    merge = commit(
        modify("a.md", a3, a4),
        parents=(fix, back),
        subject="Merge branch 'review'",
        when="2024-01-05",
    )
    versions = document(history([start, review, fix, back, merge]), "a").versions
    assert [(v.commit, v.note) for v in versions] == [
        (start.sha, "Start"),
        (fix.sha, "Fix A"),
        (merge.sha, "Review A"),
    ]


@pytest.mark.parametrize(
    ("go_live", "declared", "source"),
    [
        ("2024-09-09", "2024-09-16", "merge"),  # explicit but already past at the merge
        ("2024-10-30", "2024-10-30", "trailer"),  # explicit and later: the schedule never overrides
        (None, "2024-10-09", "schedule"),  # none: the schedule from the merge's date
    ],
)
def test_a_merge_declares_the_branchs_go_live_never_before_the_merge(go_live, declared, source):
    """SPEC §3: the latest Go-Live of the merged commits, floored at the merge; else the schedule."""
    a1, a2 = sha(), sha()
    start = commit(add("a.md", a1), when="2024-08-01T09:00:00+01:00")
    trailers = (("Go-Live", go_live),) if go_live else ()
    work = commit(
        modify("a.md", a1, a2),
        parents=(start,),
        when="2024-09-02T09:00:00+01:00",
        trailers=trailers,
    )
    other = commit(parents=(start,), when="2024-09-10T09:00:00+01:00")
    merge = commit(modify("a.md", a1, a2), parents=(other, work), when="2024-09-16T10:00:00+01:00")
    latest = document(history([start, work, other, merge], config=SCHEDULED), "a").latest
    assert (latest.declared.date, latest.declared.source) == (D(declared), source)


@pytest.mark.parametrize(
    "ignored",
    [
        Change("A", None, "elsewhere/b.md", None, "f" * 40),  # outside the root
        Change("A", None, "procedures-old/b.md", None, "f" * 40),  # a folder that only starts alike
        Change("A", None, "procedures/image.png", None, "f" * 40),  # not Markdown
        Change("A", None, "procedures/README.md", None, "f" * 40),  # excluded by default
        Change("A", None, "procedures/_drafts/b.md", None, "f" * 40),  # a folder starting "_"
        Change("A", None, "procedures/link.md", None, "f" * 40, "000000", "120000"),  # symlink
        Change("A", None, "procedures/sub.md", None, "f" * 40, "000000", "160000"),  # submodule
    ],
)
def test_files_outside_the_root_or_not_documents_are_ignored(ignored: Change):
    """Only Markdown files under the root are documents."""
    only = commit(add("a.md", sha()), ignored)
    assert [d.id for d in history([only]).documents] == ["a"]


def test_moving_a_document_out_of_the_root_withdraws_it():
    """A rename to a path outside the manual is a withdrawal."""
    a1 = sha()
    commits = line((add("a.md", a1),), (Change("R", path("a.md"), "archive/a.md", a1, a1),))
    assert [v.kind for v in document(history(commits), "a").versions] == ["added", "withdrawn"]


@pytest.mark.parametrize("paired_by_git", ["x.md", "p.md"])
def test_an_explicit_id_beats_gits_rename_pairing(paired_by_git: str):
    """Delete x.md (id x), move id-less p.md to new.md with id x: new.md continues x."""
    x1, p1, new = sha(), sha(), sha()
    metas = {x1: DocMeta(id="x"), new: DocMeta(id="x")}
    gone = "p.md" if paired_by_git == "x.md" else "x.md"
    old_blob = {"x.md": x1, "p.md": p1}
    commits = line(
        (add("x.md", x1), add("p.md", p1)),
        (
            rename(paired_by_git, "new.md", old_blob[paired_by_git], new),
            delete(gone, old_blob[gone]),
        ),
    )
    found = history(commits, metas)
    assert [(v.kind, v.path) for v in document(found, "x").versions] == [
        ("added", "x.md"),
        ("renamed", "new.md"),
    ]
    assert [(v.kind, v.path) for v in document(found, "p").versions] == [
        ("added", "p.md"),
        ("withdrawn", "p.md"),
    ]


def test_settling_a_version_copies_it_as_dataclasses_replace_would():
    """``_settle`` copies each version with its effective date, holder and metadata set by hand
    (faster than ``dataclasses.replace``): the copy equals replace's, field by field."""
    from dataclasses import fields, replace

    from tracker.history.walk import _dated

    a1, a2 = sha(), sha()
    first = commit(add("a.md", a1), trailers={"Go-Live": "2024-12-11", "Change-Note": "New."})
    second = commit(modify("a.md", a1, a2), parents=(first,), when="2024-01-03")
    metas = {a1: DocMeta(title="A", links=("b.md",)), a2: DocMeta(title="A2")}
    for version in document(history([first, second], metas), "a").versions:
        day, holder, meta, waits = (
            D("2025-01-01"),
            first.sha,
            DocMeta(),
            (first.sha, D("2025-01-01")),
        )
        copied = _dated(version, (day, holder, waits), meta)
        replaced = replace(version, effective=day, held_back_by=holder, waits_for=waits, meta=meta)
        assert type(copied) is type(replaced)
        assert [getattr(copied, f.name) for f in fields(copied)] == [
            getattr(replaced, f.name) for f in fields(replaced)
        ]
        assert copied == replaced and hash(copied) == hash(replaced)
        assert copied.__dict__ == replaced.__dict__ and version.effective != copied.effective


def test_the_walker_counts_each_documents_live_paths_as_it_goes():
    """``holders`` (how many live paths each document has, kept beside ``live`` rather than
    made from it for every commit) equals a count of ``live`` after every commit: through
    renames, a rename over a live file, deletions, an id moving files, a duplicate id, and a
    version left out because it cannot be read."""
    from collections import Counter

    from tracker.history.walk import HistoryBuilder

    a1, a2, b1, c1, x1, y1, u1, u2 = (sha() for _ in range(8))
    metas = {
        x1: DocMeta(id="x"), y1: DocMeta(id="x"),
        u1: DocMeta(unreadable="the file is binary, not Markdown"),
    }  # fmt: skip
    commits = line(
        (add("a.md", a1), add("b.md", b1), add("x.md", x1)),
        (rename("a.md", "c.md", a1, a2),),
        (rename("b.md", "c.md", b1, c1),),  # over the live c.md
        (add("y.md", y1),),  # a duplicate id
        (delete("x.md", x1), add("u.md", u1)),  # u.md cannot be read
        (rename("u.md", "v.md", u1, u2), rename("y.md", "z.md", y1, y1)),
        (delete("c.md", c1),),
    )
    builder = HistoryBuilder(ROOT, Config())
    for number in range(len(commits)):
        upto = commits[: number + 1]
        builder.advance({c.sha: c for c in reversed(upto[number:])}, metas, upto[-1].sha)
        walker = builder.walker
        assert walker.holders == Counter(walker.live.values()), number


def test_versions_are_made_as_their_dataclass_makes_them():
    """The walker fills each new version's dict at once (``_version``) rather than through
    the frozen dataclass's ``__init__``: each equals, field by field and dict by dict (no
    field more, none less, in the same order), what ``Version(...)`` makes of its values."""
    from dataclasses import fields

    from tracker.history.identity import _version
    from tracker.history.model import Version

    a1, a2, b1 = sha(), sha(), sha()
    commits = line(
        (add("a.md", a1), add("b.md", b1)),
        (rename("a.md", "c.md", a1, a2), delete("b.md", b1)),
    )
    metas = {a1: DocMeta(title="A"), a2: DocMeta(title="A2", status="archived")}
    builder = HistoryBuilder(ROOT, SCHEDULED)
    builder.advance({c.sha: c for c in reversed(commits)}, metas, commits[-1].sha)
    made = [v for d in builder.walker.documents.values() for v in d.versions]
    walked = {f.name: f for f in fields(Version)}
    assert len(made) == 4
    for version in made:
        values = {name: getattr(version, name) for name in walked}
        expected = Version(**values)
        assert version == expected and hash(version) == hash(expected)
        assert list(version.__dict__.items()) == list(expected.__dict__.items())
    given = {"key": 1, "id": "a", "commit": "c", "committed": None, "author": "A", "path": "a.md",
             "old_path": None, "blob": None, "meta": DocMeta(), "kind": "added", "notes": (),
             "minor": False, "declared": None, "sources": ()}  # fmt: skip
    assert list(_version(**given).__dict__.items()) == list(Version(**given).__dict__.items())
