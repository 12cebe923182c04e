"""A symbolic link or a submodule named as a document is no document (decisions.md): the
website shows neither, and ``tracker check`` says so (rule not-a-file), on its file."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, ManualRepo, doc


def check(repo: ManualRepo, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--today",
         "2024-02-01", *options],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_link_and_a_submodule_named_as_documents_are_said(repo: ManualRepo):
    repo.commit({"a.md": doc("A"), "README.md": doc("Read me")}, "Add",
                "2024-01-02T10:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    (repo.path / ROOT / "b.md").symlink_to("a.md")
    (repo.path / ROOT / "notes.txt").symlink_to("a.md")  # (no document's name: not said)
    (repo.path / ROOT / "_drafts.md").symlink_to("a.md")  # (left out by its name: not said)
    repo.commit({}, "Links", "2024-01-03T10:00:00+00:00")
    inner = repo.git("rev-parse", "HEAD")  # (a gitlink, committed as it is: not on disk)
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{inner},{ROOT}/guide/sub.md")
    repo.git("commit", "--quiet", "-m", "Submodule", when="2024-01-04T10:00:00+00:00")
    done = check(repo, "--format", "json")
    assert done.returncode == 0, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "not-a-file"]
    assert [(f["file"], f["severity"]) for f in found] == [
        ("b.md", "warning"), ("guide/sub.md", "warning")
    ]  # fmt: skip
    assert found[0]["message"].startswith("is a symbolic link (to 'a.md'), which git keeps")
    assert "a submodule" in found[1]["message"]
    text = check(repo).stdout.splitlines()
    assert "warning: procedures/b.md: is a symbolic link (to 'a.md')" in text[0]
    assert "file=procedures/b.md,title=not-a-file::" in check(repo, "--format", "github").stdout
    assert [d.id for d in repo.snapshot().documents] == ["a"]  # (no document, as before)
