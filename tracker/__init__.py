"""The procedures tracker: a manual's git history -> versions, go-live dates, releases, changes.

The history pipeline, stage by stage (each a subpackage)::

    repository  git log, blobs      -> RawCommit, Change, bytes        (the only door to git)
    index       RawCommit, bytes    -> RawHistory: commits, DocMeta     (SQLite, incremental)
    history     RawHistory, Config  -> Snapshot: documents, versions, releases (frozen)
    publish     Snapshot, today     -> newsletter, text and JSON views, URLs
    authoring   Snapshot, today     -> problems for authors (tracker check)

and track changes, for any two versions::

    trackchanges  Markdown x 2 -> chunks -> blocks -> alignment -> word diff -> summary -> views

``manual.py`` runs the history pipeline for one branch head and keeps what a server shares;
``cli.py`` is the ``tracker`` command. docs/architecture.md says what may import what.
"""
