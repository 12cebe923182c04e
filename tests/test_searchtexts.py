"""Search's words kept beside the index (web/searchtexts.py): a restarted service, another
worker or an export reads them instead of converting every chapter again, and never reads
words it cannot trust."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import ManualRepo, doc

from tracker.manual import open_manual
from tracker.publish.searchtext import shown_text
from web.searchtexts import UNUSED_DAYS, made_by
from web.site import Site, entries

TODAY = date(2024, 6, 1)
MARK = "zebracrossing"  # a word no chapter has


def manual(repo: ManualRepo) -> ManualRepo:
    repo.commit({"a.md": doc("Alpha", "Alpha's own words."), "b.md": doc("Beta", "Beta text."),
                 "c.md": doc("Gamma", "Gamma text.")}, "Add", "2024-01-01T09:00:00+00:00")  # fmt: skip
    return repo


def site(repo: ManualRepo) -> Site:
    """A service's state as a new process (or another worker) starts with it."""
    return Site(open_manual(repo.path), TODAY)


def found(repo: ManualRepo, query: str) -> list[str]:
    serving = site(repo)
    return [hit.id for hit in serving.search_index(serving.view()).search(query)]


def kept_file(repo: ManualRepo) -> Path:
    (path,) = (Path(os.environ["TRACKER_CACHE_DIR"])).glob("*/search.sqlite")
    return path


def change(repo: ManualRepo, sql: str, *values: object) -> None:
    with sqlite3.connect(kept_file(repo)) as connection:
        connection.execute(sql, values)
    connection.close()


def test_a_new_service_reads_the_words_kept_by_the_one_before(repo: ManualRepo):
    manual(repo)
    assert found(repo, "beta") == ["b"]  # (the first converts, and keeps the words)
    change(repo, "UPDATE words SET text = text || ' ' || ? WHERE text LIKE 'Beta%'", MARK)
    assert found(repo, MARK) == ["b"]  # read from the file, not converted again


def test_a_new_commit_converts_only_the_chapters_it_changed(repo: ManualRepo):
    manual(repo)
    found(repo, "beta")
    change(repo, "UPDATE words SET text = text || ' ' || ?", MARK)
    repo.commit({"a.md": doc("Alpha", "Alpha's new words.")}, "Edit", "2024-02-01T09:00:00+00:00")
    assert found(repo, MARK) == ["b", "c"]  # (kept: not read again)
    assert found(repo, "new") == ["a"]
    with sqlite3.connect(kept_file(repo)) as connection:
        assert connection.execute("SELECT count(*) FROM words").fetchone() == (4,)
    connection.close()


def test_the_words_are_the_same_as_read_anew(repo: ManualRepo):
    manual(repo)
    first = site(repo)
    before = entries(first.view())
    again = entries(site(repo).view())  # (from the file)
    assert again == before
    view = first.view()
    for entry, document in zip(before, view.snapshot.documents, strict=True):
        version = document.in_force(TODAY)
        assert version is not None
        text = shown_text(view.manual.texts.of(version), version.path)
        assert (entry.headings, entry.text) == text


def test_words_made_by_other_code_are_not_read_and_go(repo: ManualRepo):
    manual(repo)
    found(repo, "beta")
    change(repo, "UPDATE words SET made = 'older', text = text || ' ' || ?", MARK)
    assert found(repo, MARK) == []
    assert found(repo, "gamma") == ["c"]
    with sqlite3.connect(kept_file(repo)) as connection:
        made = connection.execute("SELECT DISTINCT made FROM words").fetchall()
    connection.close()
    assert made == [(made_by(),)]


def test_words_not_wanted_for_long_go(repo: ManualRepo):
    manual(repo)
    found(repo, "beta")
    long_ago = 1_000  # (seconds after 1970)
    change(repo, "INSERT INTO words VALUES (?, 'f00d', 'Old', 'Old words', ?)", made_by(), long_ago)
    change(repo, "UPDATE words SET used = ? WHERE text LIKE 'Beta%'", long_ago)
    found(repo, "beta")  # (a build: Beta's words were wanted again today)
    with sqlite3.connect(kept_file(repo)) as connection:
        blobs = connection.execute("SELECT blob, used FROM words").fetchall()
    connection.close()
    assert len(blobs) == 3 and "f00d" not in {blob for blob, _ in blobs}
    assert min(used for _, used in blobs) > long_ago + UNUSED_DAYS * 86_400


def test_a_file_others_could_write_is_not_read(repo: ManualRepo):
    manual(repo)
    found(repo, "beta")
    change(repo, "UPDATE words SET text = text || ' ' || ?", MARK)
    kept_file(repo).chmod(0o666)
    assert found(repo, MARK) == []
    assert found(repo, "beta") == ["b"]


def test_a_damaged_file_is_made_again(repo: ManualRepo):
    manual(repo)
    found(repo, "beta")
    path = kept_file(repo)
    path.write_bytes(b"not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert found(repo, "beta") == ["b"]
    found(repo, "beta")  # (the damaged file went; this build keeps the words anew)
    with sqlite3.connect(kept_file(repo)) as connection:
        assert connection.execute("SELECT count(*) FROM words").fetchone() == (3,)
    connection.close()


def test_the_file_is_this_users_alone_and_a_folder_it_cannot_write_is_said_once(
    repo: ManualRepo, tmp_path: Path, monkeypatch, caplog
):
    """Made 0644 where the docs say 0600 (its words are the manual's, but the folder's files
    are this user's alone); a folder that cannot be written was said for every diff and
    every index built, thousands of lines (operator's exploratory run)."""
    import stat

    from tracker.index.store import cache_folder
    from tracker.repository.read import GitRepo

    manual(repo)
    found(repo, "beta")
    assert stat.S_IMODE(kept_file(repo).stat().st_mode) == 0o600
    if os.getuid() != 0:  # (another user's folder is made here by chown, which needs root)
        pytest.skip("needs root to make a folder another user's")
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "theirs"))
    folder = cache_folder(GitRepo(repo.path))
    folder.mkdir(parents=True)
    os.chown(folder, os.getuid() + 4242, os.getgid())  # (another user's: not written, as root)
    for _ in range(3):
        found(repo, "beta")
    assert caplog.text.count("search.sqlite") == 1


def test_a_heading_ends_as_a_sentence_in_the_words_snippets_are_cut_from():
    """A snippet ran a heading into the paragraph after it ("…Non-fatal Strangulation
    Non-fatal strangulation is…": a newcomer's run); a heading that ends as a sentence does
    is left as it is, and the headings' own words take no full stop."""
    body = ("# T\n\n## Non-fatal Strangulation\n\nIt is a crime.\n\n## What is neglect?\n\n"
            "Neglect is harm.\n\n## Steps **to take**\n\nCall.\n")  # fmt: skip
    assert shown_text(body, "a.md") == (
        "Non-fatal Strangulation What is neglect? Steps to take",
        "Non-fatal Strangulation. It is a crime. What is neglect? Neglect is harm. Steps to "
        "take. Call.",
    )
