"""``tracker check``: each kind of problem an author should hear about."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date

import pytest
from conftest import (
    ESCAPED_LINKS,
    HTML_HEADINGS,
    LEAFLET_BROKEN,
    LINK_FORMS,
    NON_LATIN_HEADINGS,
    ROOT,
    SECTION_HEADINGS,
    ManualRepo,
    doc,
)

from tracker.authoring.check import check_manual
from tracker.authoring.message import check_message
from tracker.errors import NotFoundError

D = date.fromisoformat


def run_check(repo: ManualRepo, fmt: str) -> subprocess.CompletedProcess[str]:
    """tracker check on the repository, as CI runs it, on 1 February 2024."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--format", fmt,
         "--today", "2024-02-01"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def messages(repo: ManualRepo, today: str = "2024-11-20") -> list[str]:
    return [str(problem) for problem in check_manual(repo.snapshot(), D(today))]


def test_clean_manual_has_nothing_to_say(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", "[B](b.md)", review_due="2030-01-01"), "b.md": doc("B")},
        when="2024-01-01T09:00:00+00:00",
        trailers={"Change-Note": "Added."},
    )
    assert messages(repo) == []


def test_front_matter_errors(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", type="policy", order="first", colour="red")},
        when="2024-01-01T09:00:00+00:00",
    )
    found = messages(repo)
    assert "error: a.md: 'type' must be one of chapter, guidance, not 'policy'" in found
    assert "error: a.md: 'order' must be a number, not 'first'" in found
    assert "error: a.md: unknown front matter key 'colour'" in found


def test_impossible_review_date_is_an_error(repo: ManualRepo):
    repo.commit({"a.md": doc("A", review_due="2024-02-30")}, when="2024-01-01T09:00:00+00:00")
    assert (
        "error: a.md: the front matter holds an impossible date ('review_due': 2024-02-30)"
        in messages(repo)
    )


def test_an_impossible_date_is_a_wrong_value_of_its_key_alone(repo: ManualRepo):
    """The other keys of the version are read: the retitled chapter shows its new title."""
    front = {"id": "ref", "section": "Core"}
    repo.commit({"r.md": doc(None, "x", title="Referrals", **front)}, when="2024-01-01T09:00:00")
    retitled = doc(None, "x", title="Referrals and Assessment", review_due="2025-02-29", **front)
    repo.commit(
        {"r.md": retitled}, when="2024-01-02T09:00:00", trailers={"Change-Note": "Retitled."}
    )
    latest = repo.snapshot().documents[0].latest
    assert (latest.meta.id, latest.title, latest.meta.section) == (
        "ref",
        "Referrals and Assessment",
        "Core",
    )
    assert messages(repo) == [
        "error: r.md: the front matter holds an impossible date ('review_due': 2025-02-29)"
    ]
    new = {"n.md": doc(None, "x", title="New", section="Core", order="2024-13-01")}
    repo.commit(new, when="2024-01-03T09:00:00")
    assert {d.id: d.latest.title for d in repo.snapshot().documents}["n"] == "New"


def test_front_matter_after_a_blank_line_is_named_as_read_as_text(repo: ManualRepo):
    """The page shows it as text (its '---' a rule), as it is read: check says why."""
    repo.commit({"a.md": "\n" + doc("A", title="Alpha"), "b.md": "  " + doc("B", title="Bravo")})
    found = messages(repo)
    for name in ("a.md", "b.md"):
        assert (
            f"error: {name}: the front matter does not start on the first line (a blank line or "
            "spaces come before its '---'), so it is read as text; remove what comes before it"
        ) in found
    assert [d.latest.title for d in repo.snapshot().documents] == ["A", "B"]  # (not Alpha)
    repo.commit({"a.md": "\n---\n\nA rule, then text.\n\n---\n", "b.md": "\n# B\n"})
    assert messages(repo) == []


def test_a_title_or_section_on_two_lines_is_shown_on_one_and_reported(repo: ManualRepo):
    text = '---\ntitle: |\n  Referrals\n  and Assessment\nsection: "Core\\nServices"\n---\nx\n'
    repo.commit({"a.md": text}, trailers={"Change-Note": "Added."})
    latest = repo.snapshot().documents[0].latest
    assert (latest.title, latest.meta.section) == ("Referrals and Assessment", "Core Services")
    assert sorted(messages(repo)) == [
        "error: a.md: 'section' is on more than one line; it is shown on one: 'Core Services'",
        "error: a.md: 'title' is on more than one line; it is shown on one: "
        "'Referrals and Assessment'",
    ]


@pytest.mark.parametrize(
    ("value", "ident"),
    [("123", "123"), ("2024-01-01", "2024-01-01"), ("1.10", "1.10"), ("0x1F", "0x1F"),
     ("'2024-01-01'", "2024-01-01"), ("café/ünï", "café/ünï"), ("Ärzte", "Ärzte")],
)  # fmt: skip
def test_an_id_is_its_text_as_written_in_any_letters(repo: ManualRepo, value: str, ident: str):
    """A number or date is an id as written, as if quoted; letters may be of any script, as a
    file's name may be (whose path is its id when it names none)."""
    repo.commit({"a.md": doc("A", id=value)}, trailers={"Change-Note": "Added."})
    assert repo.snapshot().documents[0].id == ident
    assert messages(repo) == []


def test_duplicate_ids(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", id="same"), "b.md": doc("B", id="same")}, when="2024-01-01T09:00:00+00:00"
    )
    assert "error: b.md: has the id 'same', which a.md already uses" in messages(repo)


@pytest.mark.parametrize("order", ["one-commit", "id-less-later", "id-less-first"])
def test_an_id_less_file_whose_path_is_another_document_s_id(repo: ManualRepo, order: str):
    """referrals.md (no id) beside guidance/form.md with 'id: referrals': both were published
    as 'referrals', the chapter reached by no id and the newsletter linking it to the
    guidance (exploratory testing). The id stays with the document that had it first (within
    one commit, the explicit one); the other is published under its file's name."""
    chapter, form = doc("Referrals"), doc("Form", id="referrals", type="guidance")
    if order == "one-commit":
        repo.commit({"referrals.md": chapter, "guidance/form.md": form})
    elif order == "id-less-later":
        repo.commit({"guidance/form.md": form})
        repo.commit({"referrals.md": chapter}, when="2024-01-03T10:00:00+00:00")
    else:
        repo.commit({"referrals.md": chapter})
        repo.commit({"guidance/form.md": form}, when="2024-01-03T10:00:00+00:00")
    snapshot = repo.snapshot()
    ids = sorted((d.id, d.latest.title) for d in snapshot.documents)
    if order == "id-less-first":  # (the explicit one, second, is known by its path)
        assert ids == [("guidance/form", "Form"), ("referrals", "Referrals")]
        assert "error: guidance/form.md: has the id 'referrals', which referrals.md already " \
            "uses" in messages(repo)  # fmt: skip
        return
    assert ids == [("referrals", "Form"), ("referrals.md", "Referrals")]
    assert snapshot.document("referrals.md").latest.title == "Referrals"
    assert (
        "error: referrals.md: takes the id 'referrals' from its path, but guidance/form.md has "
        "that id, so it is published as 'referrals.md'; give one of them another id"
    ) in messages(repo)


def test_ids_the_website_reads_as_another_document_s_pages(repo: ManualRepo):
    """/chapters/a/history is a's history: a document with the id a/history is never shown
    (nor a/diff, a/feed.atom); beside no document a, or a former id, it is only a name."""
    repo.commit(
        {"a.md": doc("A"), "a/history.md": doc("H"), "b.md": doc("B", id="a/feed.atom"),
         "c/diff.md": doc("C"), "old.md": doc("Old")},
        when="2024-01-01T09:00:00+00:00",
    )  # fmt: skip
    repo.move("old.md", "new.md", when="2024-01-02T09:00:00+00:00")  # (old: a former id now)
    repo.commit({"d.md": doc("D", id="old/history")}, when="2024-01-03T09:00:00+00:00")
    assert repo.snapshot().document("old").id == "new"
    found = sorted(m for m in messages(repo) if "address" in m)
    assert found == [
        "error: a/history.md: has the id 'a/history', which is the address of the history "
        "page of 'a' on the website, so it cannot be shown there",
        "error: b.md: has the id 'a/feed.atom', which is the address of the feed.atom page of "
        "'a' on the website, so it cannot be shown there",
    ]  # (d.md's old/history is shown: the website gives a former id's address to the chapter)


def test_ids_a_static_copy_reads_as_another_document_s_pages(repo: ManualRepo):
    """A static copy has a's page as in force on a date at a/at/DATE/ and its diffs at
    a/diff/A/B/ (source/): a document with such an id would be written over them (security
    review); other ids under a's address are only names."""
    names = ("a/at/2024-01-01", "a/diff/x/history", "a/diff/0a1b/2024-01-02/source",
             "a/at/soon", "a/diff/y", "a/diff/x/y/z", "a/at/2024-01-01/more")  # fmt: skip
    repo.commit({"a.md": doc("A"), **{f"{n}.md": doc(n) for n in names}},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    found = check_manual(repo.snapshot(), D("2024-11-20"))
    assert sorted(p.where for p in found if p.rule == "address-clash") == [
        "a/at/2024-01-01.md", "a/diff/0a1b/2024-01-02/source.md", "a/diff/x/history.md",
    ]  # fmt: skip
    assert "the page of what changed in 'a' from x to history in a static copy" in str(
        next(p for p in found if p.where == "a/diff/x/history.md")
    )  # (a/diff/x's history too)


def test_images_a_screen_reader_cannot_describe(repo: ManualRepo):
    """As the website publishes them: only the newest text, nothing in code, comments or
    indented blocks; an alt written any way; a reference-style image too."""
    import json
    import subprocess
    import sys

    repo.commit({"a.md": doc("A", "![](old.png)")}, when="2024-01-01T09:00:00+00:00")
    body = (
        "![Flow: refer within a day](flow.png) ![ ](deco.png) ![][ref]\n\n"
        '<img src="x.png"> <img alt="" src="y.png"> <IMG SRC=z.png ALT=Zed> <img src=w alt>\n\n'
        '<img src="t.png" title="see alt=here"> <image src="i.png">\n\n'
        "```\n![](example.png) <img src=example.png>\n```\n\n"
        "`![](code.png)` <!-- <img src=c.png> --> \\![](escaped.png)\n\n"
        "    ![](indented.png)\n\n[ref]: r.png\n"
    )
    repo.commit({"a.md": doc("A", body), "b.md": doc("B", "No images."),
                 "c.md": doc("C", '<image src="only.png">')},  # (published as an <img>)
                when="2024-01-02T09:00:00+00:00")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    found = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "image-alt"]
    assert (
        sorted((f["severity"], f["file"]) for f in found)
        == [("error", "a.md")] * 3 + [("error", "c.md")] + [("warning", "a.md")] * 4
    ), found  # x, t, i; only; deco, r, y, w
    assert "a screen reader reads out its file's name" in found[0]["message"]
    assert all(p.rule != "image-alt" for p in check_manual(repo.snapshot(), D("2024-11-20")))


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)


def test_an_image_the_manual_does_not_publish_is_broken(repo: ManualRepo):
    """An image under a folder starting with _ or one exclude leaves out is never served (the
    security review's fix), so the chapter showing it shows none: said as broken-image (two
    branches fixed apart: check said nothing of it)."""
    for folder in ("_drafts", "images"):
        (repo.path / "procedures" / folder).mkdir(parents=True)
    for name in ("_drafts/p.png", "images/ok.png", "images/secret.png"):
        (repo.path / "procedures" / name).write_bytes(PNG)
    body = "![Draft](_drafts/p.png) ![Fine](images/ok.png) ![Secret](images/secret.png)"
    repo.commit({"manual.toml": '[manual]\nexclude = ["README.md", "secret.png"]\n',
                 "a.md": doc("A", body)}, when="2024-01-02T09:00:00+00:00")  # fmt: skip
    done = run_check(repo, "json")
    found = [
        f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "broken-image"
    ]
    unpublished = ("which is not published (a folder on its path or its name starts with _, or "
                   "an exclude pattern in manual.toml matches it), so its page shows none")  # fmt: skip
    assert found == [
        f"shows the image {name}, {unpublished}" for name in ("_drafts/p.png", "images/secret.png")
    ]
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(repo.open())) as client:
        page = client.get("/chapters/a").text
    served = re.findall(r'src="/files/[0-9a-f]+/([^"]+)"', page)
    assert served == ["images/ok.png"]  # (the others left as written: no address of the site's)


def test_an_image_changed_since_its_chapter_was_committed_is_said(repo: ManualRepo):
    """A corrected flowchart committed alone never reached its chapter's page, which shows
    images as they were at its commit, and nothing said so (author's exploratory testing)."""
    (repo.path / "procedures" / "images").mkdir(parents=True)
    (repo.path / "procedures" / "images" / "flow.png").write_bytes(PNG)
    repo.commit({"a.md": doc("A", "![Flow](images/flow.png)")}, when="2024-01-02T09:00:00+00:00")
    first = repo.git("rev-parse", "HEAD")[:10]
    assert [f for f in json.loads(run_check(repo, "json").stdout)["findings"]] == []
    (repo.path / "procedures" / "images" / "flow.png").write_bytes(PNG + b"new number")
    repo.commit({}, "New flowchart", "2024-01-09T09:00:00+00:00")
    found = [f for f in json.loads(run_check(repo, "json").stdout)["findings"]]
    assert [(f["rule"], f["severity"], f["file"]) for f in found] == [
        ("image-changed", "warning", "a.md")
    ]
    assert found[0]["message"] == (
        f"shows the image images/flow.png as it was when the document was last committed "
        f"({first}); the file has changed since, so its page still shows the old image: commit "
        "the document again (any change) to show the new one"
    )
    repo.commit({"a.md": doc("A", "![Flow](images/flow.png)\n\nAgain.")},
                when="2024-01-10T09:00:00+00:00")  # fmt: skip
    assert json.loads(run_check(repo, "json").stdout)["findings"] == []
    # A digit of a phone number corrected in the image: the same size, which a size alone
    # did not tell from no change (it is told by the file's blob id now).
    (repo.path / "procedures" / "images" / "flow.png").write_bytes(PNG + b"new numbes")
    repo.commit({}, "Number corrected", "2024-01-11T09:00:00+00:00")
    found = [f for f in json.loads(run_check(repo, "json").stdout)["findings"]]
    assert [(f["rule"], f["file"]) for f in found] == [("image-changed", "a.md")]


LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22ead"
    "bb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
)


