"""Parsing ``git log --raw -z`` output: a pure function, tested on bytes."""

from __future__ import annotations

import io

import pytest

from tracker.repository.parse import Change, nul_tokens, parse_log

A = "a" * 40
B = "b" * 40
C = "c" * 40
Z = "0" * 40


def record(sha: str, parents: str, subject: str, trailers: str, raw: bytes) -> bytes:
    stamps = "1700000000\x001690000000\x00"  # (committed, authored)
    header = f"\x1e{sha}\0{parents}\0{stamps}Author\0{subject}\0{trailers}\0\0\0\n"
    return header.encode() + raw


def test_commits_changes_and_trailers():
    stream = record(
        A,
        B,
        "Move it",
        "Go-Live: immediate\nChange-Note: Moved.\n",
        f":100644 100644 {B} {C} R090\0old name.md\0new\u00e9.md\0".encode()
        + f":000000 120000 {Z} {B} A\0link.md\0".encode(),
    ) + record(B, "", "First \x1e odd subject", "", f":000000 100644 {Z} {B} A\0a.md\0".encode())
    commits = list(parse_log(nul_tokens(io.BytesIO(stream))))
    assert [c.sha for c in commits] == [A, B]
    first = commits[0]
    assert first.parents == (B,)
    assert first.trailers == (("go-live", "immediate"), ("change-note", "Moved."))
    assert first.changes == (
        Change("R", "old name.md", "new\u00e9.md", B, C, "100644", "100644"),
        Change("A", None, "link.md", None, B, "000000", "120000"),
    )
    assert commits[1].subject == "First \x1e odd subject"
    assert commits[1].parents == ()
    assert (first.timestamp, first.authored) == (1700000000, 1690000000)


def test_bytes_that_are_not_utf8_are_replaced():
    stream = record(A, "", "Caf\xe9", "", b"")
    stream = stream.replace("Caf\xe9".encode(), b"Caf\xe9")
    (commit,) = parse_log(nul_tokens(io.BytesIO(stream)))
    assert commit.subject == "Caf\ufffd"


def test_tokens_across_chunk_boundaries():
    data = b"x" * 70_000 + b"\0y\0"
    assert [len(t) for t in nul_tokens(io.BytesIO(data))] == [70_000, 1]


def test_tokens_decoded_a_chunk_at_a_time_are_each_token_decoded_alone():
    """``nul_tokens`` decodes each chunk's complete tokens at once: the same text as decoding
    each token alone, whatever bytes (not UTF-8, cut sequences) and wherever chunks end."""
    from hypothesis import given
    from hypothesis import strategies as st

    pieces = st.sampled_from([b"a", b"\0", b"\xc3", b"\xa9", b"\xe2\x82", b"\xac", b"\xff", b"\n",
                              "é€😀".encode(), b"\xf0\x9f", b"\x1e"])  # fmt: skip

    class Chunked:
        def __init__(self, chunks: list[bytes]) -> None:
            self.chunks = chunks

        def read1(self, size: int) -> bytes:
            return self.chunks.pop(0) if self.chunks else b""

        read = read1

    @given(st.lists(st.lists(pieces, max_size=6).map(b"".join), max_size=8))
    def check(chunks: list[bytes]) -> None:
        data = b"".join(chunks)
        *complete, last = data.split(b"\0")
        alone = [
            token.decode("utf-8", errors="replace") for token in complete + [last] * bool(last)
        ]
        assert list(nul_tokens(Chunked([c for c in chunks if c]))) == alone  # type: ignore[arg-type]

    check()


@pytest.mark.parametrize(
    ("folder", "path", "relative"),
    [
        ("procedures", "procedures/a.md", "a.md"),
        ("procedures", "procedures/x/a.md", "x/a.md"),
        ("procedures", "procedures/", ""),
        ("procedures", "procedures", None),
        ("procedures", "proceduresX/a.md", None),
        ("procedures", "other/procedures/a.md", None),
        ("a/b", "a/b/c.md", "c.md"),
        ("a/b", "a/bc.md", None),
        ("", "a.md", "a.md"),
        ("", "x/a.md", "x/a.md"),
        ("procedures", None, None),
        ("", None, None),
    ],
)
def test_a_path_under_the_root(folder: str, path: str | None, relative: str | None):
    from tracker.repository.paths import Root

    root = Root(folder)
    assert root.relative(path) == relative
    inside = path is not None and path.startswith(root.prefix)  # the definition
    assert relative == (path[len(root.prefix) :] if inside else None)
