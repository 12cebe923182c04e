"""``tracker check``: what an author should fix before a release (SPEC §7).

Each finding names its rule (``rule``), so that CI can show it as an annotation and authors
can look it up in docs/authors.md. Errors make the command exit 1; warnings alone do not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from itertools import pairwise

from tracker.authoring.clocks import clock_problems, zone_problems
from tracker.authoring.conflicts import conflict_problems
from tracker.authoring.endings import RULE as ENDINGS
from tracker.authoring.endings import ending_problems
from tracker.authoring.footnotes import footnote_problems
from tracker.authoring.images import BROKEN, CHANGED, Objects, image_problems
from tracker.authoring.lines import Lines
from tracker.authoring.lists import list_problems
from tracker.authoring.movedlinks import RULE as MOVED_LINK
from tracker.authoring.movedlinks import moved_link_problems
from tracker.authoring.notfiles import RULE as NOT_A_FILE
from tracker.authoring.notfiles import not_file_problems
from tracker.authoring.plainly import plain_problems
from tracker.authoring.sections import name_problems
from tracker.authoring.suggest import Suggestions
from tracker.history.documents import path_id
from tracker.history.links import (
    ANCHOR_PREFIX,
    composed,
    landing_ids,
    link_path,
    page_anchor,
    page_ids,
    shadowed,
)
from tracker.history.model import SETTINGS_INVALID, Document, Problem, Version
from tracker.history.releases import day_runs, undone
from tracker.history.snapshot import Snapshot, page_of

# Go-live warnings cover versions not yet live and those that went live this recently.
RECENT_DAYS = 30
REVIEW_SOON_DAYS = 30  # a review due this soon is worth a warning
RULES = (
    "front-matter", "conflict-marker", "not-utf8", "too-large", "lfs-pointer", "missing-object",
    "invalid-id", "duplicate-id", "address-clash", "duplicate-title", "id-case",
    "section-spelling", "section-unused", "image-alt", "list-indent", "footnote", "shown-plain",
    "move-lost", "id-changed", "newsletter-template", "broken-link", BROKEN, CHANGED,
    "broken-anchor", "heading-id-clash", "go-live-invalid", "go-live-twice", "go-live-far",
    "unread-trailer", "unknown-trailer", "back-dated", "held-back", "clock-wrong",
    "missing-change-note", "change-undone", "review-overdue", "review-due-soon", SETTINGS_INVALID,
    "settings-unread", "schedule-ended", "timezone-no-place", "earlier-changes",
    "branch-replaced", NOT_A_FILE, "not-pushed", ENDINGS, MOVED_LINK,
)  # fmt: skip
# What depends on the release schedule, and is not checked while the newest settings cannot
# be read (the manual is then read with the last readable ones: tracker/settings.py); the
# newsletter's templates are then compiled, and their findings reported, but not tried with
# a release.
SCHEDULED = (
    "back-dated", "held-back", "missing-change-note", "change-undone", "schedule-ended",
    ENDINGS,
)  # fmt: skip


def check_manual(
    snapshot: Snapshot,
    today: date,
    published: Callable[[Version], str] | None = None,
    since: date | None = None,
    templates: Iterable[Problem] = (),
    files: Objects | None = None,
    source: Callable[[Version], str] | None = None,
    plain: Callable[[str], str | None] | None = None,
) -> list[Problem]:
    """Every error and warning, errors first, each kind a file's findings together, by line
    (its findings without one first), the files in the order found (``published``: a
    version's text as the website shows it, sanitised HTML, for what only that shows, such as
    its images; ``templates``: what is wrong with the newsletter's templates, found by
    ``publish.newsletter``, and commits not yet pushed, found by ``opening``; ``files``: the
    blob id and size of a file at a commit, for the files its images name, and the links named
    as documents; ``source``: a version's Markdown, for the lines of findings in it;
    ``plain``: why the website shows a Markdown text as written, if it does).
    While the newest settings cannot be read, their error comes first, saying what is not
    checked (``unchecked``)."""
    since = since or _recent(today)
    lines = Lines(source)
    broken = settings_error(snapshot)
    left = set(unchecked(snapshot))
    problems = [
        *([_not_checked(broken)] if broken is not None else []),
        # Commits cannot be changed: what is wrong with an old one is history, not a to-do. A
        # version git lacks is the repository's to mend, however old (a damaged mirror).
        *(
            p
            for p in snapshot.problems
            if (p.day is None or p.day >= since or p.rule == "missing-object")
            and p.rule not in left
            and p is not broken
            and not _mended(snapshot, p)
        ),
        *_front_matter(snapshot, lines),
        *_duplicates(snapshot),
        *_address_clashes(snapshot),
        *name_problems(snapshot, lines),
        *_broken_links(snapshot, lines),
        *_heading_clashes(snapshot),
        *(_go_live(snapshot, since) if broken is None else ()),
        *clock_problems(snapshot, since),
        *zone_problems(snapshot),
        *(_missing_notes(snapshot, today) if broken is None else ()),
        *(_undone(snapshot, today) if broken is None else ()),
        *_lost_moves(snapshot, since),
        *(moved_link_problems(snapshot, since, lines, source) if source is not None else ()),
        *_reviews(snapshot, today),
        *(image_problems(snapshot, published, files, lines) if published is not None else ()),
        *(not_file_problems(snapshot, files) if files is not None else ()),
        *(list_problems(snapshot, source) if source is not None else ()),
        *(footnote_problems(snapshot, source) if source is not None else ()),
        *(ending_problems(snapshot, today, source) if source and broken is None else ()),
        *(plain_problems(snapshot, source, plain) if source and plain else ()),
        *(conflict_problems(snapshot, source) if source is not None else ()),
        *templates,
    ]
    # Errors first, then warnings, each kind a file's findings together, by line, the files in
    # the order found: every format's order (JSON's and CI's annotations listed a file's
    # findings in another order than the text: newcomer's testing).
    first: dict[tuple[str, str], int] = {}
    for problem in problems:
        first.setdefault((problem.level, problem.where), len(first))
    return sorted(
        problems, key=lambda p: (p.level != "error", first[p.level, p.where], p.line or 0)
    )


def settings_error(snapshot: Snapshot) -> Problem | None:
    """The error of the newest settings, when they cannot be read (``tracker check`` alone
    reads such a manual: ``Manual.despite_broken_settings``)."""
    return next((p for p in snapshot.problems if p.rule == SETTINGS_INVALID), None)


def unchecked(snapshot: Snapshot) -> list[str]:
    """The rules not checked: those that depend on the release schedule, while the newest
    settings cannot be read. Not ``newsletter-template``, whose templates are still compiled
    and its findings reported (``tries_templates``: only trying them with a release waits)."""
    return list(SCHEDULED) if settings_error(snapshot) is not None else []


def tries_templates(snapshot: Snapshot) -> bool:
    """Whether the newsletter's templates are tried with a release, besides being compiled:
    not while the newest settings cannot be read (the release's dates would be a guess)."""
    return settings_error(snapshot) is None


def _not_checked(broken: Problem) -> Problem:
    """The settings' error, saying what cannot be checked until it is mended."""
    message = (
        f"{broken.message}, and what depends on the release schedule is not checked "
        f"({', '.join(SCHEDULED)}; the newsletter's templates are compiled but not tried with "
        "a release)"
    )
    return Problem("error", broken.where, message, rule=broken.rule, line=broken.line)


def _recent(today: date) -> date:
    """The first day of the recent past that go-live warnings look at."""
    try:
        return today - timedelta(days=RECENT_DAYS)
    except OverflowError:
        return date.min


def _published(snapshot: Snapshot) -> list[Document]:
    return [doc for doc in snapshot.documents if not doc.latest.deleted]


def _front_matter(snapshot: Snapshot, lines: Lines) -> list[Problem]:
    found = []
    for doc in _published(snapshot):
        for message in doc.latest.meta.problems:
            where = lines.front_matter(doc.latest, message)
            found.append(
                Problem("error", doc.latest.path, message, rule="front-matter", line=where)
            )
    return found


def _duplicates(snapshot: Snapshot) -> list[Problem]:
    ids: dict[str, list[Document]] = defaultdict(list)
    titles: dict[str, list[str]] = defaultdict(list)
    for doc in _published(snapshot):
        ids[doc.latest.meta.id or path_id(doc.latest.path)].append(doc)
        if not doc.latest.withdrawn:
            titles[doc.latest.title.casefold()].append(doc.latest.path)
    found = []
    for ident, docs in sorted(ids.items()):
        holder = next((doc for doc in docs if doc.id == ident), docs[0])  # (it has the id)
        for other in (doc for doc in docs if doc is not holder):
            message = (
                f"has the id {ident!r}, which {holder.latest.path} already uses"
                if other.latest.meta.id
                else f"takes the id {ident!r} from its path, but {holder.latest.path} has that "
                f"id, so it is published as {other.id!r}; give one of them another id"
            )
            found.append(Problem("error", other.latest.path, message, rule="duplicate-id"))
    return found + [
        Problem(
            "warning",
            other,
            f"has the same title as {first}, so readers cannot tell them apart",
            rule="duplicate-title",
        )
        for _, (first, *others) in sorted(titles.items())
        for other in others
    ]


def _address_clashes(snapshot: Snapshot) -> list[Problem]:
    """Ids the website cannot show: ``a/history`` beside a document ``a`` is the address of
    a's history (its diff and feed likewise; ``a/at/DATE`` and ``a/diff/A/B`` of its pages in
    a static copy), so the document with that id is never reached (``Snapshot.clashing``,
    which the website asks too). Beside a former id it is."""
    found = []
    for doc in _published(snapshot):
        if (address := snapshot.clashing.get(doc.id)) is not None:
            message = (
                f"has the id {doc.id!r}, which is the address of {page_of(*address)}, so it "
                "cannot be shown there"
            )
            found.append(Problem("error", doc.latest.path, message, rule="address-clash"))
    return found


def _broken_links(snapshot: Snapshot, lines: Lines) -> list[Problem]:
    live = {composed(doc.latest.path): doc for doc in _published(snapshot)}  # (as links name them)
    ids: dict[str, set[str]] = {}  # the ids of each linked document's headings on its page
    former = {composed(v.path): doc.latest.path for doc in live.values() for v in doc.versions}
    problems, suggest = [], Suggestions(live, former)
    for doc in live.values():
        version = doc.latest
        for target in version.meta.links:
            path, _, fragment = target.partition("#")
            resolved = link_path(version.path, path) if path else version.path
            linked = live.get(composed(resolved)) if resolved else None
            if linked is None:
                message = f"links to {path}, which is not a document"
                message += suggest.path(version.path, resolved or path)
                line = lines.address(version, target, path)
                problems.append(
                    Problem("error", version.path, message, rule="broken-link", line=line)
                )
            elif fragment and not _ids(ids, linked.latest) & set(
                landing_ids(page_anchor(fragment))
            ):
                where = path or "this document"
                message = f"links to {target}, but {where} has no heading with that id"
                message += suggest.heading(fragment, linked.latest, _ids(ids, linked.latest))
                line = lines.address(version, target, path)
                problems.append(
                    Problem("error", version.path, message, rule="broken-anchor", line=line)
                )
    return problems


def _heading_clashes(snapshot: Snapshot) -> list[Problem]:
    """Headings whose ids meet ("47 Enquiries" beside "Section 47 Enquiries"): a link written
    as authors are told to write it, #section-47-enquiries, goes to the first."""
    problems = []
    for doc in _published(snapshot):
        for section, other in shadowed(doc.latest.meta.anchors):
            message = (
                f"has a heading with the id {other!r} and one with {section!r}, so a link to "
                f"#{section} goes to the first; link to the second as "
                f"#{ANCHOR_PREFIX}{section}, or reword one of them"
            )
            problems.append(Problem("warning", doc.latest.path, message, rule="heading-id-clash"))
    return problems


def _ids(known: dict[str, set[str]], version: Version) -> set[str]:
    """The ids of a version's headings on its page (the same rule as the website's links): a
    link lands where one of them is an id a browser looks for (``landing_ids``)."""
    found = known.get(version.path)
    if found is None:
        found = known[version.path] = page_ids(version.meta.anchors)
    return found


def _go_live(snapshot: Snapshot, since: date) -> list[Problem]:
    """Back-dated and held-back versions that are not yet live or went live recently."""
    return [
        Problem(
            "warning",
            f"{doc.id} (commit {version.commit[:10]})",
            reason,
            rule="back-dated" if reason.startswith("back-dated") else "held-back",
            document=doc.key,
        )
        for doc in snapshot.documents
        for version in doc.versions
        if version.effective >= since
        for reason in version.reasons
    ]


def _missing_notes(snapshot: Snapshot, today: date) -> list[Problem]:
    problems = []
    for release in snapshot.upcoming(today):
        for entry in release.entries:
            subjects = [note.text for note in entry.notes if not note.explicit]
            if entry.minor or (entry.notes and not subjects):
                continue
            if any(note.explicit for note in entry.notes):  # (a guidance's are left out)
                if entry.type == "guidance":
                    continue
                some = (
                    "a change that has"
                    if len(subjects) == 1
                    else f"{len(subjects)} changes that have"
                )
                message = (
                    f"goes live on {release.date} with {some} no Change-Note, so the newsletter "
                    f"shows {'its commit subject' if len(subjects) == 1 else 'their subjects'} "
                    f"({', '.join(map(repr, subjects))}) with the notes"
                )
            else:  # (no subject either: an empty commit message)
                shown = (
                    "by its title alone"
                    if entry.type == "guidance" or not subjects
                    else "with its commit subject"
                )
                message = (
                    f"goes live on {release.date} without a Change-Note, "
                    f"so the newsletter lists it {shown}"
                )
            problems.append(Problem("warning", entry.id, message, rule="missing-change-note"))
    return problems


def _undone(snapshot: Snapshot, today: date) -> list[Problem]:
    """Upcoming changes that leave a chapter as it was (a change and its revert going live on
    one day): the newsletter leaves them out, which their authors may not expect."""
    problems = []
    for doc in snapshot.documents:
        versions = doc.versions
        for first, last in day_runs(versions):
            going_live = versions[first : last + 1]
            day = going_live[0].effective
            if day <= today or not first or all(version.minor for version in going_live):
                continue
            if undone(versions[first - 1], versions[last]):
                changes = "changes" if len(going_live) > 1 else "a change"
                message = (
                    f"goes live on {day} with {changes} that leave{'s' * (changes[0] == 'a')} "
                    "its text as it was the day before (a change and its undoing), so the "
                    "newsletter leaves it out and its notes are not announced"
                )
                problems.append(Problem("warning", doc.id, message, rule="change-undone"))
    return problems


def _mended(snapshot: Snapshot, problem: Problem) -> bool:
    """An id-changed warning whose chapter is back since (its id put back): nothing is lost."""
    if problem.rule != "id-changed" or problem.document is None:
        return False
    return not snapshot.documents.by_key(problem.document).latest.withdrawn


def _lost_moves(snapshot: Snapshot, since: date) -> list[Problem]:
    """A document added by the commit that deleted another of the same title: a move git could
    not follow (the file was also much changed, and has no id of its own), so
    the history and old address stop there, and the newsletter says the chapter is new and
    withdrawn. Said for the recent past and what is to come, as the go-live warnings are."""
    deleted: dict[str, list[tuple[Document, Version]]] = defaultdict(list)  # by commit
    for doc in snapshot.documents:
        for before, version in pairwise(doc.versions):
            if version.deleted and version.effective >= since:
                deleted[version.commit].append((doc, before))
    # (a move git followed whose id changed is id-changed's to say: review)
    said = {p.document for p in snapshot.problems if p.rule == "id-changed"}
    problems = []
    for doc in snapshot.documents:
        added = doc.versions[0]
        for gone, was in deleted.get(added.commit, ()):
            if gone.key in said or gone is doc or added.title.casefold() != was.title.casefold():
                continue
            keep = (
                "give a document an id: before moving it (the only way through a squash "
                "merge), or move it in a commit of its own and change it in the next"
            )
            if was.meta.id:  # (it had an id of its own, and lost it: keeping it was the way)
                keep = f"keep its id {was.meta.id!r}"
            message = (
                f"was added by the commit that deleted {was.path}, of the same title: if it "
                "was moved, git could not follow it (it was much changed as well), so its "
                "history and old address stop there and the newsletter lists it as new and "
                f"the other as withdrawn; to keep them, {keep}"
            )
            problems.append(Problem("warning", added.path, message, rule="move-lost"))
    return problems


def _reviews(snapshot: Snapshot, today: date) -> list[Problem]:
    problems = []
    for doc in snapshot.documents:
        due = doc.latest.meta.review_due
        if doc.latest.withdrawn or due is None:
            continue
        if due < today:
            message = f"was due for review on {due}"
            problems.append(Problem("warning", doc.id, message, rule="review-overdue"))
        elif (due - today).days <= REVIEW_SOON_DAYS:
            message = f"is due for review on {due}, within {REVIEW_SOON_DAYS} days"
            problems.append(Problem("warning", doc.id, message, rule="review-due-soon"))
    return problems