def test_a_file_that_is_no_image_inside_or_a_git_lfs_pointer_is_broken(repo: ManualRepo):
    """An image kept in Git LFS is a pointer in git: its page showed a broken image, and a
    chapter kept so showed the pointer's text, and check passed both (exploratory testing of
    history shapes); text named fake.png passed too, by its name's ending."""
    images = repo.path / "procedures" / "images"
    images.mkdir(parents=True)
    (images / "flow.png").write_text(LFS_POINTER)
    (images / "fake.png").write_text("not an image")
    (images / "real.png").write_bytes(PNG)
    (images / "chart.svg").write_text('<?xml version="1.0"?>\n<!-- a chart -->\n<svg></svg>')
    licence = "<!-- " + "Licensed under the Open Government Licence. " * 40 + "-->\n"  # (review)
    (images / "licensed.svg").write_text(f'<?xml version="1.0"?>\n{licence}<svg></svg>')
    (images / "wide.svg").write_bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"))
    (images / "photo.webp").write_bytes(b"RIFF\x10\x00\x00\x00WEBPVP8 ")
    shown = " ".join(f"![{n}](images/{n})" for n in ("flow.png", "fake.png", "real.png",
                     "chart.svg", "photo.webp", "licensed.svg", "wide.svg"))  # fmt: skip
    repo.commit({"a.md": doc("A", shown), "b.md": LFS_POINTER}, when="2024-01-02T09:00:00+00:00")
    findings = json.loads(run_check(repo, "json").stdout)["findings"]
    assert [(f["rule"], f["file"]) for f in findings if f["severity"] == "error"] == [
        ("lfs-pointer", "b.md"), ("broken-image", "a.md"), ("broken-image", "a.md")
    ]  # fmt: skip
    messages = [f["message"] for f in findings]
    assert messages[1].startswith(
        "shows the image images/flow.png, which is a Git LFS pointer, not the image (git holds "
        "only a note of a file kept elsewhere), so its page shows none; keep the manual's images "
        "out of Git LFS (take it out of .gitattributes' lfs lines, run git add --renormalize ."
    )
    assert messages[2] == (
        "shows the image images/fake.png, which is not a PNG, JPEG, GIF, WebP or SVG image "
        "inside, so its page shows none"
    )
    assert messages[0].startswith("the file is a Git LFS pointer, not the chapter: keep the")
    with pytest.raises(NotFoundError):  # (the pointer's text is never shown as the chapter)
        repo.snapshot().document("b")


def test_an_image_that_is_a_symbolic_link_is_broken(repo: ManualRepo):
    """The website serves no symbolic link as an image (its blob is the path it points to):
    check said nothing of a chapter showing one, whose page showed none (review)."""
    (repo.path / "procedures" / "images").mkdir(parents=True)
    (repo.path / "procedures" / "images" / "real.png").write_bytes(PNG)
    (repo.path / "procedures" / "images" / "flow.png").symlink_to("real.png")
    repo.commit({"a.md": doc("A", "![Flow](images/flow.png) ![Real](images/real.png)")},
                when="2024-01-02T09:00:00+00:00")  # fmt: skip
    done = run_check(repo, "json")
    found = [
        f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "broken-image"
    ]
    assert found == [
        "shows the image images/flow.png, which is not a file of the manual, so its page shows "
        "none (the path is from the document's folder, the case of its letters counts, and a "
        "symbolic link is no file)"
    ]


def test_image_names_with_characters_other_line_ends_break_at_are_looked_up(repo: ManualRepo):
    """A name holding U+2028 or U+0085 (which str.splitlines() takes for a line's end) made
    git's answers one too many: check stopped ("the repository may be damaged"), and /files/
    answered 503 (review)."""
    images = repo.path / "procedures" / "images"
    images.mkdir(parents=True)
    (images / "a\u2028b.png").write_bytes(PNG)
    body = "![Here](images/a%E2%80%A8b.png) ![Gone](images/c%C2%85d.png)"
    repo.commit({"a.md": doc("A", body)}, when="2024-01-02T09:00:00+00:00")
    done = run_check(repo, "json")
    assert done.returncode == 1, done.stderr
    found = [
        f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "broken-image"
    ]
    assert len(found) == 1 and "is not a file of the manual" in found[0]
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(repo.open())) as client:
        page = client.get("/chapters/a").text
        served = re.findall(r'src="(/files/[^"]+)"', page)
        assert [client.get(address).status_code for address in served] == [200, 404]


def test_an_image_under_an_accented_root_is_found_as_the_website_finds_it(repo: ManualRepo):
    """Check tried the other form of the accents of the whole path, root folder too, where the
    files route tries the part under the root: under --root procédures, an image a Mac saved
    (accents apart) was reported missing though the page showed it (review)."""
    root = repo.path / "proc\u00e9dures"  # (the root as written: accents joined)
    (root / "images").mkdir(parents=True)
    (root / "images" / "cafe\u0301.png").write_bytes(PNG)  # (as a Mac saves it)
    (root / "a.md").write_text(doc("A", "![Café](images/caf%C3%A9.png)"), encoding="utf-8")
    repo.git("add", "--all")
    repo.git("commit", "-q", "-m", "Add", when="2024-01-02T09:00:00+00:00")
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--root",
         "proc\u00e9dures", "--format", "json", "--today", "2024-02-01"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(repo.open(root="proc\u00e9dures"))) as client:
        served = re.findall(r'src="(/files/[^"]+)"', client.get("/chapters/a").text)
        assert [client.get(address).status_code for address in served] == [200]


def test_images_whose_page_cannot_show_them_are_broken(repo: ManualRepo):
    """An image that names no file of the manual (as the website reads it: at the version's
    commit, from the chapter's folder, inside the manual's, of an image type, at most 10 MB,
    its accents either way) went unreported, and its page showed a broken image (docs review).
    Only as the website publishes the newest text: not in code; written as HTML too; not a
    web address's (not the manual's to show), nor a withdrawn document's."""
    images = repo.path / "procedures" / "images"
    images.mkdir(parents=True)
    for name in ("p.png", "p.bmp", "my flow.png", "cafe\u0301.png"):  # (the last as a Mac saves it)
        (images / name).write_bytes(PNG)
    (images / "huge.png").write_bytes(PNG + bytes(10_000_000))
    body = (
        "![A flowchart](images/missing.png) ![A dot](images/p.png) ![Dot](./images/../images/p.png)"
        " ![Query](images/p.png?v=2#x) ![Space](<images/my flow.png>) ![Café](images/caf%C3%A9.png)"
        " ![Web](https://example.org/x.png) ![Far](../outside.png) ![Root](/images/p.png)"
        " ![Bitmap](images/p.bmp) ![Case](images/P.png) ![Huge](images/huge.png)\n\n"
        '<img src="images/gone.png" alt="Gone">\n\n```\n![Code](images/code.png)\n```\n'
    )
    repo.commit({"a.md": doc("A", body), "old.md": doc("Old", "![Old](images/old.png)"),
                 "b.md": doc("B", "![Later](images/later.png)")},
                when="2024-01-02T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    (images / "later.png").write_bytes(PNG)  # (added after the chapter that shows it)
    repo.commit({"old.md": doc("Old", "![Old](images/old.png)", status="archived")},
                when="2024-01-03T09:00:00+00:00", trailers={"Change-Note": "Archived."})  # fmt: skip
    done = run_check(repo, "json")
    assert done.returncode == 1, done.stderr
    found = [(f["file"], f["severity"], f["message"]) for f in json.loads(done.stdout)["findings"]
             if f["rule"] == "broken-image"]  # fmt: skip
    missing = "is not a file of the manual, so its page shows none (the path is from the "
    missing += "document's folder, the case of its letters counts, and a symbolic link is no file)"
    outside = "is outside the manual's folder, so its page shows none; keep images in the "
    outside += "manual's folder, named by their path from the document (images/flow.png)"
    first = repo.git("rev-list", "--max-parents=0", "HEAD")[:10]
    assert found == [
        ("a.md", "error", f"shows the image images/missing.png, which {missing}"),
        ("a.md", "error", f"shows the image ../outside.png, which {outside}"),
        ("a.md", "error", f"shows the image /images/p.png, which {outside}"),
        ("a.md", "error", "shows the image images/p.bmp, which is not a PNG, JPEG, GIF, WebP or "
                          "SVG file, so its page shows none"),
        ("a.md", "error", f"shows the image images/P.png, which {missing}"),
        ("a.md", "error", "shows the image images/huge.png, which is larger than 10 MB, so its "
                          "page shows none"),
        ("a.md", "error", f"shows the image images/gone.png, which {missing}"),
        ("b.md", "error", "shows the image images/later.png, which the manual did not have when "
                          f"this version was committed ({first}): its page shows images as they "
                          "were then, so none"),
    ]  # fmt: skip


def test_broken_links_between_chapters(repo: ManualRepo):
    repo.commit(
        {
            "x/a.md": doc("A", "See [B](../b.md), [C](c.md#part) and [web](https://x.org/y.md)"),
            "b.md": doc("B"),
        },
        when="2024-01-01T09:00:00+00:00",
    )
    assert messages(repo) == ["error: x/a.md: links to c.md, which is not a document"]


def test_held_back_and_back_dated(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A", "1")},
        "One",
        "2024-10-18T09:00:00+01:00",
        {"Go-Live": "2024-12-11", "Change-Note": "One."},
    )
    scheduled.commit(
        {"a.md": doc("A", "2")}, "Two", "2024-10-24T09:00:00+01:00", {"Change-Note": "Two."}
    )
    scheduled.commit(
        {"b.md": doc("B")},
        "Late",
        "2024-11-19T09:00:00+00:00",
        {"Go-Live": "2024-11-13", "Change-Note": "B."},
    )
    found = messages(scheduled)
    assert any("held back: declared 2024-11-13" in m and "2024-12-11" in m for m in found)
    assert any("back-dated: Go-Live 2024-11-13" in m for m in found)


def test_old_go_live_warnings_are_not_repeated_forever(scheduled: ManualRepo):
    scheduled.commit(
        {"b.md": doc("B")},
        "Late",
        "2024-06-20T09:00:00+01:00",
        {"Go-Live": "2024-06-12", "Change-Note": "B."},
    )
    assert messages(scheduled, today="2024-11-20") == []


def test_upcoming_entries_without_a_change_note(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A"), "g.md": doc("G", type="guidance")},
        "Add two",
        "2024-11-20T09:00:00+00:00",
    )
    found = messages(scheduled, today="2024-11-21")
    assert (
        "warning: a: goes live on 2024-12-11 without a Change-Note, so the newsletter "
        "lists it with its commit subject"
    ) in found
    assert any(m.startswith("warning: g:") and "title alone" in m for m in found)


def test_an_upcoming_change_without_a_note_beside_one_with_a_note(scheduled: ManualRepo):
    """Two changes going live on one day, one without a Change-Note: its subject reaches the
    newsletter beside the other's note, and check said nothing (exploratory testing)."""
    scheduled.commit({"a.md": doc("A"), "g.md": doc("G", type="guidance")}, "Add",
                     "2024-10-01T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "Two."), "g.md": doc("G", "Two.", type="guidance")},
                     "wip fix typo thing", "2024-11-19T09:00:00+00:00")  # fmt: skip
    scheduled.commit({"a.md": doc("A", "Three."), "g.md": doc("G", "Three.", type="guidance")},
                     "Real", "2024-11-20T09:00:00+00:00",
                     {"Change-Note": "The threshold has changed."})  # fmt: skip
    assert [m for m in messages(scheduled, today="2024-11-21") if "Change-Note" in m] == [
        "warning: a: goes live on 2024-12-11 with a change that has no Change-Note, so the "
        "newsletter shows its commit subject ('wip fix typo thing') with the notes"
    ]  # (guidance shows its Change-Notes alone: nothing to say of g)
    scheduled.commit({"a.md": doc("A", "Four.")}, "more wip", "2024-11-21T09:00:00+00:00")
    assert [m for m in messages(scheduled, today="2024-11-21") if "Change-Note" in m] == [
        "warning: a: goes live on 2024-12-11 with 2 changes that have no Change-Note, so the "
        "newsletter shows their subjects ('wip fix typo thing', 'more wip') with the notes"
    ]  # (each named: only the first was, exploratory testing)


def test_an_upcoming_change_and_its_undoing(scheduled: ManualRepo):
    """A change and its revert going live on one day make no entry (the text in force is as it
    was): the author hears that its note will not be announced; not when the undoing goes live
    in a later release (b: its change went live on 13 November), nor when every change undone
    that day is minor (c)."""
    scheduled.commit({"a.md": doc("A"), "b.md": doc("B"), "c.md": doc("C")}, "Add",
                     "2024-01-01T09:00:00+00:00")  # fmt: skip
    scheduled.commit({"b.md": doc("B", "x")}, "B", "2024-11-01T09:00:00+00:00",
                     {"Change-Note": "B."})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "Must."), "b.md": doc("B")}, "Must",
                     "2024-11-20T09:00:00+00:00", {"Change-Note": "Must; B undone."})  # fmt: skip
    scheduled.commit({"a.md": doc("A")}, "Revert", "2024-11-21T09:00:00+00:00",
                     {"Change-Note": "Undone."})  # fmt: skip
    scheduled.commit({"c.md": doc("C", "z")}, "C", "2024-11-22T10:00:00+00:00",
                     {"Change-Type": "minor"})  # fmt: skip
    scheduled.commit({"c.md": doc("C")}, "C", "2024-11-22T11:00:00+00:00",
                     {"Change-Type": "minor"})  # fmt: skip
    assert [m for m in messages(scheduled, today="2024-11-30") if "undoing" in m] == [
        "warning: a: goes live on 2024-12-11 with changes that leave its text as it was the "
        "day before (a change and its undoing), so the newsletter leaves it out and its notes "
        "are not announced"
    ]
    assert [m for m in messages(scheduled, today="2024-12-11") if "undoing" in m] == []


def test_overdue_review(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", review_due="2024-01-31")},
        when="2024-01-01T09:00:00+00:00",
        trailers={"Change-Note": "Added."},
    )
    assert messages(repo, today="2024-02-01") == ["warning: a: was due for review on 2024-01-31"]
    assert messages(repo, today="2024-01-31") == [
        "warning: a: is due for review on 2024-01-31, within 30 days"
    ]
    assert messages(repo, today="2023-12-31") == []


def test_errors_come_first(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", review_due="2024-01-31", colour="x")}, when="2024-01-01T09:00:00+00:00"
    )
    levels = [p.level for p in check_manual(repo.snapshot(), D("2024-03-01"))]
    assert levels == sorted(levels)  # "error" < "warning"


