"""The exceptions a user can cause: each carries one sentence for the user.

They carry no exit status or HTTP code: the command line answers them with exit status 2,
the web with 400 (malformed) or 404 (``NotFoundError``: well formed, names nothing).
"""

from __future__ import annotations


class TrackerError(Exception):
    """A problem the user can fix; ``str(error)`` is one clear sentence."""


class ConfigError(TrackerError):
    """``manual.toml`` is malformed or holds a value we cannot use."""


class RepositoryError(TrackerError):
    """The repository cannot be read: not a repository, no commits, missing objects."""


class RefError(TrackerError):
    """A branch, commit or revision the user named is malformed or unknown."""


class InputError(TrackerError):
    """A malformed argument, such as an impossible date."""


class NotFoundError(TrackerError):
    """A well-formed id or date that names nothing in the manual."""
