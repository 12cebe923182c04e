"""Diffs are cached by blob pair beside the index, and a damaged cache is only a cache."""

from __future__ import annotations

import itertools
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ManualRepo, doc

from tracker.index.store import cache_folder


def two_versions(repo: ManualRepo):
    repo.commit({"a.md": doc("A", "Staff should act.")}, when="2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "Staff must act.")}, when="2024-02-01T09:00:00+00:00")
    manual = repo.open()
    first, second = manual.snapshot().document("a").versions
    return manual, first, second


def test_a_diff_is_worked_out_once_and_then_read_from_the_cache(repo: ManualRepo):
    manual, first, second = two_versions(repo)
    text = manual.differ.view(first, second, "text")
    assert "[-should-]{+must+}" in text
    path = cache_folder(manual.repo) / "diffs.sqlite"
    with sqlite3.connect(path) as connection:
        views = {view for (view,) in connection.execute("SELECT view FROM diffs")}
        assert views == {"text"}
        connection.execute("UPDATE diffs SET body = 'from the cache' WHERE view = 'text'")
    assert manual.differ.view(first, second, "text") == "from the cache"
    assert manual.differ.view(second, first, "text") != "from the cache"  # another pair


def test_a_diff_cache_others_could_write_is_not_read_and_is_made_again(repo: ManualRepo, caplog):
    """A cached view is served as it is (HTML in a page): one another user could have
    written is never read, and the file is made again as this user's own."""
    manual, first, second = two_versions(repo)
    manual.differ.view(first, second, "text")
    path = cache_folder(manual.repo) / "diffs.sqlite"
    path.chmod(0o666)
    with sqlite3.connect(path) as connection:  # as someone else could
        connection.execute("UPDATE diffs SET body = 'planted'")
    fresh = repo.open()  # (a new process: nothing remembered in memory)
    assert "[-should-]{+must+}" in fresh.differ.view(first, second, "text")
    assert "may be written by other users, so it is made again" in caplog.text
    assert path.stat().st_mode & 0o022 == 0
    with sqlite3.connect(path) as connection:
        assert "planted" not in {body for (body,) in connection.execute("SELECT body FROM diffs")}


def test_cached_diffs_made_with_other_libraries_are_not_used(repo: ManualRepo):
    """A diff cached before Python-Markdown, nh3 or diff-match-patch was upgraded may render
    otherwise: the key names their versions."""
    from tracker.index.store import digest, library_versions
    from tracker.trackchanges.cache import _LIBRARIES, ALGORITHM, Differ

    manual, first, second = two_versions(repo)
    manual.differ.view(first, second, "text")
    assert {"Markdown", "nh3", "fast-diff-match-patch"} <= set(_LIBRARIES)
    assert manual.differ.made_by == f"{ALGORITHM}.{digest(library_versions(_LIBRARIES))}"
    path = cache_folder(manual.repo) / "diffs.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE diffs SET body = 'from the cache' WHERE view = 'text'")
    assert manual.differ.view(first, second, "text") == "from the cache"
    other = Differ(manual.texts.blob, cache_folder(manual.repo))
    other.made_by = f"{ALGORITHM}.another-markdown"  # (as a process with another release)
    assert "[-should-]{+must+}" in other.view(first, second, "text")
    with sqlite3.connect(path) as connection:  # and the other version's rows are gone
        kept = {old.split(":")[0] for (old,) in connection.execute("SELECT old FROM diffs")}
    assert kept == {other.made_by}
    assert library_versions(("Markdown",)).startswith("Markdown=3.")


def test_a_damaged_cache_is_worked_around(repo: ManualRepo):
    manual, first, second = two_versions(repo)
    manual.differ.view(first, second, "text")
    (cache_folder(manual.repo) / "diffs.sqlite").write_bytes(b"garbage" * 1000)
    assert "[-should-]{+must+}" in manual.differ.view(first, second, "text")


def test_colours_only_on_a_terminal(repo: ManualRepo):
    two_versions(repo)
    command = [sys.executable, "-m", "tracker", "diff", "a", "--repo", str(repo.path)]
    piped = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "\x1b[" not in piped.stdout
    leader, follower = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    with subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL, env=env) as process:
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        process.wait()
    os.close(leader)
    assert b"\x1b[31m[-should-]\x1b[0m" in output
    assert b"\x1b[32m{+must+}\x1b[0m" in output


def test_cache_path_follows_the_cache_dir(repo: ManualRepo, tmp_path: Path):
    manual, first, second = two_versions(repo)
    manual.differ.view(first, second, "json")
    assert (cache_folder(manual.repo) / "diffs.sqlite").is_relative_to(tmp_path / "cache")


