"""The door to git: every git process the tracker runs starts here.

In: a repository path and names a user typed (refs, paths), validated by ``paths`` before git
sees them. Out: ``RawCommit`` and ``Change`` values parsed by ``parse`` (pure functions on the
bytes git prints) and blob contents as bytes, from ``read``. ``write`` makes commits with fixed
dates for the demo manual and the tests; reading never writes.
"""
