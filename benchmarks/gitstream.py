"""Writing commits through one ``git fast-import`` process, and small git helpers."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path


class FastImport:
    """One ``git fast-import`` process, fed commit by commit (never one git process a commit)."""

    def __init__(self, repo: Path) -> None:
        self.process = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE
        )
        assert self.process.stdin is not None
        self.stream = self.process.stdin
        self.marks = 0

    def commit(
        self,
        ref: str,
        when: datetime,
        author: str,
        text: str,
        files: dict[str, str | None],
        parents: Sequence[str] = (),
        renames: Sequence[tuple[str, str]] = (),
    ) -> str:
        """One commit: ``files`` by path (None deletes it), after ``renames``; returns its mark.

        ``parents`` are marks or refs: the first parent, then the merged ones.
        """
        self.marks += 1
        stamp = f"{author} {int(when.timestamp())} +0000"
        body = text.encode()
        out = [
            f"commit {ref}\nmark :{self.marks}\nauthor {stamp}\ncommitter {stamp}\n".encode(),
            f"data {len(body)}\n".encode(),
            body,
            b"\n",
        ]
        out += [f"{'merge' if n else 'from'} {p}\n".encode() for n, p in enumerate(parents)]
        out += [f"R {old} {new}\n".encode() for old, new in renames]
        for path, content in files.items():
            if content is None:
                out.append(f"D {path}\n".encode())
            else:
                data = content.encode()
                out += [f"M 100644 inline {path}\ndata {len(data)}\n".encode(), data, b"\n"]
        self.stream.write(b"".join(out))
        return f":{self.marks}"

    def close(self) -> None:
        """Finish the import (git writes its pack and refs)."""
        self.stream.write(b"done\n")
        self.stream.close()
        if self.process.wait() != 0:
            raise RuntimeError("git fast-import failed")


def git(path: Path, *args: str, stdin: str | None = None) -> str:
    """Run git in a repository; its output without the last newline."""
    done = subprocess.run(
        ["git", *args], cwd=path, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout.removesuffix("\n")


def read_files(path: Path, commit: str, names: list[str]) -> list[str]:
    """The text of files at a commit, by one ``git cat-file --batch``."""
    wanted = "".join(f"{commit}:{name}\n" for name in names).encode()
    data = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=path, input=wanted, capture_output=True, check=True
    ).stdout
    texts, at = [], 0
    while at < len(data):  # a header line "<id> blob <size>", the contents, a newline
        end = data.index(b"\n", at)
        size = int(data[at:end].split()[2])
        texts.append(data[end + 1 : end + 1 + size].decode())
        at = end + 1 + size + 1
    return texts


def drop_branches(path: Path, pattern: str) -> None:
    """Delete the branches whose names match (merged ones, once they are merged)."""
    names = git(path, "for-each-ref", "--format=delete %(refname)", pattern)
    if names:
        git(path, "update-ref", "--stdin", stdin=names + "\n")