def test_the_cache_file_is_bounded_and_drops_its_oldest_diffs_first(repo: ManualRepo, monkeypatch):
    """Anyone may ask for the diff of any two versions and each was kept: the file grew without
    end (security review). TRACKER_DIFF_CACHE_MB bounds it: past it the oldest quarter goes;
    a view bigger than a sixteenth of the bound is not kept; 0 keeps none."""
    monkeypatch.setenv("TRACKER_DIFF_CACHE_MB", "0.1")
    for number in range(40):
        words = " ".join(f"word{number}x{n}" for n in range(150))  # views of about 4 KB
        day = f"2024-{1 + number // 28:02d}-{1 + number % 28:02d}"
        repo.commit({"a.md": doc("A", words)}, when=f"{day}T09:00:00+00:00")
    manual = repo.open()
    versions = manual.snapshot().document("a").versions
    path = cache_folder(manual.repo) / "diffs.sqlite"
    sizes = []
    for before, after in itertools.pairwise(versions):
        manual.differ.view(before, after, "source-text")
        with sqlite3.connect(path) as connection:
            pages, free, size = (connection.execute(f"PRAGMA {name}").fetchone()[0]
                                 for name in ("page_count", "freelist_count", "page_size"))  # fmt: skip
            sizes.append((pages - free) * size)
            kept = [new for (new,) in connection.execute("SELECT new FROM diffs ORDER BY rowid")]
    assert max(sizes) <= 100_000 + 10 * 4096  # (the last view, and the pages a row spans)
    assert kept[-1] == versions[-1].blob and versions[1].blob not in kept
    assert 5 < len(kept) < len(versions) - 1
    big = " ".join(f"big{n}" for n in range(2_000))  # its view: over 6,250 bytes
    repo.commit({"a.md": doc("A", big)}, when="2024-03-01T09:00:00+00:00")
    fresh = repo.open()
    last, newest = fresh.snapshot().document("a").versions[-2:]
    assert "big1999" in fresh.differ.view(last, newest, "source-text")
    with sqlite3.connect(path) as connection:
        assert newest.blob not in {new for (new,) in connection.execute("SELECT new FROM diffs")}
    monkeypatch.setenv("TRACKER_DIFF_CACHE_MB", "0")
    path.unlink()
    none = repo.open()
    none.differ.view(versions[0], versions[1], "text")
    assert not path.exists() or not sqlite3.connect(path).execute("SELECT * FROM diffs").fetchall()


def test_a_pages_summaries_read_in_one_go_are_each_changes_own(repo: ManualRepo):
    """``summariser`` reads the summaries the file holds at once, works out the others, and
    gives each change its own; a damaged file is only a cache."""
    for number, word in enumerate(("should", "must", "will", "shall")):
        repo.commit(
            {"a.md": doc("A", f"Staff {word} act.")}, when=f"2024-0{number + 1}-01T09:00:00+00:00"
        )
    manual = repo.open()
    changes = manual.snapshot().document("a").changes
    expected = [manual.differ.summary(before, after) for before, after in changes[:2]]
    fresh = repo.open()  # (nothing in memory: the first two from the file, the others made)
    summarise = fresh.differ.summariser(changes)
    found = [summarise(before, after) for before, after in reversed(changes)][::-1]
    assert found[:2] == expected
    assert found == [repo.open().differ.summary(before, after) for before, after in changes]
    assert found[0] != found[1]  # (the first made the chapter: another summary)
    path = cache_folder(manual.repo) / "diffs.sqlite"
    path.write_bytes(b"not a database" * 100)
    damaged = repo.open().differ.summariser(changes)
    assert [damaged(before, after) for before, after in changes] == found


def test_a_chapter_titled_by_its_file_name_renamed_has_its_title_changed(repo: ManualRepo):
    """SPEC §4 marks such an entry renamed; its summary said "No changes." (exploratory
    testing). A chapter that names its title, moved, keeps it; one that takes a heading as its
    title as it moves says what it was called before. The same text moved twice is two diffs,
    each of its own names (the cache keeps them apart)."""
    repo.commit({"old-name.md": "Just some text.\n", "titled.md": doc("Titled", "Text.")},
                when="2024-01-05T12:00:00+00:00")  # fmt: skip
    repo.move("old-name.md", "new-name.md", when="2024-02-05T12:00:00+00:00")
    repo.move("titled.md", "moved.md", when="2024-02-06T12:00:00+00:00")
    repo.move("new-name.md", "third.md", when="2024-02-07T12:00:00+00:00")
    repo.git("mv", "procedures/third.md", "procedures/fourth.md")
    repo.commit({"fourth.md": "# Fourth\n\nJust some text.\n"}, when="2024-02-08T12:00:00Z")
    manual = repo.open()
    snapshot = manual.snapshot()
    named, titled = (snapshot.document(key).versions for key in ("fourth", "moved"))
    assert [manual.differ.summary(*pair)["text"] for pair in itertools.pairwise(named)] == [
        "Details changed: title (“old-name” to “new-name”).",
        "Details changed: title (“new-name” to “third”).",
        "Details changed: title (“third” to “Fourth”). 1 word added.",
    ]
    assert manual.differ.summary(*titled)["text"] == "No changes."
    assert repo.open().differ.summary(named[0], named[1])["details"] == ["title"]  # (kept)


def test_a_chapter_that_comes_to_be_titled_by_its_file_name_or_not_says_both_titles(
    repo: ManualRepo,
):
    """Its file not renamed: the title as it was and as it is, and the heading that gave it
    or gives it is not also a section removed or added (review: "Details changed: title.
    Removed section: Eee Title.")."""
    repo.commit({"e.md": "# Eee Title\n\nText.\n", "h.md": "Text.\n"}, when="2024-01-05T12:00Z")
    repo.commit({"e.md": "Text.\n", "h.md": "# Aitch Proper\n\nText.\n"}, when="2024-02-05T12:00Z")
    manual = repo.open()
    snapshot = manual.snapshot()
    texts = [manual.differ.summary(*snapshot.document(key).versions)["text"] for key in "eh"]
    assert texts == [
        "Details changed: title (“Eee Title” to “e”). 2 words removed.",
        "Details changed: title (“h” to “Aitch Proper”). 2 words added.",
    ]
