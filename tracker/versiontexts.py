"""The texts of versions and the manual's own template files, read from git."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from tracker.config import TEMPLATES_FOLDER, settings_text
from tracker.errors import GitTimeout, RepositoryError
from tracker.history.documents import decode
from tracker.history.model import Version
from tracker.history.snapshot import Snapshot
from tracker.repository.read import GitRepo

# The most characters of text a reading that remembers keeps (``Texts.remembering``): a
# manual's chapters in force are a few megabytes; past this, texts are read again when asked.
REMEMBERED_CHARACTERS = 64_000_000
_WHOLE = 1 << 62  # (no limit: a version's text is read whole, as ``blob`` reads it)


class Texts:
    """Reads the text of versions and the manual's own template files from git."""

    def __init__(self, repo: GitRepo) -> None:
        self._repo = repo
        self._templates: tuple[str, dict[str, str]] | None = None  # (head, files) read last
        self._lock = threading.Lock()

    def blob(self, sha: str) -> str:
        """A blob's contents as text."""
        return decode(self._repo.read_blob(sha))

    def of(self, version: Version) -> str:
        """The Markdown of a version ('' for a deletion)."""
        return self.blob(version.blob) if version.blob else ""

    def remembering(self, first: Iterable[Version]) -> Callable[[Version], str]:
        """``of``, for one task that reads the same texts many times (``tracker check``'s rules
        each read every chapter in force): the texts of ``first`` are read at once, by one
        ``git cat-file`` (not one question each; in a partial clone, each when asked, as
        ``of`` reads them), and every text is kept once read, up to ``REMEMBERED_CHARACTERS``.
        A text git cannot give is left to ``of``, which says so."""
        kept: dict[str, str] = {}
        room = [REMEMBERED_CHARACTERS]

        def keep(sha: str, text: str) -> str:
            if len(text) <= room[0]:
                kept[sha] = text
                room[0] -= len(text)
            return text

        wanted = list(dict.fromkeys(version.blob for version in first if version.blob))
        if self._repo.partial:  # (it would list every object it has first: each read as asked)
            wanted = []
        try:
            for sha, data in self._repo.read_blobs(wanted, _WHOLE):
                if data is not None:
                    keep(sha, decode(data))
        except GitTimeout:
            raise
        except RepositoryError:
            pass  # (git stopped: the rest are read one by one when asked, as ``of`` reads)

        def text(version: Version) -> str:
            if not version.blob:
                return ""
            found = kept.get(version.blob)
            return keep(version.blob, self.blob(version.blob)) if found is None else found

        return text

    def file(self, commit: str, path: str, limit: int) -> bytes | None:
        """A file at a commit (by its path in the repository), if it has one of at most
        ``limit`` bytes; a larger one is never read."""
        found = self._repo.file_objects([(commit, path)])[0]
        if found is None or found[1] > limit:  # (none: a symbolic link's blob is where it points)
            return None
        return self._repo.read_file(commit, path)

    def templates(self, snapshot: Snapshot) -> dict[str, str]:
        """The manual's own templates (``<root>/_templates/``) at the snapshot, by file name:
        read from git once per branch head (a feed renders every release with them)."""
        folder = snapshot.root.join(TEMPLATES_FOLDER)
        key = f"{snapshot.head}:{folder}"
        with self._lock:
            if self._templates is None or self._templates[0] != key:
                files = {  # (strictly: a template that is not UTF-8 is refused, not guessed)
                    path[len(folder) + 1 :]: settings_text(self._repo.read_blob(blob), path)
                    for path, blob in self._repo.list_files(snapshot.head, folder)
                }
                self._templates = (key, files)
            return dict(self._templates[1])
