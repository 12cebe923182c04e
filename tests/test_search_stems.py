"""The static copy's search stems words as the service's does: ``web/static/search.js`` has
the Porter stemmer of SQLite's FTS5 (``tokenize = 'porter unicode61'``), held here to SQLite's
own stems of every word in this project's documents and the demo manual, and of words that
take each step's rules (run by Node.js, which builds the styles too)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "web" / "static" / "search.js"
# Node runs the page's script with no page (its search starts only where the page has a list
# of results), then stems the words it is given.
HARNESS = """
const fs = require("fs");
const document = { getElementById: () => null };
const words = JSON.parse(fs.readFileSync(0, "utf8"));
eval(fs.readFileSync(process.argv[1], "utf8") + "\\n;process.stdout.write(JSON.stringify("
  + "[words.map(stem), words.map(wordsOf)]));");
"""
# Words each rule takes or is meant to leave (Porter's own examples among them), short and
# long words, y as a vowel and not, and letters outside ASCII (consonants to SQLite, by byte).
RULES = """caresses ponies ties caress cats feed agreed plastered bled motoring sing
conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky
relational conditional rational valenci hesitanci digitizer conformabli radicalli
differentli vileli analogousli vietnamization predication operator feudalism decisiveness
hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize
electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic
adjustable defensible irritant replacement adjustment dependent adoption homologou
communism activate angulariti homologous effective bowdlerize probate rate cease controll
roll sses ies eed ing ed yyy aaa abc refer referring referral referrals assessments assessed
policies policy strangulation safeguarding children's bye enjoying played toy by
straße façade naïve ørsted æsthetic ορισμοι правила правилами 定义 ১২৩ 2024s 10th
""".split()  # noqa: SIM905 (words, read as prose)


def words_of(*folders: Path) -> set[str]:
    """Every word of the Markdown under these folders, as written (accents, capitals and
    apostrophes too: each is read as the service reads it, before it is stemmed)."""
    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.md"):
            found.update(re.findall(r"[^\W_][\w'’-]*", path.read_text("utf-8")))  # noqa: RUF001
    return found


def sqlite_words(texts: list[str]) -> list[list[str]]:
    """Each text's words as SQLite's FTS5 indexes them (a row each, read from its vocabulary)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(w, tokenize = 'porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.executemany("INSERT INTO t(rowid, w) VALUES (?, ?)", enumerate(texts, 1))
    found: list[list[str]] = [[] for _ in texts]
    for row, term in db.execute("SELECT doc, term FROM v ORDER BY doc, offset"):
        found[row - 1].append(term)
    return found


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_static_copy_reads_and_stems_every_word_as_sqlite_does():
    texts = sorted(words_of(ROOT / "docs", ROOT / "procedures") | set(RULES))
    assert len(texts) > 3000
    done = subprocess.run(["node", "-e", HARNESS, str(SCRIPT)], input=json.dumps(texts),
                          capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    _stems, words = json.loads(done.stdout)
    expected = sqlite_words(texts)
    wrong = [(t, w, e) for t, w, e in zip(texts, words, expected, strict=True) if w != e]
    assert wrong == []
    assert words[texts.index("referring")] == ["refer"] == words[texts.index("refer")]
    assert words[texts.index("referral")] == ["referr"]  # (found by "referring"'s prefix)
    assert words[texts.index("children's")] == ["children", "s"]  # (unicode61's two words)
