"""``tracker check``'s rule ``not-a-file``: a symbolic link or a submodule named as a document
(``referrals.md`` linking to ``old/referrals.md``). git keeps a link as the path it points to
and a submodule as another repository's commit, not as text, so neither is a document (decisions.md,
"Symbolic links and submodules"): the website shows neither, and nothing said so."""

from __future__ import annotations

from typing import Protocol

from tracker.errors import shown
from tracker.history.model import Problem
from tracker.history.snapshot import Snapshot

RULE = "not-a-file"
LINKS, SUBMODULES = ("120000",), ("160000",)  # git's modes (tracker.repository.parse's NOT_FILES)


class Tree(Protocol):
    """Git's trees and blobs, as ``GitRepo`` reads them."""

    def list_files(self, commit: str, folder: str, modes: tuple[str, ...]) -> list[tuple[str, str]]:
        """Each entry of ``modes`` under ``folder`` at ``commit``: (path, object id)."""

    def read_blob(self, sha: str) -> bytes:
        """One blob's contents."""


def not_file_problems(snapshot: Snapshot, tree: Tree) -> list[Problem]:
    """A warning for each symbolic link and submodule at the head whose name is a document's."""
    found = []
    for modes, kind in ((LINKS, "link"), (SUBMODULES, "submodule")):
        for path, sha in tree.list_files(snapshot.head, snapshot.root.folder, modes):
            relative = snapshot.root.relative(path)
            if not relative or not snapshot.config.is_document(relative):
                continue
            if kind == "link":  # (its blob is the path it points to)
                target = shown(tree.read_blob(sha).decode("utf-8", "replace"))
                what = f"a symbolic link (to {target}), which git keeps as the path it points to"
            else:
                what = "a submodule, which git keeps as another repository's commit"
            message = (
                f"is {what}, not as text: it is not a document, and the website does not show it"
            )
            found.append(Problem("warning", relative, message, rule=RULE))
    return found
