"""The derived index: what reading git costs, kept so that it is paid once.

In: a ``GitRepo``, a branch head and the manual's root. Out: ``RawHistory``, the commits that
touch the manual (children first) and the metadata of every document blob they name. It lives
in SQLite beside the repository (``store``), is brought up to date incrementally, and is
rebuilt from git whenever the branch was rewritten or the file is damaged.
"""