def test_links_to_headings_are_checked(repo: ManualRepo):
    repo.commit(
        {
            "a.md": doc("A", "[ok](b.md#non-fatal-strangulation), [site](b.md#section-referrals), "
                        "[bad](b.md#nowhere)"),
            "b.md": doc("B", "## Non-fatal Strangulation\n\nText.\n\n## Referrals\n\nMore."),
        },
        when="2024-01-01T09:00:00+00:00",
        trailers={"Change-Note": "Added."},
    )  # fmt: skip
    assert messages(repo) == [
        "error: a.md: links to b.md#nowhere, but b.md has no heading with that id"
    ]


def test_duplicate_titles_and_text_that_is_not_utf8(repo: ManualRepo):
    repo.commit({"a.md": doc("Referrals"), "b.md": doc("Referrals")},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    (repo.path / "procedures" / "c.md").write_bytes("# Café\n\nLatin-1 text.\n".encode("latin-1"))
    repo.commit({}, "Add C", "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})
    found = messages(repo)
    assert "warning: b.md: has the same title as a.md, so readers cannot tell them apart" in found
    assert any(m.startswith("error: c.md: the file is not UTF-8 text (line 1)") for m in found)


def test_a_file_saved_as_utf16_is_named_so_not_binary(repo: ManualRepo):
    """Notepad's "Unicode" (UTF-16, with or without its byte order mark) and UTF-32 were "binary,
    not Markdown", which sent an author looking for an image (author's exploratory testing);
    a file that is binary is still said to be."""
    text = "---\ntitle: Referrals\n---\n# Referrals\n\nCall the duty team.\n"
    word = text + "Word\u00a0text\u00ad "  # (Word's spaces and hyphens, which are no controls)
    word += "x" * (3999 - len(word)) + "\U0001f600"  # (a pair of surrogates cut at 8,000 bytes)
    files = {"a.md": text.encode("utf-16"), "b.md": word.encode("utf-16-be"),
             "c.md": text.encode("utf-32"), "c32.md": text.encode("utf-32-le"), "d.md": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\x01"}  # fmt: skip
    (repo.path / "procedures").mkdir(exist_ok=True)
    for name, data in files.items():
        (repo.path / "procedures" / name).write_bytes(data)
    repo.commit({}, "Add them", "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})
    found = sorted(m.partition(";")[0] for m in messages(repo) if "not published" in m)
    notepad = ": in Notepad, Save As with Encoding UTF-8"
    assert found == [
        f"error: {name}: the file is {kind} text, not UTF-8 (save it as UTF-8{how})"
        for name, kind, how in (("a.md", "UTF-16", notepad), ("b.md", "UTF-16", notepad),
                                ("c.md", "UTF-32", ""), ("c32.md", "UTF-32", ""))
    ] + ["error: d.md: the file is binary, not Markdown"]  # fmt: skip


NAMES = ("section-spelling", "id-case")


def test_sections_and_ids_that_differ_only_where_a_reader_cannot_see_are_named(repo):
    """'Referral and assessment' beside 'Referral and Assessment' (or with a non-breaking space
    from Word) made two sections of the contents, a misspelt name in manual.toml's sections
    ordered nothing, and ids differing only in case were accepted, all without a word
    (author's exploratory testing)."""
    ra, nbsp = "Referral and Assessment", "Referral\u00a0and Assessment"
    repo.commit({
        "manual.toml": '[manual]\nsections = ["Referal and Assessment", "Early Help", "Gone"]\n',
        "a.md": doc("A", section=ra), "b.md": doc("B", section="Referral and assessment"),
        "c.md": doc("C", section=nbsp), "d.md": doc("D", section=ra),
        "e.md": doc("E", section="Early Help", id="Referrals"),
        "f.md": doc("F", section="Early Help", id="referrals"),
        "g.md": doc("G", section="Gone", status="archived"),  # (orders the withdrawn: used)
    }, "Add", "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    found = sorted(m for m in messages(repo) if "section" in m or "case" in m)
    assert found == sorted([
        "warning: b.md: has the section 'Referral and assessment', which differs from "
        f"{ra!r} only in case or spaces, so the contents list them as two sections; write it "
        f"as {ra!r}",
        f"warning: c.md: has the section {nbsp!r} (it holds U+00A0, a space a word processor "
        f"types), which differs from {ra!r} only in case or spaces, so the contents list them as "
        f"two sections; write it as {ra!r}",
        "warning: manual.toml: names the section 'Referal and Assessment' in 'sections', which "
        f"no chapter has, so it orders nothing; did you mean {ra!r}?",
        "warning: f.md: has the id 'referrals', which differs from e.md's 'Referrals' only in "
        "case: one address to a file system that ignores case (a static copy on Windows or a "
        "Mac, or a checkout there); give it another id",
    ])  # fmt: skip
    findings = json.loads(run_check(repo, "json").stdout)["findings"]
    assert sorted((f["file"], f["line"]) for f in findings if f["rule"] in NAMES) == [
        ("b.md", 2), ("c.md", 2), ("f.md", 3)  # (section: and id: in the front matter)
    ]  # fmt: skip
    repo.commit({"b.md": doc("B", section=ra), "c.md": doc("C", section=ra),
                 "f.md": doc("F", section="Early Help", id="referrals-early"),
                 "manual.toml": f'[manual]\nsections = ["{ra}", "Early Help"]\n'},
                "Mend", "2024-01-03T09:00:00+00:00", {"Change-Note": "Mended."})  # fmt: skip
    assert [m for m in messages(repo) if "section" in m or "case" in m] == []
    repo.commit({"g.md": None, "manual.toml": '[manual]\nsections = ["Gone"]\n'}, "Drop G",
                "2024-01-04T09:00:00+00:00", {"Change-Note": "Gone."})  # fmt: skip
    assert [m for m in messages(repo) if "section" in m] == [
        "warning: manual.toml: names the section 'Gone' in 'sections', which no chapter has, so "
        "it orders nothing (a section no longer used?)"
    ]


def test_a_misspelt_sections_entry_does_not_set_the_chapters_spelling(repo: ManualRepo):
    """'Child protection' in manual.toml's sections, used by no chapter, set the spelling
    section-spelling told both chapters to write; of two spellings one each, the lower-case one
    won (exploratory testing). The chapters' spelling is kept, of as many the first committed."""
    repo.commit({"manual.toml": '[manual]\nsections = ["Child protection"]\n',
                 "a.md": doc("A", section="Child Protection"),
                 "b.md": doc("B", section="Child Protection"),
                 "c.md": doc("C", section="Early Help")}, "Add", "2024-01-02T09:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    repo.commit({"0.md": doc("0", section="early help"), "e.md": doc("E", section="child protection")},
                "Add D", "2024-01-03T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    assert sorted(m for m in messages(repo) if "section" in m) == [
        "warning: 0.md: has the section 'early help', which differs from 'Early Help' only in "
        "case or spaces, so the contents list them as two sections; write it as 'Early Help'",
        "warning: e.md: has the section 'child protection', which differs from 'Child "
        "Protection' only in case or spaces, so the contents list them as two sections; write "
        "it as 'Child Protection'",
        "warning: manual.toml: names the section 'Child protection' in 'sections', which no "
        "chapter has, so it orders nothing; did you mean 'Child Protection'?",
    ]


def test_of_two_ids_only_case_apart_the_newcomer_is_told(repo: ManualRepo):
    """id-case told the established chapter, first in the contents, to change its address
    rather than the one just added (second review)."""
    repo.commit({"z.md": doc("Zulu", id="Referrals")}, "Add Z", "2024-01-02T09:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    repo.commit({"a.md": doc("Alpha", id="referrals")}, "Add A", "2024-03-02T09:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    assert [m[:45] for m in messages(repo) if "case" in m] == [
        "warning: a.md: has the id 'referrals', which "
    ]


def test_tracker_new_refuses_an_id_only_case_apart_from_a_former_or_deleted_one(repo):
    """tracker new refused only an id only case apart from a current one (review); a file
    renamed to change the case of its name is no check finding (no change of ids could clear
    it: its former id stays; a static copy writes no redirect there, test_export)."""
    repo.commit({"Referrals.md": doc("Referrals"), "Old.md": doc("Old", "Old words.")}, "Add",
                "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    repo.git("mv", "procedures/Referrals.md", "procedures/referrals.md")
    repo.commit({"Old.md": None}, "Rename", "2024-01-03T09:00:00+00:00", {"Change-Note": "Gone."})
    assert [m for m in messages(repo) if "case" in m] == []
    for ident, whose in (("OLD", "(the id of a deleted document, Old.md)"),
                         ("Referrals", "is already used: a former id of 'referrals' "
                          "(referrals.md), which it still answers to.")):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "tracker", "new", ident, "--title", "Third",
                               "--repo", str(repo.path)], capture_output=True, text=True,
                              check=False)  # fmt: skip
        assert done.returncode == 2 and whose in done.stderr, done.stderr  # (not a file that is
        # gone, nor "a document of the manual": exploratory testing)


def test_a_left_out_version_since_deleted_says_so_with_no_line(repo: ManualRepo):
    """A Latin-1 file deleted since was still said to appear 'once it can be read', on a line
    of a file that was gone, which an editor opened empty (exploratory testing)."""
    (repo.path / "procedures").mkdir(exist_ok=True)
    (repo.path / "procedures" / "latin.md").write_bytes("# Café\n\nLatin.\n".encode("latin-1"))
    repo.commit({"a.md": doc("A")}, "Add", "2025-01-10T10:00:00+00:00", {"Change-Note": "A."})
    repo.commit({"latin.md": None}, "Remove", "2025-01-11T10:00:00+00:00")
    found = [p for p in check_manual(repo.snapshot(), D("2025-01-20")) if p.rule == "not-utf8"]
    assert [(p.level, p.line, p.message.rsplit("; ", 1)[-1]) for p in found] == [
        ("warning", None, f"its version of commit {repo.git('rev-parse', 'HEAD~1')[:10]} is not "
         "published (the file was deleted since)")
    ]  # fmt: skip


def test_a_file_whose_path_gives_an_id_the_website_cannot_show_is_left_out(repo: ManualRepo):
    """procedures/...md took the id '..' (a file name with an escape character, one with it),
    listed everywhere, its page a 400, and check said nothing (security review): only a front
    matter id was checked. Such a file is not published, as a file that cannot be read is
    not, and check names it; a name with a space, or a file with an id of its own, is fine."""
    bad = ("...md", "a/..md", "esc\x1b[31m.md", "bell\x07.md", "back\\slash.md",
           "/".join(["x" * 200] * 2) + ".md", "a/index.html.md")  # fmt: skip
    first = repo.commit({"ok.md": doc("OK"), "early help.md": doc("Early help"),
                         "own/...md": doc("Own", id="own-id"), "b.md": doc("B"),
                         **{name: doc(f"Bad {n}") for n, name in enumerate(bad)}},
                        when="2024-01-01T09:00:00+00:00")  # fmt: skip
    repo.move("b.md", "b\x07b.md", when="2024-01-02T09:00:00+00:00")  # (B stays as it was)
    snapshot = repo.snapshot()
    assert sorted(d.id for d in snapshot.documents) == ["b", "early help", "ok", "own-id"]
    found = {p.where: str(p) for p in check_manual(snapshot, D("2024-11-20"))
             if p.rule == "invalid-id"}  # fmt: skip
    assert sorted(found) == sorted([*bad, "b\x07b.md"])
    assert found["...md"] == (
        "error: ...md: takes the id '..' from its path, which cannot be a web address (a part "
        "of it is '.' or '..'): rename the file, or give it an id in its front matter; its "
        f"version of commit {first[:10]} is not published (the file appears once renamed, or "
        "given an id)"
    )
    assert "(the version before it stays in force)" in found["b\x07b.md"]
    assert snapshot.document("b").latest.path == "b.md"
    with pytest.raises(NotFoundError, match=r"'\.\.': \.\.\.md is not published \(see"):
        snapshot.document("..")


@pytest.mark.parametrize(
    ("key", "meant"),
    [("Golive", "Go-Live"), ("Changenote", "Change-Note"), ("Change-Notes", "Change-Note"),
     ("ChangeType", "Change-Type")],
)  # fmt: skip
def test_misspelt_trailers_are_named_with_the_one_meant(repo: ManualRepo, key: str, meant: str):
    repo.commit({"a.md": doc("A")}, when="2024-11-18T09:00:00+00:00",
                trailers=[(key, "2024-12-01"), ("Change-Note", "Added."),
                          ("Signed-off-by", "A <a@b.org>")])  # fmt: skip
    found = [m for m in messages(repo) if "trailer" in m]
    assert len(found) == 1
    assert f"has the trailer '{key}:', which the tracker does not read; did you mean " \
        f"'{meant}:'?" in found[0]  # (as written: it was quoted lower-cased)  # fmt: skip


@pytest.mark.parametrize(
    ("trailers", "body", "level"),
    [([("Golive", "2024-12-01")], "", "error"),
     ([("Golive", "2024-12-01"), ("Go-Live", "2024-12-04")], "", "warning"),
     ([("Change-Notes", "Added.")], "", "warning"),
     ([], "Why.\n\nGo\u2013live date: 2024-12-01\nChange-Note: Added.", "error")],
)  # fmt: skip
def test_a_misspelt_go_live_whose_date_was_lost_is_an_error(repo, trailers, body, level):
    """'Golive: 2024-12-01' (or 'Go-live date:', typed in Word with an en dash): git reads no
    Go-Live, so the schedule dated the change, not the author, where a Go-Live git could not
    read was already an error and this only a warning (author's exploratory testing; the
    dashed, misspelt key was not reported at all). A warning when git read a Go-Live too."""
    repo.commit({"a.md": doc("A")}, "Add A", "2024-11-18T09:00:00+00:00", body=body,
                trailers=trailers)  # fmt: skip
    found = [m for m in messages(repo) if "did you mean" in m]
    assert len(found) == 1 and found[0].startswith(f"{level}: commit "), found
    assert ("Its date was ignored: the version's go-live date does not come from it" in found[0]) \
        == (level == "error")  # fmt: skip


@pytest.mark.parametrize(
    ("body", "trailers", "found"),
    [
        ("Go-Live: 2024-12-11", {"Change-Note": "Added."},
         ["error: commit {sha}: has 'Go-Live: 2024-12-11' where git does not read it as a "
          "trailer (trailers go together, unindented, in the message's last paragraph, with no "
          "other text), so it was ignored"]),
        ("Why it changed.\nChange-Note: Added.", {},
         ["warning: commit {sha}: has 'Change-Note: Added.' where git does not read it as a "
          "trailer (trailers go together, unindented, in the message's last paragraph, with no "
          "other text), so it was ignored"]),
        ("Change-Note: Added, and a note that\n  goes on.", {}, []),  # (folded: read)
        ("Why it changed.\n\n    Go-Live: 2024-12-11", {},
         ["error: commit {sha}: has 'Go-Live: 2024-12-11' where git does not read it as a "
          "trailer (trailers go together, unindented, in the message's last paragraph, with no "
          "other text), so it was ignored"]),
        ("Change-Note: Added.\n\tChange-Type: minor", {},
         ["warning: commit {sha}: has 'Change-Type: minor' where git does not read it as a "
          "trailer (trailers go together, unindented, in the message's last paragraph, with no "
          "other text), so it was ignored"]),
        ("", [("Go-Live", "2024-12-11"), ("Go-Live", "2025-01-08")],
         ["warning: commit {sha}: has 2 Go-Live trailers (2024-12-11, 2025-01-08); the last "
          "valid one, 2025-01-08, was taken"]),
        ("", {"Go-Live": "2204-12-11"},
         ["warning: commit {sha}: has 'Go-Live: 2204-12-11', more than a year after the commit "
          "(every later change to its documents waits for it): is the year right?"]),
        ("", {"Go-Live": "2025-11-18"}, []),  # (a year after it: may be meant)
        ("", {"Change-Type": "editorial"},
         ["warning: commit {sha}: has 'Change-Type: editorial', which the tracker does not "
          "read (only 'minor' makes a change minor), so the change is not minor"]),
    ],
    ids=["go-live-above", "note-among-text", "folded-note", "indented", "indented-under-a-note",
         "two-dates", "far", "a-year", "editorial"],
)  # fmt: skip
def test_trailers_git_does_not_read_are_reported(
    repo: ManualRepo, body: str, trailers: dict[str, str], found: list[str]
):
    """A Go-Live above the last paragraph was ignored without a word: the change went live
    when committed, weeks early (exploratory testing); so was an indented one (git reads an
    indented line as going on from the one above, or as no trailer)."""
    sha = repo.commit({"a.md": doc("A")}, when="2024-11-18T09:00:00+00:00", body=body,
                      trailers=trailers)  # fmt: skip
    said = [m for m in messages(repo) if m.startswith(("error: commit", "warning: commit"))]
    assert said == [line.format(sha=sha[:10]) for line in found]


def test_links_shown_as_code_are_not_checked(repo: ManualRepo):
    """A link in a fenced block or a code span is text on the page: check reported it as a
    broken link, failing CI (review found)."""
    body = ("```\n[y](nowhere.md)\n```\n\nWrite `[z](z.md)` to link, not don`t.\n\n"
            "~~~\n[q](q.md)\n~~~\n\nBut [w](w.md) is a link.")  # fmt: skip
    repo.commit({"a.md": doc("A", body)}, when="2024-11-18T09:00:00+00:00",
                trailers={"Change-Note": "Added."})  # fmt: skip
    assert [m for m in messages(repo) if "links to" in m] == [
        "error: a.md: links to w.md, which is not a document"
    ]


def test_links_by_reference_are_checked(repo: ManualRepo):
    """A link by reference ([text][label], [label][], [label]) goes where its label's
    definition says, wherever that is: check read only inline links (review found)."""
    body = ("Read the [referrals chapter][r] first, then [Early  Help][] and [B].\n\n"
            "## Forms\n\nSee [the form][F].\n\n[r]: no-such-chapter.md\n"
            "[early help]: <help.md> 'Early help'\n[b]: b.md#nowhere\n[f]:\n  forms.md\n"
            "[unused]: unused.md")  # fmt: skip
    repo.commit({"a.md": doc("A", body), "b.md": doc("B")}, when="2024-11-18T09:00:00+00:00",
                trailers={"Change-Note": "Added."})  # fmt: skip
    assert [m for m in messages(repo) if "links to" in m] == [
        "error: a.md: links to no-such-chapter.md, which is not a document",
        "error: a.md: links to help.md, which is not a document",
        "error: a.md: links to b.md#nowhere, but b.md has no heading with that id",
        "error: a.md: links to forms.md, which is not a document",
    ]


def test_a_heading_line_ends_a_paragraph(repo: ManualRepo):
    """A backtick before a heading line and one in it are no code span (the heading ends the
    paragraph), nor before a quote's line: check took the links between them for code."""
    body = ("Press the ` key to start.\n## See [the form](missing-form.md) and `this`\n\n"
            "Or the ` key.\n> Then [the list](missing-list.md) and `that`")  # fmt: skip
    repo.commit({"a.md": doc("A", body)}, when="2024-11-18T09:00:00+00:00",
                trailers={"Change-Note": "Added."})  # fmt: skip
    assert [m for m in messages(repo) if "links to" in m] == [
        "error: a.md: links to missing-form.md, which is not a document",
        "error: a.md: links to missing-list.md, which is not a document",
    ]


@pytest.mark.parametrize(
    ("message", "found"),
    [
        ("Update\nGo-Live: 2024-12-11",  # (part of the subject to git: %b is empty)
         ["warning: commit {sha}: has 'Go-Live: 2024-12-11' in its subject, where git does not "
          "read it as a trailer (a trailer under the subject needs a blank line between), so it "
          "was ignored"]),
        ("Go-Live: 2024-12-11", ["error: commit {sha}: has 'Go-Live: 2024-12-11' in its "
         "subject, where git does not read it as a trailer (a trailer under the subject needs a "
         "blank line between), so it was ignored"]),  # (the whole subject: an error, review)
        ("Update go-live: dates explained", []),  # (second review: no date follows)
        ('Revert "Update threshold Go-Live: 2024-03-13"', []),
        ("Explain when the change-type: minor applies", []),
        ("Change-Type: minor",  # (git commit -m "Change-Type: minor": exploratory testing)
         ["warning: commit {sha}: has 'Change-Type: minor' as its subject, where git does not "
          "read it as a trailer (a trailer goes in the message's last paragraph, under a "
          "subject and a blank line), so the newsletter shows it as the change's note and the "
          "change is not minor"]),
        ("change-note : Refer within 24 hours.",
         ["warning: commit {sha}: has 'change-note : Refer within 24 hours.' as its subject, "
          "where git does not read it as a trailer (a trailer goes in the message's last "
          "paragraph, under a subject and a blank line), so the newsletter shows it as the "
          "change's note"]),
        ("Update\r\n\r\nGo-Live: 2024-12-11\r\nChange-Note: Added.\r\n", []),  # (read)
        ("Squashed (#12)\n\n* First\n\nGo-Live: 2024-12-04\n\n* Second\n\n"
         "Go-Live: 2024-12-11\nChange-Note: Added.",
         ["warning: commit {sha}: has 'Go-Live: 2024-12-04' where git does not read it as a "
          "trailer (trailers go together, unindented, in the message's last paragraph, with no "
          "other text), so it was ignored (2024-12-11 was taken)"]),
    ],
    ids=["under-the-subject", "as-the-subject", "a-subject-naming-it", "revert", "type-named",
         "type-as-the-subject", "note-as-the-subject", "crlf", "squash-merge"],
)  # fmt: skip
def test_trailers_git_does_not_read_in_messages_of_other_shapes(
    repo: ManualRepo, message: str, found: list[str]
):
    """Review: a trailer under the subject (no blank line) was lost without a word; a message
    with CRLF line ends had its trailers, which git read, reported as unread (an error for 30
    days); a squash merge's earlier Go-Live beside the one read was an error too."""
    (repo.path / "procedures").mkdir(exist_ok=True)
    (repo.path / "procedures" / "a.md").write_text(doc("A"), encoding="utf-8")
    repo.git("add", "--all")
    repo.git("commit", "--quiet", "--cleanup=verbatim", "-m", message,
             when="2024-11-18T09:00:00+00:00")  # fmt: skip
    sha = repo.git("rev-parse", "HEAD")
    said = [m for m in messages(repo) if m.startswith(("error: commit", "warning: commit"))]
    assert said == [line.format(sha=sha[:10]) for line in found]


def test_check_as_json_for_ci(repo: ManualRepo):
    import json
    import subprocess
    import sys

    repo.commit({"a.md": "---\ntitle: [oops\n---\n# A\n", "b.md": doc("B", "[x](c.md)")},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    findings = json.loads(done.stdout)["findings"]
    assert {"file": "a.md", "line": 2, "severity": "error",
            "message": "the front matter is not valid YAML at line 2 (a value starting with '[' "
            'must be in quotes: title: "[oops")',
            "rule": "front-matter"} in findings  # fmt: skip
    assert any(f["rule"] == "broken-link" and f["file"] == "b.md" for f in findings)


def test_check_annotations_for_github_and_gitlab_and_lines_in_text(repo: ManualRepo):
    """The text format gave no line numbers, where json, github and gitlab did (author's
    exploratory testing): 'a.md:3:' as compilers write it, so that an editor opens it there."""
    import json

    repo.commit({"a.md": "---\ntitle: [oops\n---\n# A\n", "b.md": doc("B", review_due="2024-01-01")},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    done = run_check(repo, "text")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "error: procedures/a.md:2: the front matter is not valid YAML at line 2 (a value starting with '[' "
        'must be in quotes: title: "[oops")',
        "warning: b: was due for review on 2024-01-01",  # (a document, by its id)
        "1 error, 1 warning.",
    ]

    github = run_check(repo, "github")
    assert github.returncode == 1
    assert github.stdout.splitlines() == [
        "::error file=procedures/a.md,line=2,title=front-matter::the front matter is not valid YAML "
        """at line 2 (a value starting with '[' must be in quotes: title: "[oops")""",
        "::warning file=procedures/b.md,title=review-overdue::was due for review on 2024-01-01",
    ]  # (a finding named by a document's id on its file: it had none, review)
    gitlab = json.loads(run_check(repo, "gitlab").stdout)
    assert [(i["check_name"], i["severity"], i["location"]) for i in gitlab] == [
        ("front-matter", "major", {"path": "procedures/a.md", "lines": {"begin": 2}}),
        ("review-overdue", "minor", {"path": "procedures/b.md", "lines": {"begin": 1}}),
    ]
    assert len({i["fingerprint"] for i in gitlab}) == 2


def test_an_image_s_finding_is_on_its_own_line_after_a_link_s(repo: ManualRepo):
    """Images were looked for from where the last link's finding was found: the same image
    twice, a broken link between them, and the finding of the first (no description) was
    given the second's line (review)."""
    images = repo.path / "procedures" / "images"
    images.mkdir(parents=True)
    (images / "p.png").write_bytes(PNG)
    body = "![](images/p.png)\n\n[bad](nosuch.md)\n\n![A dot](images/p.png)\n"
    repo.commit({"a.md": "---\ntitle: A\n---\n" + body}, when="2024-01-02T09:00:00+00:00")
    done = run_check(repo, "json")
    found = sorted((f["line"], f["rule"]) for f in json.loads(done.stdout)["findings"])
    assert found == [(4, "image-alt"), (6, "broken-link")]


def test_findings_in_a_document_name_their_line(repo: ManualRepo):
    """Only a YAML syntax error had a line (docs review): a link's, an anchor's and an image's
    finding is on the line where its address is written (a reference's definition; the same
    address twice, each its own), a front matter key's on that key, front matter that is not
    on the first line or never closes on its '---' (1-based, in the file, front matter
    counted; Windows line ends too)."""
    c = (
        "---\ntitle: C\n---\n\n# C\n\n"  # (lines 1-6)
        "Text before nosuch.md is named. [bad](nosuch.md) and [anchor](#nope)\n\n"  # 7
        'Again [bad](nosuch.md) and ![](images/x.png) <a href="b.md#gone">b</a>\n\n'  # 9
        '[ref][r] <img src="images/p.png">\n\n'  # 11
        "[r]: other.md\n"  # 13
    )
    repo.commit({
        "a.md": "\n---\ntitle: Blank first\n---\n\n# Blank first\n\ntext\n",
        "b.md": "---\r\nid: 123\r\ntitle: |\r\n  Two\r\n  lines\r\ncolour: red\r\ntype: policy\r\n"
                "review_due: 2024-02-30\r\n---\r\n\r\n# B\r\n\r\ntext\r\n",
        "c.md": c,
        "e.md": '---\ntitle: E\n"colour": blue\n---\n',
        "g.md": "---\ntitle: G\n",
    }, when="2024-01-02T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    done = run_check(repo, "json")
    found = sorted((f["file"], f["line"], f["rule"], f["message"].split(",")[0])
                   for f in json.loads(done.stdout)["findings"])  # fmt: skip
    assert found == [
        ("a.md", 2, "front-matter", "the front matter does not start on the first line (a blank "
                                    "line or spaces come before its '---')"),
        ("b.md", 3, "front-matter", "'title' is on more than one line; it is shown on one: 'Two "
                                    "lines'"),
        ("b.md", 6, "front-matter", "unknown front matter key 'colour'"),
        ("b.md", 7, "front-matter", "'type' must be one of chapter"),
        ("b.md", 8, "front-matter", "the front matter holds an impossible date ('review_due': "
                                    "2024-02-30)"),
        ("c.md", 7, "broken-anchor", "links to #nope"),
        ("c.md", 7, "broken-link", "links to nosuch.md"),
        ("c.md", 9, "broken-anchor", "links to b.md#gone"),
        ("c.md", 9, "broken-image", "shows the image images/x.png"),
        ("c.md", 9, "broken-link", "links to nosuch.md"),
        ("c.md", 9, "image-alt", "has an image with an empty description (![](…)"),
        ("c.md", 11, "broken-image", "shows the image images/p.png"),
        ("c.md", 11, "image-alt", "has an <img> with no alt text"),
        ("c.md", 13, "broken-link", "links to other.md"),
        ("e.md", 3, "front-matter", "unknown front matter key 'colour'"),
        ("g.md", 1, "front-matter", "the front matter has no closing '---' line"),
    ]  # fmt: skip
    github = run_check(repo, "github").stdout
    assert "::error file=procedures/c.md,line=13,title=broken-link::links to other.md" in github


def test_gitlab_places_findings_about_commits_on_files_the_repository_has(repo: ManualRepo):
    """GitLab's report needs a file for each finding: those about a commit went on
    procedures/manual.toml line 1, though the repository had none (docs review). A commit's go
    on a document it changed, a version's on its document, and one that changed no document
    still in the manual on manual.toml, or the first document where there is none."""
    repo.commit({"a.md": doc("A"), "b.md": doc("B"), "c.md": doc("C")},
                when="2024-01-02T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    repo.commit({"b.md": doc("B", "Two.")}, when="2024-01-10T09:00:00+00:00",
                trailers={"Go-Live": "next week", "Change-Note": "Two."})  # fmt: skip
    repo.commit({"c.md": doc("C", "Two.")}, when="2024-01-12T09:00:00+00:00",
                trailers={"Go-Live": "2024-01-05", "Change-Note": "Two."})  # fmt: skip
    repo.commit({"a.md": None}, when="2024-01-15T09:00:00+00:00", trailers={"Golive": "2024-01-20"})

    def located() -> dict[str, str]:
        report = json.loads(run_check(repo, "gitlab").stdout)
        tree = set(repo.git("ls-tree", "-r", "--name-only", "HEAD").splitlines())
        assert {item["location"]["path"] for item in report} <= tree
        return {item["check_name"]: item["location"]["path"] for item in report}

    assert located() == {
        "go-live-invalid": "procedures/b.md",
        "back-dated": "procedures/c.md",
        "unknown-trailer": "procedures/b.md",  # (a.md is gone; no manual.toml: the first)
    }
    repo.commit({"manual.toml": '[manual]\ntitle = "Manual"\n'}, when="2024-01-16T09:00:00+00:00")
    assert located()["unknown-trailer"] == "procedures/manual.toml"
    github = run_check(repo, "github").stdout  # (GitHub's annotations need no file: as before)
    assert "::error title=go-live-invalid::commit " in github


def test_a_trailer_git_cannot_read_is_still_reported(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add A", "2024-11-18T09:00:00+00:00",
                body="Why it changed.\n\nGo-live date: 2024-12-11\nChange-Note: Added.")  # fmt: skip
    found = [m for m in messages(repo) if "trailer" in m]
    assert len(found) == 2 and "'Go-live date:'" in found[0] and "'Go-Live:'?" in found[0]
    assert "has 'Change-Note: Added.' where git does not read it" in found[1]  # (its paragraph
    # is not all trailers, so git read none of them: the subject was the note)


@pytest.mark.parametrize("dash", ["\u2013", "\u2011", "\u2010", "\u2212"])
def test_a_trailer_whose_hyphen_is_a_word_processors_dash_is_reported(repo: ManualRepo, dash):
    """'Go-Live: 2025-03-05' with an en dash for its hyphen, pasted from Word: no trailer to
    git, so the schedule dated the change three weeks before the date the author gave, and
    nothing said so (exploratory testing). The hook stops it; check reports it, with the
    Change-Note it hid."""
    body = f"Go{dash}Live: 2025-03-05\nChange-Note: Level 3 clarified."
    repo.commit({"a.md": doc("A")}, "Add A", "2025-01-20T10:00:00+00:00", body=body)
    found = [m for m in messages(repo, "2025-01-21") if "trailer" in m]
    assert found[0] == (
        f"error: commit {repo.git('rev-parse', 'HEAD')[:10]}: has 'Go{dash}Live: 2025-03-05' whose "
        f"'{dash}' (U+{ord(dash):04X}, as a word processor writes a hyphen) makes it no trailer "
        "to git (type a plain '-'), so it was ignored"
    )
    assert (  # (the line that hid it named: exploratory testing)
        f"has 'Change-Note: Level 3 clarified.' beside 'Go{dash}Live:', whose word processor's "
        "dash makes it no trailer to git, so that git read none beside it either" in found[1]
    )
    said = check_message(f"Add A\n\n{body}\n", date(2025, 1, 20))
    assert said == [
        f"'Go{dash}Live:' has '{dash}' (U+{ord(dash):04X}, as a word processor writes a hyphen), "
        "so git reads no trailer there (and may read none beside it): type 'Go-Live:'."
    ]


def test_a_go_live_lost_to_a_pasted_space_or_a_sign_off_is_an_error(repo: ManualRepo):
    """A Go-Live pasted from Outlook after a non-breaking space, and 'Golive:' above a sign-off
    ('Thanks, Jo': git then reads no trailer of the paragraph), were lost with nothing said by
    check, the change going live by the schedule (exploratory testing; the hook said the first
    was indented, which an author could not see)."""
    repo.commit({"a.md": doc("A")}, "Add A", "2025-01-20T10:00:00+00:00",
                body="Why.\n\n\u00a0Go-Live: 2025-03-06")  # fmt: skip
    first = repo.git("rev-parse", "HEAD")[:10]
    repo.commit({"a.md": doc("A", "Two.")}, "Edit A", "2025-01-21T10:00:00+00:00",
                body="Why.\n\nChange-Note: Two.\nGolive: 2025-03-09\nThanks, Jo")  # fmt: skip
    second = repo.git("rev-parse", "HEAD")[:10]
    found = [m for m in messages(repo, "2025-01-22") if "trailer" in m]
    assert (
        f"error: commit {first}: has 'Go-Live: 2025-03-06' after a space git takes for none "
        "(U+00A0, as a word processor or mail program writes one before it), so that git read "
        "no trailer there (start the line with the key), so it was ignored" in found
    ), found
    assert any(m.startswith(f"error: commit {second}: has the trailer 'Golive:'") for m in found)
    assert check_message("Update\n\n\u00a0Go-Live: 2025-03-06\n", date(2025, 1, 20)) == [
        "git will not read 'Go-Live: 2025-03-06' as a trailer, because it starts with a space "
        "git takes for none (U+00A0, as a word processor or mail program writes one): start the "
        "line with the key, and put Go-Live with the other trailers, in one paragraph at the end."
    ]


def test_a_go_live_date_typed_with_word_processor_dashes_names_the_dash(repo: ManualRepo):
    """'Go-Live: 2025-03-01' typed with Word's non-breaking hyphens looked like YYYY-MM-DD to its
    author, and was only "neither a date nor 'immediate'" (exploratory testing)."""
    repo.commit({"a.md": doc("A")}, "Add A", "2025-01-20T10:00:00+00:00",
                trailers={"Go-Live": "2025\u201103\u201101"})  # fmt: skip
    said = " (its '\u2011' is U+2011, as a word processor writes a hyphen: type '-')"
    assert any(m.endswith(f"nor 'immediate'{said}, so it was ignored")
               for m in messages(repo, "2025-01-21")), messages(repo, "2025-01-21")  # fmt: skip
    assert check_message("S\n\nGo-Live: 2025\u201103\u201101\n", date(2025, 1, 20)) == [
        f"'Go-Live: 2025\u201103\u201101' is neither a date (YYYY-MM-DD) nor 'immediate'{said}."
    ]


def test_a_dashed_go_live_beside_a_trailer_git_writes_is_reported(repo: ManualRepo):
    """Beside 'Signed-off-by:' (git commit -s) git reads the other trailers, and the dashed
    Go-Live was not looked for at all (review); the hook passes a subject that names it."""
    body = "Go\u2013Live: 2025-03-05\nChange-Note: Level 3 clarified.\nSigned-off-by: A <a@x>"
    repo.commit({"a.md": doc("A")}, "Add A", "2025-01-20T10:00:00+00:00", body=body)
    found = [m for m in messages(repo, "2025-01-21") if "trailer" in m]
    assert len(found) == 1 and "has 'Go\u2013Live: 2025-03-05' whose '\u2013'" in found[0]
    assert check_message("Go\u2013live: the new front door\n\nChange-Note: x\n") == []
    assert check_message("Update\n\nGo \u2013 live: on Monday, as agreed\n") == []
    for body in (
        "Go\u2013live date: 2025-03-05",
        "Why.\n\nGo\u2013live date: 2025-03-05\nChange-Note: x",
    ):
        assert check_message(f"Update\n\n{body}\n", date(2025, 1, 20)) == [  # (check's error
            "'Go\u2013live date:' has '\u2013' (U+2013, as a word processor writes a hyphen), so "
            "git reads no trailer there (and may read none beside it): type 'Go-Live:'."
        ], body  # since this round; the hook let it through, or said to indent it: review)


def test_heading_ids_as_the_page_gives_them(repo: ManualRepo):
    target = ("## Steps\n\nOne.\n\n## Steps\n\nTwo.\n\nSetext Heading\n--------------\n\n"
              "## See [Referrals](r.md)\n\n## Café *now*\n")  # fmt: skip
    links = ("[a](b.md#steps) [b](b.md#steps_1) [c](b.md#setext-heading) [d](b.md#see-referrals) "
             "[e](b.md#cafe-now) [f](#here) [g](#nowhere) [h](b.md#b)\n\n## Here\n")  # fmt: skip
    repo.commit({"a.md": doc("A", links), "b.md": doc("B", target), "r.md": doc("R")},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    assert messages(repo) == [
        "error: a.md: links to #nowhere, but this document has no heading with that id",
        "error: a.md: links to b.md#b, but b.md has no heading with that id",  # its # Title
    ]


def test_links_to_headings_with_emphasis_and_code_are_read_as_the_page_gives_them(
    repo: ManualRepo,
):
    """Review: check dropped the underscores it took for emphasis by a rule of its own, and
    kept the spaces inside a code span, so "## _-x_" was _-x_ to it where the page has -x
    (``<em>-x</em>``), "## _a__" _a__ where the page has a_, "## a` b`" a-b where it has ab,
    "## `_a_` here" a-here where it has _a_-here: links that land were called broken, and
    links to ids no heading has went unreported (test_documents' property tests compare the
    two on generated headings)."""
    target = "## _-x_\n\n## _a__\n\n## a` b`\n\n## `_a_` here\n\n## **a*b_**\n"
    links = ("[a](b.md#-x) [b](b.md#a_) [c](b.md#ab) [d](b.md#_a_-here) [e](b.md#ab_) "
             "[f](b.md#_-x_) [g](b.md#a-b) [h](b.md#a-here) [i](#-y)\n\n## _-y_\n")  # fmt: skip
    repo.commit({"a.md": doc("A", links), "b.md": doc("B", target)},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    assert [line.split(", but")[0] for line in messages(repo)] == [
        "error: a.md: links to b.md#_-x_",
        "error: a.md: links to b.md#a-b",
        "error: a.md: links to b.md#a-here",
    ]


def test_headings_without_a_space_or_words_are_read_as_the_page_gives_them(repo: ManualRepo):
    """Python-Markdown needs no space after the #s ("#Contacts", "####### Seven": an h6 of
    "# Seven"), and "##" alone or "## ##" is an empty heading with the id "section-", which
    later repeats are numbered past: check read none of them, so it called links to
    #contacts, #seven and #_2 broken (all three land on the page: test_documents' test of the
    same text), and numbered later headings otherwise than the page."""
    target = "#Contacts\n\n####### Seven\n\n##\n\n## ##\n\n## _1\n"
    links = "[a](b.md#contacts) [b](b.md#seven) [c](b.md#_1) [d](b.md#_2) [e](b.md#_3)"
    repo.commit({"a.md": doc("A", links), "b.md": doc("B", target)},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    assert messages(repo) == ["error: a.md: links to b.md#_3, but b.md has no heading with that id"]


def test_links_to_headings_written_as_html_are_read_as_the_page_gives_them(repo: ManualRepo):
    """<h2 id="main-content"> is the page's section-main-content, which #main-content goes to
    (test_web shows it): check reported such a link as broken. An id in code or a comment, and
    a name, are none the page gives."""
    code = ('`<h2 id="in-code">` <!-- <h2 id="in-comment"> -->\n\n    <h2 id="indented">\n\n'
            "[a](#in-code) [b](#in-comment) [c](#indented) [d](#n) [e](#p)\n")  # fmt: skip
    links = "[x](c.md#main-content) [y](c.md#search) [z](c.md#section-steps) [w](c.md#contacts)"
    repo.commit({"a.md": doc("A", links + "\n\n" + code), "c.md": doc("C", HTML_HEADINGS)},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    assert messages(repo) == [
        f"error: a.md: links to #{name}, but this document has no heading with that id"
        for name in ("in-code", "in-comment", "indented", "n", "p")
    ]


def test_links_to_headings_whose_words_begin_with_section(repo: ManualRepo):
    """The id docs/authors.md gives "## Section 47 Enquiries" is section-47-enquiries, and links
    copied from a page carry its prefix (section-section-47-enquiries, section-reporting): each
    is a heading the page has, as test_web's test of the same links shows. They were reported
    as broken, failing the partnership's CI."""
    repo.commit({**SECTION_HEADINGS, "other.md": doc("Other", "[x](referrals.md#section-nowhere) "
                 "[y](referrals.md#section-section-reporting) [z](#section-47-enquiries)")},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    assert messages(repo) == [
        "error: other.md: links to referrals.md#section-nowhere, but referrals.md has no "
        "heading with that id",
        "error: other.md: links to referrals.md#section-section-reporting, but referrals.md has "
        "no heading with that id",
        "error: other.md: links to #section-47-enquiries, but this document has no heading with "
        "that id",
        "warning: referrals.md: has a heading with the id '17-assessments' and one with "
        "'section-17-assessments', so a link to #section-17-assessments goes to the first; link "
        "to the second as #section-section-17-assessments, or reword one of them",
    ]


def test_links_to_headings_in_other_scripts_are_read_as_a_browser_follows_them(repo: ManualRepo):
    """A heading of Greek, Urdu, Bengali or Chinese words had the id "section-" (or "section-_1"
    for the next): a link to it was reported broken wherever it pointed, and one to a heading
    the leaflet lacks could not be told apart. Each now has its words as its id, and a link
    lands as a browser lands it: written as the words, copied from a page or percent-encoded
    (test_web's and test_browser's tests of the same links)."""
    repo.commit(NON_LATIN_HEADINGS, when="2024-01-01T09:00:00+00:00",
                trailers={"Change-Note": "Added."})  # fmt: skip
    near = {"leaflet.md#ορισμοί_2": " (did you mean #ορισμοί_1?)",  # (the second of three)
            "leaflet.md#Ορισμοί": " (did you mean #ορισμοί?)"}  # (ids are in lower case)  # fmt: skip
    assert messages(repo) == [
        f"error: other.md: links to {target}, but leaflet.md has no heading with that id"
        + near.get(target, "")
        for target in LEAFLET_BROKEN
    ]


def test_links_are_read_with_their_percent_escapes_decoded(repo: ManualRepo):
    """Markdown links "early help.md" as early%20help.md: the website decodes the escapes, and so
    does tracker check (it reported a broken-link). Decoded, a link must still name a document
    under the root, as on the website (test_web's test of the same links)."""
    repo.commit(ESCAPED_LINKS, when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})
    assert messages(repo) == [
        f"error: a.md: links to {target}, which is not a document"
        + (" (did you mean a.md?)" if target.startswith("%2e") else "")  # (its name is a.md's)
        for target in ("%2e%2e/procedures/a.md", "..%2Fprocedures%2Fa.md", "%2Fa.md",
                       "early%2520help.md", "a%00.md")
    ]  # fmt: skip


def test_links_in_every_form_the_website_follows_are_checked(repo: ManualRepo):
    """A path in angle brackets with a space, one with a query, a link whose text holds
    brackets: the website links each (test_web's test of the same links), but check did not
    read them, so a link to a missing chapter went unreported. A link within an image's
    description is text on the page, and //[x.md no address: neither is checked."""
    repo.commit(LINK_FORMS, when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})
    assert messages(repo) == [
        "error: a.md: links to no such.md, which is not a document",
        "error: a.md: links to missing.md, which is not a document",
        "error: a.md: links to s47.md#nowhere, but s47.md has no heading with that id",
        "error: a.md: links to gone.md, which is not a document",
    ]


def test_headings_whose_ids_meet_are_named(repo: ManualRepo):
    """With "47 Enquiries" beside "Section 47 Enquiries", #section-47-enquiries goes to the
    first, which a link written for the second does not mean; either alone is no matter."""
    repo.commit({"a.md": doc("A", "## 47 Enquiries\n\n## Section 47 Enquiries\n\n## Section 17"),
                 "b.md": doc("B", "## Section 47 Enquiries\n\n## 17 Here")},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    found = check_manual(repo.snapshot(), D("2024-11-20"))
    assert [(p.where, p.level, p.rule) for p in found] == [("a.md", "warning", "heading-id-clash")]


def test_every_duplicate_is_named_and_annotations_escape_file_names(repo: ManualRepo):
    repo.commit({"a.md": doc("Same"), "b.md": doc("Same"), "c.md": doc("Same")},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    assert [m for m in messages(repo) if "same title" in m] == [
        "warning: b.md: has the same title as a.md, so readers cannot tell them apart",
        "warning: c.md: has the same title as a.md, so readers cannot tell them apart",
    ]
    from tracker.authoring.check import check_manual
    from tracker.authoring.reports import github_annotations

    repo.commit({"d,e: f.md": "---\ntitle: [x\n---\n"}, when="2024-01-02T09:00:00+00:00",
                trailers={"Change-Note": "Added."})  # fmt: skip
    snapshot = repo.snapshot()
    text = github_annotations(check_manual(snapshot, D("2024-01-03")), snapshot)
    assert "file=procedures/d%2Ce%3A f.md,line=2,title=front-matter::" in text


def test_a_newsletter_template_that_fails_is_an_error(repo: ManualRepo):
    """What `tracker newsletter` would refuse: a template of the manual's own that cannot be
    compiled (used or not), or that fails writing the next release's newsletter (else the
    latest's), named with its line, as CI reads it."""
    import json

    repo.commit({"a.md": doc("A"), "_templates/_lead.j2": "One\n{% if release.upcoming %}soon\n",
                 "_templates/_spare.j2": "{{ release.date | nosuch }}"},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    done = run_check(repo, "json")
    assert done.returncode == 1, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "newsletter-template"]
    assert [(f["file"], f["line"], f["severity"]) for f in found] == [
        ("_templates/_lead.j2", 2, "error"),
        ("_templates/_spare.j2", 1, "error"),
    ]
    assert "Unexpected end of template" in found[0]["message"]
    assert "No filter named 'nosuch'" in found[1]["message"]
    github = run_check(repo, "github").stdout.splitlines()
    assert github[0].startswith(
        "::error file=procedures/_templates/_lead.j2,line=2,title=newsletter-template::"
    )
    gitlab = json.loads(run_check(repo, "gitlab").stdout)
    assert gitlab[0]["location"] == {
        "path": "procedures/_templates/_lead.j2",
        "lines": {"begin": 2},
    }

    repo.commit({"_templates/_lead.j2": "One\n\n{{ release.nosuch }}\n", "_templates/_spare.j2": None},
                when="2024-01-02T09:00:00+00:00")  # fmt: skip
    text = run_check(repo, "text")
    assert text.returncode == 1
    assert text.stdout.splitlines()[0] == (
        "error: procedures/_templates/_lead.j2:3: fails at line 3 writing the newsletter of 1st January 2024: "
        "'dict object' has no attribute 'nosuch'"
    )
    repo.commit({"_templates/_lead.j2": "One {{ release.date_words }}\n"},
                when="2024-01-03T09:00:00+00:00", trailers={"Change-Note": "Mended."})  # fmt: skip
    assert run_check(repo, "text").returncode == 0


def test_a_broken_link_names_the_document_or_heading_it_was_likely_meant_for(repo: ManualRepo):
    """A misspelt path or heading id: the finding names the nearest that a link would reach
    (from the linking file's folder; an id in the form that lands), and nothing when none is
    near (authors had to open the other chapter to find the id)."""
    referrals = doc("Referrals", "## Section 47 Enquiries\n\nX.\n\n## Reporting concerns\n\nY."
                    "\n\n## Ορισμοί\n\nZ.")  # fmt: skip
    strategy = doc("Strategy", "[a](../referals.md) [b](../referrals.md#section-47-enquries) "
                   "[c](../referrals.md#reporting-concern) [d](child-deth.md) "
                   "[e](../referrals.md#totally-else) [f](../referrals.md#ορισμο) "
                   "[g](../nowhere-near.md) [h](child%20deaths.md) [i](early-help.md)")  # fmt: skip
    repo.commit({"referrals.md": referrals, "health/strategy.md": strategy,
                 "health/child-death.md": doc("Child Death"),
                 "health/early help.md": doc("Early Help")}, when="2024-11-01T09:00:00+00:00")  # fmt: skip
    found = [m for m in messages(repo) if "health/strategy.md" in m and "links to" in m]
    assert found == [
        "error: health/strategy.md: links to ../referals.md, which is not a document (did you "
        "mean ../referrals.md?)",
        "error: health/strategy.md: links to ../referrals.md#section-47-enquries, but "
        "../referrals.md has no heading with that id (did you mean #section-47-enquiries?)",
        "error: health/strategy.md: links to ../referrals.md#reporting-concern, but "
        "../referrals.md has no heading with that id (did you mean #reporting-concerns?)",
        "error: health/strategy.md: links to child-deth.md, which is not a document (did you "
        "mean child-death.md?)",
        "error: health/strategy.md: links to ../referrals.md#totally-else, but ../referrals.md "
        "has no heading with that id",
        "error: health/strategy.md: links to ../referrals.md#ορισμο, but ../referrals.md has "
        "no heading with that id (did you mean #ορισμοί?)",
        "error: health/strategy.md: links to ../nowhere-near.md, which is not a document",
        "error: health/strategy.md: links to child%20deaths.md, which is not a document (did "
        "you mean child-death.md?)",
        "error: health/strategy.md: links to early-help.md, which is not a document (did you "
        "mean early%20help.md?)",
    ]


def test_a_link_from_the_wrong_folder_or_to_a_former_path_is_given_the_document(
    repo: ManualRepo,
):
    """A link naming the right file from the wrong folder (a "../" too few or too many) got no
    "did you mean", its path as a whole too far from the document's (newcomer's testing); nor
    did a link to a chapter's path before it was renamed (exploratory testing)."""
    repo.commit({"referral-and-assessment/referrals.md": doc("Referrals"),
                 "practice-guidance/bruising.md": doc("Bruising"), "sec1/one.md": doc("One"),
                 "other/referrals-and-more.md": doc("More")},
                when="2024-01-19T09:00:00+00:00")  # fmt: skip
    repo.move("sec1/one.md", "sec1/uno.md", when="2024-01-19T10:00:00+00:00")
    links = "[R](referrals.md) [R2](../referrals.md) [B](bruising.md) [O](../sec1/one.md)"
    repo.commit({"referral-and-assessment/a.md": doc("A", links)}, when="2024-01-20T09:00:00+00:00")
    found = [m.split(", which is not a document")[1] for m in messages(repo, "2024-02-01")
             if m.startswith("error: referral-and-assessment/a.md")]  # fmt: skip
    assert found == [  # ([R] is its own folder's: no finding)
        " (did you mean referrals.md?)",
        " (did you mean ../practice-guidance/bruising.md?)",
        " (did you mean ../sec1/uno.md?)",
    ]


def test_suggestions_are_links_that_land_and_leave_the_gitlab_fingerprints_alone(
    repo: ManualRepo,
):
    """A suggested path is written as a link must name it ('#' in a file's name); an id is
    suggested in the form that lands where two ids differ only by the page's prefix; a
    finding's GitLab fingerprint does not change when another document changes what it
    suggests (review), and the same finding twice has two fingerprints."""
    referrals = doc("Referrals", "## 47 Enquiries\n\nA.\n\n## Section 47 Enquiries\n\nB.")
    a = doc("A", "[x](frequently-asked1.md) [y](referrals.md#section-47-enquirie) "
            "[z](referals.md) [z](referals.md)")  # fmt: skip
    repo.commit({"frequently-asked#1.md": doc("FAQ"), "referrals.md": referrals, "a.md": a},
                when="2024-01-20T09:00:00+00:00")  # fmt: skip
    found = [m for m in messages(repo, "2024-02-01") if m.startswith("error: a.md")]
    assert found == [
        "error: a.md: links to frequently-asked1.md, which is not a document (did you mean "
        "frequently-asked%231.md?)",
        "error: a.md: links to referrals.md#section-47-enquirie, but referrals.md has no heading "
        "with that id (did you mean #section-47-enquiries?)",
        "error: a.md: links to referals.md, which is not a document (did you mean referrals.md?)",
        "error: a.md: links to referals.md, which is not a document (did you mean referrals.md?)",
    ]

    def fingerprints() -> list[str]:
        report = json.loads(run_check(repo, "gitlab").stdout)
        return [i["fingerprint"] for i in report if "referals.md" in i["description"]]

    before = fingerprints()
    assert len(set(before)) == 2
    repo.move("referrals.md", "contacts.md", when="2024-01-21T09:00:00+00:00")
    assert "did you mean" not in " ".join(
        m for m in messages(repo, "2024-02-01") if "referals" in m
    )
    assert fingerprints() == before


@pytest.mark.parametrize(
    ("body", "lines", "nested"),
    [
        ("- a\n  - b\n- c\n", [2], False),  # GitHub nests b; the page does not
        ("1. a\n   1. b\n2. c\n", [2], False),  # under a number, three spaces
        ("- a\n\n  - b\n", [3], False),  # a blank line between
        ("- a\n  - b\n  - c\n", [2, 3], False),  # the whole sub-list
        ("- a\n    - b\n  - c\n", [3], True),  # b mended, not c
        ("- a\n    - b\n      - c\n", [3], True),  # c under b, two spaces further
        ("- a\n  more of a\n  - b\n", [3], False),  # the item's words go on: still its list
        ("- a\n    - b\n- c\n", [], True),  # four spaces: nested on the page too
        ("- a\n\t- b\n", [], True),  # a tab: four spaces
        ("* a\n * b\n", [], False),  # one space: beside a in an editor too
        ("1. a\n  1. b\n", [], False),  # two under "1. ": beside a in an editor too
        ("  - a\n  - b\n", [], False),  # a list indented as a whole
        ("Text\n  - b\n", [], False),  # no item above
        ("- a\n\nText.\n\n  - b\n", [], False),  # the list ended at the paragraph
        ("```\n- a\n  - b\n```\n", [], False),  # code
        ("<!--\n- a\n  - b\n-->\n", [], False),  # a comment (review)
        ("<!-- x -->\n- a\n  - b\n", [3], False),  # after a comment of one line
        ("<div>\n- a\n  - b\n</div>\n", [], False),  # raw HTML
        ("1) a\n   1) b\n", [], False),  # no list on the page
        ("- a\n  * * *\n", [], False),  # a rule
        ("- a\nwrapped on\n  - b\n", [3], False),  # the item's words, lazily
        ("- a\n# H\n  - b\n", [], False),  # a heading ends the list (second review)
        ("- a\n* * *\n  - b\n", [], False),  # as a rule does
        ("- a\n> q\n  - b\n", [], False),  # and a quotation
        ("> - a\n>   - b\n> - c\n", [2], False),  # within a quotation, as outside it
        ("> - a\n>     - b\n", [], True),  # four spaces after "> ": nested on the page too
        ("x\n\n> > - a\n> >   - b\n", [4], False),  # a quotation within a quotation
        (">- a\n>   - b\n", [2], False),  # ">" without its space
        ("> ```\n> - a\n>   - b\n> ```\n", [], False),  # code within a quotation
        ("> - a\n\n  - b\n", [], False),  # the list ended with the quotation
    ],
)
def test_a_list_item_an_editor_nests_and_the_page_does_not(
    body: str, lines: list[int], nested: bool
):
    from tracker.authoring.lists import flattened
    from tracker.publish.chapter import render_chapter

    assert [line for line, _, _ in flattened(body)] == lines
    page = render_chapter(body, "a.md", lambda *_: None)
    assert bool(re.search(r"<li>(?:(?!</li>).)*<[uo]l", page, re.S)) == nested, page


def test_quotations_are_read_for_list_items_to_a_depth():
    """Quotations within quotations are read as the page reads them, to ``DEEPEST``: a line of
    a thousand ">" would take Python past its recursion limit."""
    from tracker.authoring.lists import DEEPEST, flattened

    def nested(depth: int) -> str:
        return "> " * depth + "- a\n" + "> " * depth + "  - b\n"

    assert list(flattened(nested(DEEPEST))) == [(2, 2, 0)]
    assert list(flattened(nested(1000))) == []


def test_check_says_which_list_items_the_page_does_not_nest(repo: ManualRepo):
    """Authors preview on GitHub, where two spaces nest a list; the page and its track
    changes showed the sub-list as items of their own (exploratory testing)."""
    front = "---\ntitle: A\ntags:\n- x\n  - y\n---\n"  # (YAML in the front matter is not a list)
    body = "# A\n\nThe child's details:\n\n- The child:\n  - full name\n  - address\n"
    repo.commit({"a.md": front + body, "b.md": doc("B", "- one\n    - nested\n")},
                when="2024-01-02T09:00:00+00:00")  # fmt: skip
    done = run_check(repo, "json")
    found = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "list-indent"]
    assert [(f["file"], f["line"], f["severity"]) for f in found] == [
        ("a.md", 12, "warning"),
        ("a.md", 13, "warning"),
    ], found
    assert found[0]["message"] == (
        "a list item indented 2 spaces, inside the item above it (indented 0) in an editor's "
        "preview, is shown on the page as an item of an outer list; indent it 4 spaces to nest it"
    )


def test_a_footnote_github_shows_and_the_page_does_not_is_said(repo: ManualRepo):
    """ "within 3 working days[^1]" with "[^1]: Working days exclude bank holidays." at the
    end: GitHub, where authors preview, shows a footnote; the page showed "[^1]" and the note
    as a paragraph under the last section, and check said nothing (practitioners'
    exploratory testing). Not in code."""
    from tracker.publish.chapter import render_chapter

    body = ("Hold it within 3 working days[^1].\n\n## Roles\n\nThe chair.\n\n"
            "[^1]: Working days exclude bank holidays.\n\n```\n[^2]: code\n```\n")  # fmt: skip
    assert "days[^1]." in render_chapter(body, "a.md", lambda *_: None)  # (what is said)
    other = ("[^n]: Weekdays\n\n<!--\n[^c]: in a comment\n-->\n\n> > [^q]: quoted\n\n"
             "> ```\n> [^f]: quoted code (review)\n> ```\n>\n> [^g]: after it\n")  # fmt: skip
    repo.commit({"a.md": doc("A", body), "b.md": other, "c.md": "> " * 5000 + "x\n"}, "Add",
                "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    findings = json.loads(run_check(repo, "json").stdout)["findings"]
    found = [(f["file"], f["line"], f["severity"]) for f in findings if f["rule"] == "footnote"]
    assert found == [("a.md", 9, "warning")] + [("b.md", n, "warning") for n in (1, 7, 13)]
    assert next(f["message"] for f in findings if f["rule"] == "footnote") == (
        "a footnote ('[^1]:'), which GitHub shows as a footnote but the page does not: it shows "
        "'[^1]' in the text as written and the note as a paragraph where it stands; write the "
        "note into the sentence it explains, or in brackets after it"
    )


def test_a_finding_is_one_line_whatever_its_files_name(repo: ManualRepo):
    """A file named with a line break printed a finding on two lines (exploratory testing)."""
    repo.commit({"new\nline.md": "# NL\n\nN.\n"}, "Add", "2024-01-02T09:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    lines = run_check(repo, "text").stdout.splitlines()
    assert lines[0].startswith("error: procedures/new\N{REPLACEMENT CHARACTER}line.md: takes")
    assert lines[1:] == ["1 error, 0 warnings."]


def test_a_commit_dated_by_a_wrong_clock_is_an_error(repo: ManualRepo):
    """A laptop whose clock said 2000 put a new duty in force from January, never announced;
    one ten years ahead held a chapter back until then; check said nothing (exploratory
    testing of history shapes). Said by the computer's clock, not the day asked for; the
    commit after one dated ahead is not blamed (review)."""
    repo.commit({"a.md": doc("A")}, "Add A", "2024-06-05T10:00:00+00:00", {"Change-Note": "A."})
    early = repo.commit({"duty.md": doc("Duty")}, "Add the duty", "2000-01-01T00:05:00+00:00",
                        {"Change-Note": "New duty."})  # fmt: skip
    repo.commit({"a.md": doc("A", "Two.")}, "Edit A", "2024-06-21T10:00:00+00:00")
    late = repo.commit({"b.md": doc("B")}, "Add B", "2099-04-01T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "Three.")}, "Edit A again", "2024-06-25T10:00:00+00:00")
    found = [f for f in json.loads(run_check(repo, "json").stdout)["findings"]
             if f["rule"] == "clock-wrong"]  # fmt: skip
    assert [(f["file"], f["severity"]) for f in found] == [
        (f"commit {early[:10]}", "error"),
        (f"commit {late[:10]}", "error"),
    ]
    assert found[0]["message"].startswith(
        f"is dated 2000-01-01, before an earlier commit ({repo.git('rev-parse', 'HEAD~4')[:10]}"
        ", dated 2024-06-05): the clock of the computer it was made on was likely wrong"
    )
    assert found[0]["message"].endswith(f"(git rebase --force-rebase --rebase-merges {early[:10]}^"
                                        " dates it and those after it now)")  # fmt: skip
    assert found[1]["message"].startswith("is dated 2099-04-01, after the computer's date today (")
    # (each said while the commit after it is new: a month on, neither)
    assert [
        p for p in check_manual(repo.snapshot(), D("2024-08-01")) if p.rule == "clock-wrong"
    ] == []


def test_commits_made_one_after_another_by_a_wrong_clock_are_each_said(repo: ManualRepo):
    """Aged by the next commit's date, trusted, two commits of a clock reset to 2000 in a row
    were neither said, nor one dated ahead followed by one dated 2000 (second review)."""
    repo.commit({"a.md": doc("A")}, "Add A", "2024-11-20T10:00:00+00:00", {"Change-Note": "A."})
    first = repo.commit({"c.md": doc("C")}, "Add C", "2000-01-01T10:00:00+00:00")
    second = repo.commit({"d.md": doc("D")}, "Add D", "2000-01-01T11:00:00+00:00")
    ahead = repo.commit({"e.md": doc("E")}, "Add E", "2099-01-01T11:00:00+00:00")
    back = repo.commit({"f.md": doc("F")}, "Add F", "2000-01-02T11:00:00+00:00")
    found = [p for p in check_manual(repo.snapshot(), D("2024-11-25")) if p.rule == "clock-wrong"]
    assert [p.where for p in found] == [f"commit {c[:10]}" for c in (first, second, ahead, back)]
    assert "(git commit --amend --no-edit dates it now)" in found[3].message


def test_a_newest_commit_dated_by_a_wrong_clock_is_said_however_old_the_one_before(
    repo: ManualRepo,
):
    """Said only while the commit before it was new, a commit dated 2000 after a month with no
    change was never said (review): it is said while it is the newest, to be dated again."""
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-05T10:00:00+00:00", {"Change-Note": "A."})
    early = repo.commit({"c.md": doc("C")}, "Add C", "2000-01-01T10:00:00+00:00")
    found = [p for p in check_manual(repo.snapshot(), D("2024-11-01")) if p.rule == "clock-wrong"]
    assert [p.where for p in found] == [f"commit {early[:10]}"]
    assert found[0].message.endswith("(git commit --amend --no-edit dates it now)")


def test_a_commit_dated_past_the_year_9999_or_before_1970_is_read(repo: ManualRepo):
    """A commit dated 1 January 10000 (GIT_COMMITTER_DATE from an epoch in milliseconds, say)
    stopped every command, check too, with a traceback, and every page with a 500, since no
    date holds it (exploratory testing of dates): it is read as 1 January 9999 and said to be
    wrong. One dated before 1970 (git gives its time as nothing) as 1970's first day."""
    repo.commit({"a.md": doc("A"), "b.md": doc("B")}, "Add", "2024-07-09T12:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    ahead = repo.commit({"b.md": doc("B", "Ahead.")}, "Ahead", "@253402300800 +0000")
    repo.commit({"c.md": doc("C")}, "Before 1970", "2024-07-10T12:00:00+00:00")
    raw = re.sub(r"> [0-9]+ ", "> -100 ", repo.git("cat-file", "commit", "HEAD"))
    before = subprocess.run(
        ["git", "hash-object", "-t", "commit", "--literally", "-w", "--stdin"],
        cwd=repo.path,
        input=raw + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()  # (git refuses to make one: a damaged or hand-made object)
    repo.git("update-ref", "refs/heads/main", before)
    assert repo.git("log", "-1", "--format=%ct", before) == ""
    repo.commit({"a.md": doc("A", "Later.")}, "Later", "2024-08-01T12:00:00+00:00")
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "releases", "--repo", str(repo.path), "--today",
         "2024-08-02"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("9999-01-01  (upcoming)\n  updated           B: Ahead\n")
    assert done.stdout.endswith("\n\n1970-01-01\n  new               C: Before 1970\n\n")
    found = [p for p in check_manual(repo.snapshot(), D("2024-08-02")) if p.rule == "clock-wrong"]
    assert [(p.where, p.message[:22]) for p in found] == [
        (f"commit {ahead[:10]}", "is dated 9999-01-01, a"),
        (f"commit {before[:10]}", "is dated 1970-01-01, b"),
    ]
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(repo.open())) as client:
        pages = ["/", "/chapters/b", "/chapters/b/history", "/releases", "/api/releases",
                 "/feeds/releases.atom", "/chapters/b/feed.atom", "/releases/9999-01-01"]  # fmt: skip
        assert [client.get(page).status_code for page in pages] == [200] * len(pages)


def test_a_commit_not_pushed_whose_release_has_passed_is_said(scheduled: ManualRepo, tmp_path):
    """Committed on 1 February (the 14th's release), pushed on 1 March: the change appeared in
    the past release, whose newsletter had gone out without it, with nothing said (exploratory
    testing of history shapes). check, run before a push, says so of the commits not yet on
    the branch's upstream (a branch with none, not pushed before, named its whole history:
    review)."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    scheduled.commit({"a.md": doc("A")}, "Add A", "2024-01-02T10:00:00+00:00")
    late = scheduled.commit({"a.md": doc("A", "Late.")}, "Late", "2024-02-01T10:00:00+00:00")

    def warned(today: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tracker", "check", "--repo", str(scheduled.path), "--today", today],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        said = [line for line in done.stdout.splitlines() if "not yet on" in line]
        counted = done.stdout.splitlines()[-1]  # (a finding like any other: counted)
        assert counted == f"0 errors, {len(said)} warning{'s' * (len(said) != 1)}.", done.stdout
        return said

    assert warned("2024-03-01") == []  # (no remote: nothing is pushed anywhere)
    scheduled.git("remote", "add", "origin", str(origin))
    scheduled.git("push", "-q", "origin", "HEAD~1:refs/heads/main")
    scheduled.git("fetch", "-q", "origin")
    assert warned("2024-03-01") == []  # (no upstream: a branch not pushed before)
    scheduled.git("branch", "-q", "--set-upstream-to=origin/main")
    assert warned("2024-03-01") == [
        f"warning: commit {late[:10]}: A (2024-02-14) is not yet on origin/main but "
        "counts as live since a day that has passed: pushed so, its changes will show as in "
        "force since then, which they were not. Date it now (git commit --amend --no-edit), so "
        "that it goes live at the next release"
    ]
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(scheduled.path), "--today",
         "2024-03-01", "--format", "json"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert [f["rule"] for f in report["findings"]] == ["not-pushed"] and report["warnings"] == 1
    previewed = subprocess.run(
        [sys.executable, "-m", "tracker", "preview", "--repo", str(scheduled.path), "--today",
         "2024-03-01"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert f"tracker: warning: commit {late[:10]}: A (2024-02-14) is not yet" in previewed.stderr
    more = [scheduled.commit({f"{n}.md": doc(n)}, n, "2024-02-02T10:00:00+00:00") for n in "bcde"]
    (said,) = warned("2024-03-01")  # (one warning, however many)
    assert said.startswith("warning: branch main: 5 commits not yet on origin/main count as live")
    assert f"commit {more[1][:10]}: c (2024-02-14); …): pushed so" in said
    assert "(git rebase --force-rebase --rebase-merges origin/main, which dates every" in said
    scheduled.git("push", "-q", "origin", "HEAD:refs/heads/main")
    scheduled.git("fetch", "-q", "origin")
    assert warned("2024-03-01") == []  # (pushed)
    scheduled.commit(
        {"f.md": doc("F")}, "F", "2024-03-02T10:00:00+00:00", {"Go-Live": "2099-01-01"}
    )
    assert warned("2100-01-01") == []  # (its day to come by the computer's clock, not --today's)


def test_a_feature_branch_not_pushed_is_not_warned_of(scheduled: ManualRepo, tmp_path):
    """A feature branch's commits are dated by the merge that takes them in (SPEC §3), not by
    their own days, yet one checked a day after its commit was told to date it again (review):
    only the branch the remote publishes (its HEAD, as a clone sets it) is warned of."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    scheduled.commit({"a.md": doc("A")}, "Add A", "2024-01-02T10:00:00+00:00")
    scheduled.git("remote", "add", "origin", str(origin))
    scheduled.git("push", "-q", "-u", "origin", "HEAD:refs/heads/main")
    scheduled.git("remote", "set-head", "origin", "main")  # (as git clone sets it)

    def warned() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tracker", "check", "--repo", str(scheduled.path),
             "--today", "2024-03-01"], capture_output=True, text=True, check=False,
        )  # fmt: skip
        return [line for line in done.stdout.splitlines() if "not yet on" in line]

    scheduled.git("checkout", "-q", "-b", "feat")
    scheduled.commit({"a.md": doc("A", "Late.")}, "Late", "2024-02-01T10:00:00+00:00")
    scheduled.git("push", "-q", "-u", "origin", "feat")
    scheduled.commit({"b.md": doc("B")}, "B", "2024-02-02T10:00:00+00:00")
    assert warned() == []  # (merged into main later, and dated by that merge)
    scheduled.git("checkout", "-q", "main")
    scheduled.git("merge", "-q", "--ff-only", "feat")  # (main's own commits now, as dated)
    assert [line.partition(" count")[0] for line in warned()] == [
        "warning: branch main: 2 commits not yet on origin/main"
    ]
    # The remote's HEAD naming a branch deleted since (the remote's main renamed, say, and
    # fetched with --prune): it is not known, and the branch is taken as published (it was
    # taken for a feature branch, and nothing said: review).
    scheduled.git("push", "-q", "origin", "main:refs/heads/old")
    scheduled.git("fetch", "-q", "origin")
    scheduled.git("remote", "set-head", "origin", "old")
    scheduled.git("update-ref", "-d", "refs/remotes/origin/old")
    assert [line.partition(" count")[0] for line in warned()] == [
        "warning: branch main: 2 commits not yet on origin/main"
    ]


def test_conflict_markers_left_by_a_merge_are_an_error(repo: ManualRepo):
    """A conflict committed after a merge passed check: the page showed "<<<<<<< HEAD" as a
    heading and both wordings (exploratory testing of history shapes). Not in code; a line of
    seven "=" alone is a heading's line, and is not one."""
    body = ("Intro.\n\n<<<<<<< HEAD\nWithin 24 hours.\n=======\nWithin 48 hours.\n"
            ">>>>>>> feature/timescales\n\n```\n<<<<<<< HEAD\n```\n\nTitle\n=======\n")  # fmt: skip
    repo.commit({"a.md": doc("A", body), "b.md": doc("B", "|||||||\n")}, "Add",
                "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    result = run_check(repo, "json")
    findings = json.loads(result.stdout)["findings"]
    found = [
        (f["file"], f["line"], f["severity"]) for f in findings if f["rule"] == "conflict-marker"
    ]
    assert found == [("a.md", 5, "error"), ("a.md", 9, "error"), ("b.md", 3, "error")]
    assert result.returncode == 1
    assert next(f["message"] for f in findings if f["rule"] == "conflict-marker") == (
        "a conflict marker ('<<<<<<< HEAD') left from a merge, which the page shows as text: keep "
        "the wording meant and delete the other, and the marker lines from '<<<<<<<' to '>>>>>>>'"
    )


def test_an_explicit_id_changed_on_a_file_git_follows_is_said(repo: ManualRepo):
    """A chapter renamed with its id changed in the same commit (git: a rename) became a new
    chapter, the bookmarked one withdrawn with no way on, and check said nothing
    (practitioners' exploratory testing). Said where the id changed with the file renamed or
    in place; not where it kept its id, nor where another file took the old id."""
    body = "Call the duty team within one hour of the concern being raised."
    repo.commit({"doc.md": doc("Doc", body, id="doc"), "b.md": doc("B", body + " B.", id="b")},
                "Add", "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    repo.git("mv", "procedures/doc.md", "procedures/telephoning.md")
    repo.commit({"telephoning.md": doc("Telephoning", body, id="telephoning"),
                 "b.md": doc("B", body + " B.", id="b-new")}, "Rename",
                "2024-01-10T09:00:00+00:00", {"Change-Note": "Renamed."})  # fmt: skip
    said = sorted(m for m in messages(repo, "2024-01-20") if "an id is what" in m)
    assert [m.partition(", whose")[0] for m in said] == [
        "warning: b.md: has the id 'b-new' in commit "
        f"{repo.git('rev-parse', 'HEAD')[:10]}, where git reads the file as 'B' edited in place",
        "warning: telephoning.md: has the id 'telephoning' in commit "
        f"{repo.git('rev-parse', 'HEAD')[:10]}, where git reads the file as 'Doc' renamed from "
        "doc.md",
    ]
    assert said[1].endswith(", whose id was 'doc': an id is what a chapter is known by, so this "
                            "is a new chapter, and 'Doc''s history and address stop there (its "
                            "page says it was withdrawn, and continues as this one); to keep "
                            "them, keep its id (the file may be renamed freely)")  # fmt: skip
    repo.git("mv", "procedures/telephoning.md", "procedures/calls.md")  # (its id kept)
    repo.commit({"calls.md": doc("Calls", body, id="telephoning"), "c.md": doc("C", id="c"),
                 "b.md": doc("B", body + " B.", id="b-two"),
                 "new.md": doc("New B", "Other.", id="b-new")}, "Calls",
                "2024-01-12T09:00:00+00:00", {"Change-Note": "Renamed."})  # fmt: skip
    said = [m for m in messages(repo, "2024-01-20") if "an id is what" in m]
    assert len(said) == 2 and "b-two" not in " ".join(said)  # (b-new taken by new.md: kept)


def test_an_id_put_back_or_changed_with_the_title_kept_is_said_once_or_not(repo: ManualRepo):
    """The id put back, as id-changed advises, was a second id-changed ("a new chapter": it
    was the old one back), the first one still said; an id changed with the title kept was
    move-lost too, which said git could not follow the file (review)."""
    repo.commit({"a.md": doc("A", id="x"), "k.md": doc("K", id="k")}, "Add",
                "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    repo.commit({"a.md": doc("A", id="y")}, "Y", "2024-01-05T09:00:00+00:00")
    repo.commit({"a.md": doc("A", id="x")}, "Back", "2024-01-06T09:00:00+00:00")
    assert [m for m in messages(repo, "2024-01-07") if "id" in m] == []
    repo.git("mv", "procedures/k.md", "procedures/kept.md")
    repo.commit({"kept.md": doc("K", id="kept")}, "Rename", "2024-01-08T09:00:00+00:00")
    said = [m.split(": ")[1] + ": " + m.split(": ")[2][:20] for m in messages(repo, "2024-01-09")]
    assert said == ["kept.md: has the id 'kept' in"], said


def test_an_id_once_another_chapters_or_on_a_move_git_lost_is_still_said(repo: ManualRepo):
    """The second review: a renamed file given the id of a chapter withdrawn before brought
    that chapter back with nothing said (the first fix took every id known for one put
    back), and a move git could not follow with its id changed was said by neither rule."""
    body = "Call the duty team within one hour of the concern being raised, and record it."
    repo.commit({"old.md": doc("Old calls", "Old words.", id="telephoning"),
                 "doc.md": doc("Doc", body, id="doc"), "m.md": doc("Moving", "Plain words here.", id="m")},
                "Add", "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    repo.commit({"old.md": None}, "Drop", "2024-01-03T09:00:00+00:00", {"Change-Note": "Gone."})
    repo.git("mv", "procedures/doc.md", "procedures/telephoning.md")
    repo.commit({"telephoning.md": doc("Telephoning", body, id="telephoning"), "m.md": None,
                 "moved/m2.md": doc("Moving", "Wholly other text, zebra quince.", id="m2")},
                "Rename", "2024-01-10T09:00:00+00:00", {"Change-Note": "Renamed."})  # fmt: skip
    said = sorted(m for m in messages(repo, "2024-01-11") if "telephoning" in m or "m2" in m)
    assert len(said) == 2, said
    assert "so this is the chapter 'telephoning' brought back, and 'Doc''s history" in said[1]
    assert said[0].startswith("warning: moved/m2.md: was added by the commit that deleted m.md")
    assert said[0].endswith("; to keep them, keep its id 'm'")


def test_the_text_format_puts_each_files_findings_together_by_line(repo: ManualRepo):
    """A file's findings were printed by rule, between other files' (an author reading down
    the list opened a file, another, then the first again; a finding left low)."""
    listed = "- a\n  - b\n"
    repo.commit({"a.md": doc("A", listed, section="Early Help"),
                 "b.md": doc("B", listed, section="early help"),
                 "c.md": doc("C", section="Early Help")}, "Add", "2024-01-02T09:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    said = [line.split(": ")[1] for line in run_check(repo, "text").stdout.splitlines()[:-1]]
    assert said == ["procedures/b.md:2", "procedures/b.md:8", "procedures/a.md:8"], said
    # JSON and CI's annotations in the same order (they were not: newcomer's testing)
    found = json.loads(run_check(repo, "json").stdout)["findings"]
    assert [f"{f['file']}:{f['line']}" for f in found] == [s[len("procedures/") :] for s in said]
    github = run_check(repo, "github").stdout.splitlines()
    assert [line.split(",title")[0].split("file=")[1] for line in github] == [
        s.replace(":", ",line=") for s in said
    ]


def test_check_says_what_it_does_not_read_uncommitted(repo: ManualRepo, tmp_path):
    """Run before committing, as a newcomer does, check said '0 errors' of a broken chapter it
    never read (author's exploratory testing): it says what is not committed yet."""
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-02T09:00:00+00:00")
    assert run_check(repo, "json").stderr == ""
    (repo.path / ROOT / "a.md").write_text(doc("A", "[broken](nowhere.md)"))
    (repo.path / ROOT / "new.md").write_text("---\ntitle: [\n---\n")
    (repo.path / "elsewhere.txt").write_text("not the manual's")
    (repo.path / ROOT / "notes.txt").write_text("an author's own notes: not the manual's")
    (repo.path / ROOT / "flow.png").write_bytes(b"\x89PNG")  # (an image a chapter may show)
    done = run_check(repo, "json")
    assert json.loads(done.stdout)["findings"] == []  # (the commits, as before)
    assert done.stderr == (
        "tracker: warning: 3 files under procedures/ have changes not committed yet: tracker "
        "check reads only what is committed.\n"
    )
    (repo.path / "README.md").write_text("# Where the manual's top is the repository's\n")
    (repo.path / "build.py").write_text("print()\n")
    top = subprocess.run([sys.executable, "-m", "tracker", "check", "--repo", str(repo.path),
                          "--root", ".", "--format", "json"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert top.stderr == (  # (its scripts and README are not the manual's: review)
        "tracker: warning: 3 files under the repository have changes not committed yet: tracker "
        "check reads only what is committed.\n"
    ), top.stderr
    mirror = tmp_path / "mirror.git"  # (a served mirror has nothing checked out)
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo.path), str(mirror)], check=True)
    bare = subprocess.run([sys.executable, "-m", "tracker", "check", "--repo", str(mirror)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert bare.returncode == 0 and bare.stderr == ""


def test_a_move_git_could_not_follow_is_said(repo: ManualRepo):
    """A chapter without an id, moved and rewritten in one commit: git saw a deletion and an
    addition, so the newsletter listed it as new and withdrawn and its history and address
    were lost, and check said nothing (author's exploratory testing)."""
    old = "## Mandatory reporting\n\nReport to the police.\n"
    repo.commit({"health/fgm.md": doc("Female Genital Mutilation", old)}, "Add FGM",
                "2025-03-13T10:00:00+00:00")  # fmt: skip
    repo.git("rm", "-q", f"{ROOT}/health/fgm.md")
    new = "## Mandatory reporting duty\n\nTeachers must report known cases of FGM by 101.\n"
    repo.commit({"specific/fgm.md": doc("Female Genital Mutilation", new)}, "Move and rewrite",
                "2025-03-14T10:00:00+00:00")  # fmt: skip
    found = [m for m in messages(repo, "2025-03-20") if "move" in m]
    assert found == [
        "warning: specific/fgm.md: was added by the commit that deleted health/fgm.md, of the "
        "same title: if it was moved, git could not follow it (it was much changed as well), so "
        "its history and old address stop there and the newsletter lists it as new and the "
        "other as withdrawn; to keep them, give a document an id: before moving it (the only way "
        "through a squash merge), or move it in a commit of its own and change it in the next"
    ]
    assert [m for m in messages(repo, "2025-05-20") if "move" in m] == []  # (history by then)
    repo.git("rm", "-q", f"{ROOT}/specific/fgm.md")  # (a file of that name, another chapter:
    repo.commit({"youth/fgm.md": doc("Youth justice")}, "Replace",  # no move (review))
                "2025-05-21T10:00:00+00:00")  # fmt: skip
    assert [m for m in messages(repo, "2025-05-22") if "move" in m] == []


def line_endings_said(repo: ManualRepo) -> list[tuple[str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--today",
         "2024-03-01", "--format", "json"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    found = json.loads(done.stdout)["findings"]
    return [(f["file"], f["message"]) for f in found if f["rule"] == "line-endings-only"]


def test_an_upcoming_change_of_line_endings_alone_is_said(scheduled: ManualRepo):
    """A Windows editor saved the chapter with CR LF: the page shows nothing new, yet the
    newsletter listed it as updated (exploratory testing of authors' tools). Compared as the
    release compares: the text the day before with the text that day (review)."""
    text = doc("A", "One.\n\nTwo.")
    crlf = text.replace("\n", "\r\n")
    files = {name: text for name in ("a.md", "b.md", "c.md", "d.md", "e.md")}
    files["e.md"] = doc("E", "One.\n\nTwo.", status="archived")
    scheduled.commit(files, "Add", "2024-01-02T10:00:00+00:00", {"Change-Note": "Added."})
    scheduled.commit({"a.md": crlf,  # (alone: said)
                      "b.md": crlf.replace("Two", "Three"),  # (a word too: not said)
                      "c.md": crlf,  # (put back below, the same day: nothing goes live)
                      "d.md": text.replace("Two", "Three"),  # (changed, then undone in CR LF)
                      "e.md": files["e.md"].replace("\n", "\r\n")},  # (archived: no entry)
                     "Save", "2024-02-19T10:00:00+00:00")  # fmt: skip
    scheduled.commit({"c.md": text, "d.md": crlf}, "Back", "2024-02-20T10:00:00+00:00")
    said = line_endings_said(scheduled)
    assert [file for file, _ in said] == ["a", "d"]  # (by their ids)
    assert said[0][1].startswith("goes live on 2024-03-13 with a change that alters only its")
    assert said[1][1].startswith("goes live on 2024-03-13 with changes that alter only its")
    scheduled.commit({"a.md": text}, "Back", "2024-02-22T10:00:00+00:00",
                     {"Change-Type": "minor"})  # fmt: skip
    assert [file for file, _ in line_endings_said(scheduled)] == ["d"]  # (a: undone)


def test_a_moved_chapters_link_left_as_it_was_that_now_reaches_a_namesake_is_said(
    repo: ManualRepo,
):
    """Its diff shows the link as the same (a folder renamed with the chapters it links to is
    no change), so the move's author is told here; a link mended, one written alike whose
    target moved with it, and one that reaches nothing now (broken-link's) are not said."""
    links = "[R](referrals.md) [S](s.md#one) [T](t.md) [G](gone.md)"
    repo.commit({"x/a.md": doc("A", links, id="a"), "x/referrals.md": doc("X Referrals"),
                 "y/referrals.md": doc("Y Referrals"), "x/s.md": doc("S"),
                 "x/t.md": doc("T", id="t"), "x/gone.md": doc("Gone")},
                when="2024-01-19T09:00:00+00:00")  # fmt: skip
    repo.git("mv", "procedures/x/a.md", "procedures/y/a.md")
    repo.git("mv", "procedures/x/t.md", "procedures/y/t.md")
    mended = links.replace("(s.md#one)", "(../x/s.md#one)")
    repo.commit({"y/a.md": doc("A", mended, id="a")}, "Move", when="2024-01-20T09:00:00+00:00")
    found = [f for f in json.loads(run_check(repo, "json").stdout)["findings"]
             if f["rule"] == "link-now-elsewhere"]  # fmt: skip
    assert [(f["file"], f["line"], f["message"]) for f in found] == [(
        "y/a.md", 7,
        "was moved from x/ and still links to referrals.md, which from its new folder is "
        "y/referrals.md, not x/referrals.md, which it reached before: if it should still go "
        "there, write ../x/referrals.md",
    )]  # fmt: skip
    # Not said of a link that reached nothing before the move (t.md: made in x/ after it), nor
    # of one whose path another chapter held before (a chapter's path reused: review).
    repo.commit({"p/m.md": doc("M", "[b](b.md)", id="m"), "q/b.md": doc("Q B"),
                 "old/u.md": doc("U1", id="zu1")}, when="2024-01-21T09:00:00+00:00")  # fmt: skip
    repo.git("mv", "procedures/p/m.md", "procedures/q/m.md")
    repo.move("old/u.md", "zz/u.md", when="2024-01-21T10:00:00+00:00")
    repo.commit({"p/b.md": doc("P B"), "old/u.md": doc("U2", id="au2"),
                 "old/c.md": doc("C", "[u](u.md)", id="c")},
                when="2024-01-22T09:00:00+00:00")  # fmt: skip
    repo.git("mv", "procedures/old", "procedures/new")
    repo.commit({}, "Rename the folder", when="2024-01-23T09:00:00+00:00")
    # Said of one whose path a chapter took after its last edit, before its move: the link
    # reached it then (review: the holder was looked for at the last edit's date).
    repo.commit({"e/a.md": doc("E A", "[b](b.md)", id="ea"), "f/b.md": doc("F B")},
                when="2024-01-24T09:00:00+00:00")  # fmt: skip
    repo.commit({"e/b.md": doc("E B")}, when="2024-01-24T10:00:00+00:00")
    repo.move("e/a.md", "f/a.md", when="2024-01-24T11:00:00+00:00")
    findings = json.loads(run_check(repo, "json").stdout)["findings"]
    moved = [f["file"] for f in findings if f["rule"] == "link-now-elsewhere"]
    assert sorted(moved) == ["f/a.md", "y/a.md"]
    later = [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--format",
             "json", "--today", "2024-03-01"]  # fmt: skip
    run = subprocess.run(later, capture_output=True, text=True, check=False)
    assert "link-now-elsewhere" not in run.stdout and '"findings"' in run.stdout  # (a month on)
