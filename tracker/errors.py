"""The exceptions a user can cause: each carries one sentence for the user.

They carry no exit status or HTTP code: the command line answers every one with exit status 2.
The web answers ``InputError`` with 400 and ``NotFoundError`` with 404; ``ConfigError`` and
``RepositoryError`` say the manual itself cannot be read, which no request can mend (503).
"""

from __future__ import annotations


class TrackerError(Exception):
    """A problem the user can fix; ``str(error)`` is one clear sentence."""


class ConfigError(TrackerError):
    """``manual.toml`` or a template of the manual is malformed: its authors must fix it
    (``line``: the file's line at fault, where it is known)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class RepositoryError(TrackerError):
    """The repository cannot be read: not a repository, no commits, missing objects."""


class GitTimeout(RepositoryError):
    """A git process made no progress in the time it is given (``repository.process``)."""


class InputError(TrackerError):
    """A malformed argument, such as an impossible date: the web answers 400."""


class RefError(InputError):
    """A branch, commit, revision or path that is malformed (could be read as an option...)."""


class NotFoundError(TrackerError):
    """A well-formed id, date or revision that names nothing in the manual: the web answers 404."""


def shown(text: str, limit: int = 80) -> str:
    """A value a user gave, quoted for a message: cut short when long (a message is one
    sentence, however much was sent)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} characters)"


def clause(error: Exception) -> str:
    """An error's sentence without its full stop, to go on after a semicolon."""
    text = str(error)
    return text[:-1] if text.endswith(".") else text
