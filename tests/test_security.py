"""Attacks found by exploratory testing (docs/operators.md, "Security"), each kept from coming
back: what an author can commit, what anyone can ask the service, what a static export does
with the folder it is given.
"""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

import pytest
from conftest import SCHEDULE, ManualRepo, doc
from fastapi.testclient import TestClient

from web.app import create_app

TODAY = date(2024, 3, 20)


@pytest.fixture
def pasted(repo: ManualRepo) -> ManualRepo:
    """A chapter pasted from a word processor: a vertical tab (Word's line break) in its title
    and a form feed in its change note, characters XML 1.0 cannot hold."""
    repo.commit({"manual.toml": SCHEDULE}, "Settings", "2023-12-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "Body\x0btext.", title='"Referrals\\vand\\x01 Assessments"')},
                "Add", "2024-01-02T10:00:00+00:00",
                trailers={"Change-Note": "Pasted\x0c from Word\x1b[31m."})  # fmt: skip
    return repo


def test_a_control_character_an_author_pasted_never_breaks_a_feed(pasted: ManualRepo):
    with TestClient(create_app(pasted.open(), TODAY), raise_server_exceptions=False) as web:
        for address in ("/feeds/releases.atom", "/chapters/a/feed.atom"):
            response = web.get(address)
            assert response.status_code == 200, (address, response.text[:300])
            feed = ElementTree.fromstring(response.content)  # well-formed XML 1.0
            text = "".join(feed.itertext())
            assert "Referrals and  Assessments" in text and "Pasted" in text
