"""The rules of SPEC §2-4: from commits to documents, versions, go-live dates and releases.

In: ``RawHistory`` (commits and blob metadata) and the ``Config``. Out: a ``Snapshot``, a
frozen value holding every document in table-of-contents order with its versions, each
version's declared and effective go-live, and the releases. Pure: no git, no clock.

``documents`` reads front matter; ``trailers`` a commit's notes and declared go-live;
``golive`` the date rules; ``identity`` which document each changed file is; ``walk`` replays
the first-parent line; ``releases`` groups what changes on each date; ``snapshot`` answers
questions about the result (today is always an argument).
"""
