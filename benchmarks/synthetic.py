"""A seeded synthetic manual in a git repository, written by one ``git fast-import``.

    .venv/bin/python benchmarks/synthetic.py DIR [--chapters 300] [--commits 10000] [--seed 8]

N chapters (2 to 30 KB of Markdown from the demo manual's text, with front matter) and M
commits spread over ten years (2015 to 2024): edits of one chapter or several, with
``Change-Note``, ``Change-Type: minor`` and ``Go-Live`` trailers (dates, ``immediate``, a few
back-dated); chapters added, renamed or moved, deleted and restored; short branches whose
commits carry their own trailers, merged later; commits outside the manual's folder; and a
``manual.toml`` with a monthly release schedule. ``append_commits`` adds K more edits to a
repository made this way (the incremental figures). The same seed gives the same repository.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from content import (
    AUTHORS,
    SECTIONS,
    Chapter,
    edit,
    edit_subject,
    manual_toml,
    message,
    new_chapter,
    parse_chapter,
    related,
    slug,
)
from gitstream import FastImport, drop_branches, git, read_files

FOLDER = "procedures"  # the manual's root folder in the repository
START = datetime(2015, 1, 5, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=3_650)  # the history's commits are spread over ten years
APPENDED_EVERY = timedelta(hours=3)  # appended commits follow the last one at this pace
FIRST_IMPORT = 0.7  # share of the chapters in the first commit; the rest are added later


@dataclass
class Built:
    """What a generated repository holds, for the benchmark to choose from and tests to check."""

    path: Path
    commits: int
    chapters: int  # documents in the manual at its head
    renamed: list[str] = field(default_factory=list)  # ids of chapters renamed or moved
    deleted: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # ids changed on a branch, then merged


@dataclass
class Branch:
    """A short branch: a few commits on some chapters, merged into main later."""

    name: str
    tip: str
    chapters: list[Chapter]
    commits_left: int
    merge_after: int  # merged once this many commits have been made


class History:
    """Makes the commits, keeping each chapter's text and where it lives."""

    def __init__(self, out: FastImport, seed: int, chapters: list[Chapter], built: Built) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.alive = chapters
        self.unborn: list[int] = []  # numbers of chapters still to be added
        self.gone: list[Chapter] = []  # deleted, may come back
        self.branches: list[Branch] = []
        self.built = built
        self.made = 0
        self.main = "refs/heads/main^0"  # an existing repository's head, for an append
        self.clock = START
        self.step = SPAN
        self.add_every = 1

    def commit(
        self,
        when: datetime,
        text: str,
        files: dict[str, str | None],
        merge: Sequence[str] = (),
        renames: Sequence[tuple[str, str]] = (),
    ) -> None:
        """A commit on main (a merge when ``merge`` names the other parents)."""
        author = self.rng.choice(AUTHORS)
        parents = [self.main, *merge]
        self.main = self.out.commit("refs/heads/main", when, author, text, files, parents, renames)
        self.made += 1

    def when(self) -> datetime:
        """The next commit's time: evenly spread, a little jittered, always later."""
        jitter = timedelta(seconds=self.rng.uniform(0, self.step.total_seconds() / 2))
        return self.clock + self.step * self.made + jitter

    def pick(self, count: int = 1) -> list[Chapter]:
        """Chapters to change, busy ones more often (a few chapters get most of the edits)."""
        free = [chapter for chapter in self.alive if not chapter.locked]
        chosen: dict[int, Chapter] = {}
        while free and len(chosen) < min(count, len(free)):
            chapter = free[int(len(free) * self.rng.random() ** 1.5)]
            chosen[id(chapter)] = chapter
        return list(chosen.values())

    # The kinds of commit, each one commit on main (a branch's commits and merge are others).

    def first_import(self, count: int, total: int) -> None:
        when = self.when()
        everything = [new_chapter(n, self.rng, when.date()) for n in range(count)]
        self.alive = everything[: max(1, int(count * FIRST_IMPORT))]
        self.unborn = list(range(len(self.alive), count))
        # The rest are added, evenly, over the first half of the history.
        self.add_every = max(1, total // 2 // (len(self.unborn) + 1))
        files: dict[str, str | None] = {f"{FOLDER}/manual.toml": manual_toml()}
        files["README.md"] = "# Procedures\n\nThe partnership's multi-agency procedures.\n"
        files |= {f"{FOLDER}/{c.path}": c.text() for c in self.alive}
        self.main = self.out.commit(
            "refs/heads/main", when, AUTHORS[3], "Import the manual\n", files
        )
        self.made += 1

    def edit(self, count: int) -> None:
        chapters = self.pick(count)
        if not chapters:
            return self.outside()
        day, minor = self.when(), self.rng.random() < 0.15
        for chapter in chapters:
            edit(chapter, self.rng)
            if not minor and self.rng.random() < 0.3:  # reviewed: due again in two years
                chapter.review_due = (day + timedelta(days=730)).date().replace(day=1)
            if self.rng.random() < 0.05:
                related(chapter, self.rng.choice(self.alive))
        heading = chapters[0].heading(self.rng)
        subject = edit_subject(chapters[0], self.rng, heading, minor)
        if len(chapters) > 1:
            subject = "Update contact details and links across chapters"
        files: dict[str, str | None] = {f"{FOLDER}/{c.path}": c.text() for c in chapters}
        self.commit(day, message(subject, self.rng, day.date(), heading, minor), files)
        return None

    def add(self) -> None:
        if not self.unborn:
            return self.edit(1)
        day = self.when()
        chapter = new_chapter(self.unborn.pop(0), self.rng, day.date())
        self.alive.append(chapter)
        text = message(f"Add {chapter.title}", self.rng, day.date(), "", False)
        self.commit(day, text, {f"{FOLDER}/{chapter.path}": chapter.text()})
        return None

    def rename(self) -> None:
        chosen = self.pick(1)
        if not chosen:
            return self.outside()
        chapter, day = chosen[0], self.when()
        old = chapter.path
        if self.rng.random() < 0.5:  # moved to another section
            chapter.section = self.rng.choice([s for s in SECTIONS if s != chapter.section])
            chapter.path = f"{SECTIONS[chapter.section]}/{old.rsplit('/', 1)[1]}"
            subject = f"Move {chapter.title} to {chapter.section}"
        else:  # renamed (and back again, the next time)
            base = chapter.title.removesuffix(" and Support")
            chapter.title = base if base != chapter.title else base + " and Support"
            chapter.path = f"{old.rsplit('/', 1)[0]}/{slug(chapter.title)}.md"
            subject = f"Rename {chapter.title}"
        if any(other.path == chapter.path for other in self.alive if other is not chapter):
            chapter.path = chapter.path.removesuffix(".md") + f"-{self.made}.md"
        self.built.renamed.append(chapter.id)
        text = message(subject, self.rng, day.date(), "", False)
        files: dict[str, str | None] = {f"{FOLDER}/{chapter.path}": chapter.text()}
        self.commit(day, text, files, renames=[(f"{FOLDER}/{old}", f"{FOLDER}/{chapter.path}")])
        return None

    def delete(self) -> None:
        chosen = self.pick(1)
        if not chosen or len(self.alive) < 3:
            return self.outside()
        chapter = chosen[0]
        self.alive.remove(chapter)
        self.gone.append(chapter)
        self.built.deleted.append(chapter.id)
        day = self.when()
        subject = f"Withdraw {chapter.title}\n\nChange-Note: {chapter.title} has been withdrawn."
        self.commit(day, subject + "\n", {f"{FOLDER}/{chapter.path}": None})
        return None

    def restore(self) -> None:
        taken = {chapter.path for chapter in self.alive}
        back = [chapter for chapter in self.gone if chapter.path not in taken]
        if not back:
            return self.edit(1)
        chapter = back[0]
        self.gone.remove(chapter)
        self.alive.append(chapter)
        self.built.restored.append(chapter.id)
        edit(chapter, self.rng)
        day = self.when()
        text = message(f"Restore {chapter.title}", self.rng, day.date(), "", False)
        self.commit(day, text, {f"{FOLDER}/{chapter.path}": chapter.text()})
        return None

    def outside(self) -> None:
        """A commit that changes nothing in the manual's folder."""
        day = self.when()
        script = f"#!/bin/sh\n# Checks the manual before a release.\necho {self.made}\n"
        self.commit(day, "Update the release script\n", {"scripts/release.sh": script})

    # Branches: opened with a first commit, then more commits, then merged.

    def open_branch(self) -> None:
        chapters = self.pick(self.rng.choice((1, 1, 2, 3)))
        if not chapters:
            return self.edit(1)
        for chapter in chapters:
            chapter.locked = True
        name = f"refs/heads/topic-{self.made}"
        branch = Branch(name, self.main, chapters, self.rng.choice((1, 2, 3)), 0)
        branch.merge_after = self.made + branch.commits_left + self.rng.randrange(2, 30)
        self.branches.append(branch)
        return self.branch_commit(branch)

    def branch_commit(self, branch: Branch) -> None:
        day, minor = self.when(), self.rng.random() < 0.1
        chapter = self.rng.choice(branch.chapters)
        edit(chapter, self.rng)
        heading = chapter.heading(self.rng)
        text = message(
            edit_subject(chapter, self.rng, heading, minor), self.rng, day.date(), heading, minor
        )
        files: dict[str, str | None] = {f"{FOLDER}/{chapter.path}": chapter.text()}
        author = self.rng.choice(AUTHORS)
        branch.tip = self.out.commit(branch.name, day, author, text, files, [branch.tip])
        branch.commits_left -= 1
        self.made += 1

    def merge(self, branch: Branch) -> None:
        self.branches.remove(branch)
        for chapter in branch.chapters:
            chapter.locked = False
        self.built.merged += [chapter.id for chapter in branch.chapters]
        files: dict[str, str | None] = {f"{FOLDER}/{c.path}": c.text() for c in branch.chapters}
        subject = f"Merge branch '{branch.name.removeprefix('refs/heads/')}'\n"
        if self.rng.random() < 0.3:
            subject += "\nChange-Note: Changes agreed by the Procedures Group.\n"
        self.commit(self.when(), subject, files, merge=[branch.tip])

    def next(self, total: int, forced: list[tuple[int, str]]) -> None:
        """One more commit: a branch's, a merge, or a kind of change on main."""
        pending = sum(branch.commits_left + 1 for branch in self.branches)
        for branch in self.branches:
            if branch.commits_left == 0 and (
                self.made >= branch.merge_after or total - self.made <= pending
            ):
                return self.merge(branch)
        open_ = [b for b in self.branches if b.commits_left]
        if open_ and (self.rng.random() < 0.3 or total - self.made <= pending):
            return self.branch_commit(open_[0])
        if self.unborn and self.made % self.add_every == 0:
            return self.add()
        # What must happen at least once (even in a small manual), as soon as it is due.
        kind = forced.pop(0)[1] if forced and self.made >= forced[0][0] else None
        roll = self.rng.random()
        if kind == "branch" or (roll < 0.02 and len(self.branches) < 2 and total - self.made > 40):
            return self.open_branch()
        named = {"rename": self.rename, "delete": self.delete, "restore": self.restore}
        if kind in named:
            return named[kind]()
        steps = ((0.03, self.outside), (0.04, self.rename), (0.045, self.delete))
        for limit, action in (*steps, (0.05, self.restore)):
            if roll < limit:
                return action()
        return self.edit(self.rng.choice((2, 3, 5)) if roll < 0.3 else 1)


def build(
    path: Path, chapters: int = 300, commits: int = 10_000, seed: int = 8, repack: bool = True
) -> Built:
    """Create the repository at ``path`` (a new folder): ``chapters`` by ``commits``.

    ``repack`` packs it as ``git gc --aggressive`` or a clone from a hosting service would
    (newest versions whole, older ones as deltas, and a commit-graph): fast-import's own pack
    keeps each file's first version whole and chains later ones onto it, which git reads more
    slowly (about 1.6 times, for git's floor at 10,000 commits).
    """
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    built = Built(path, commits, chapters)
    out = FastImport(path)
    history = History(out, seed, [], built)
    history.step = SPAN / max(1, commits)
    history.first_import(chapters, commits)
    forced = [(int(commits * share), kind) for share, kind in _FORCED]
    while history.made < commits or history.branches:  # every branch is merged in the end
        history.next(commits, forced)
    out.close()
    if repack:
        git(path, "repack", "-a", "-d", "-f", "-q")
        git(path, "commit-graph", "write", "--reachable")
    _finish(path)
    built.commits, built.chapters = history.made, len(history.alive)
    return built


_FORCED = ((0.3, "rename"), (0.4, "delete"), (0.5, "branch"), (0.7, "restore"))  # even when small


def append_commits(path: Path, count: int, seed: int) -> None:
    """Add ``count`` edits (one chapter or several each) to a repository ``build`` made."""
    listing = git(path, "ls-tree", "-r", "--name-only", "HEAD", "--", FOLDER + "/").split("\n")
    paths = [name for name in listing if name.endswith(".md")]
    texts = read_files(path, "HEAD", paths)
    chapters = [
        parse_chapter(name.removeprefix(FOLDER + "/"), text)
        for name, text in zip(paths, texts, strict=True)
    ]
    last = int(git(path, "log", "-1", "--format=%ct", "HEAD"))
    out = FastImport(path)
    history = History(out, seed, chapters, Built(path, count, len(chapters)))
    history.clock = datetime.fromtimestamp(last, UTC) + APPENDED_EVERY
    history.step = APPENDED_EVERY
    while history.made < count:
        history.edit(history.rng.choice((1, 1, 1, 2, 3)))
    out.close()
    _finish(path)


def _finish(path: Path) -> None:
    """Drop the merged branches' names and check the work tree out at the head."""
    drop_branches(path, "refs/heads/topic-*")
    git(path, "reset", "-q", "--hard", "HEAD")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="the repository to create (a new folder)")
    parser.add_argument("--chapters", type=int, default=300)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--no-repack", action="store_true", help="keep fast-import's pack as it wrote it"
    )
    parser.add_argument("--append", type=int, metavar="K", help="add K commits to DIR instead")
    args = parser.parse_args(argv)
    if args.append:
        append_commits(args.dir, args.append, args.seed)
        print(f"Added {args.append} commits to {args.dir}.")
        return
    built = build(args.dir, args.chapters, args.commits, args.seed, not args.no_repack)
    print(
        f"Built {built.path}: {built.commits} commits, {built.chapters} chapters at the head, "
        f"{len(built.renamed)} renames, {len(built.deleted)} deletions, "
        f"{len(built.restored)} restored, {len(built.merged)} chapters merged from branches."
    )


if __name__ == "__main__":
    sys.exit(main())
