"""``tracker demo``: build the demo manual's git repository from ``procedures/``.

``procedures/_demo/history.toml`` lists the commits oldest first. The final tree is the
``procedures/`` folder itself; undoing the commits newest first gives the first commit's tree,
and replaying them forward with fixed dates gives a reproducible history.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import InputError
from tracker.repository.write import RepoWriter

HISTORY_FILE = "_demo/history.toml"
DEFAULT_AUTHOR = "Procedures Team <procedures@example.org>"
Tree = dict[str, str]


@dataclass(frozen=True)
class DemoCommit:
    """One commit of the recipe."""

    date: str
    author: str
    message: str
    branch: str
    merge: str | None
    changes: tuple[dict[str, str], ...]


def demo_source() -> Path:
    """The demo manual's folder: beside the package in a clone, inside it when installed."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "procedures", here / "demo_manual"):
        if (candidate / HISTORY_FILE).is_file():
            return candidate
    raise InputError("The demo manual's files are missing from this installation.")


def load_recipe(source: Path) -> list[DemoCommit]:
    """Read history.toml."""
    data = tomllib.loads((source / HISTORY_FILE).read_text(encoding="utf-8"))
    return [
        DemoCommit(
            date=item["date"],
            author=item.get("author", DEFAULT_AUTHOR),
            message=item["message"],
            branch=item.get("branch", "main"),
            merge=item.get("merge"),
            changes=tuple(item.get("change", ())),
        )
        for item in data["commit"]
    ]


def final_tree(source: Path) -> Tree:
    """Every file of the demo manual except the recipe, by path under the root."""
    return {
        path.relative_to(source).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(source.rglob("*"))
        if path.is_file() and "_demo" not in path.relative_to(source).parts
    }


def initial_tree(source: Path, recipe: list[DemoCommit]) -> tuple[Tree, dict[tuple[int, int], str]]:
    """Undo the recipe from the final tree: (first commit's tree, added files' contents).

    The second value maps (commit number, change number) of each ``add`` to the file's text.
    """
    state = final_tree(source)
    added: dict[tuple[int, int], str] = {}
    for number in reversed(range(len(recipe))):
        changes = recipe[number].changes
        for place in reversed(range(len(changes))):
            change = changes[place]
            _check_keys(change)
            if "add" in change:
                added[number, place] = state.pop(change["add"])
            elif "edit" in change:
                path = change["edit"]
                state[path] = _replace_once(state[path], change["new"], change["old"], path)
            elif "delete" in change:
                state[change["delete"]] = (source / change["content"]).read_text(encoding="utf-8")
            else:
                state[change["rename"]] = state.pop(change["to"])
    return state, added


def _check_keys(change: dict[str, str]) -> None:
    kinds = [key for key in ("edit", "add", "delete", "rename") if key in change]
    unknown = set(change) - {"edit", "old", "new", "add", "delete", "content", "rename", "to"}
    if len(kinds) != 1 or unknown:
        raise InputError(f"The demo recipe has a malformed change: {sorted(change)}.")


def _replace_once(text: str, old: str, new: str, path: str) -> str:
    if text.count(old) != 1:
        raise InputError(f"A demo edit of {path} does not find its text exactly once.")
    return text.replace(old, new)


def build_demo(target: Path, source: Path | None = None, root: str = "procedures") -> Path:
    """Create the demo repository at ``target`` (which must not exist or be empty)."""
    source = source or demo_source()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"The folder {str(target)!r} already exists and is not empty.")
    recipe = load_recipe(source)
    first, added = initial_tree(source, recipe)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            f"The folder {str(target)!r} cannot be created ({error.strerror})."
        ) from None
    writer = RepoWriter(target)
    folder = target / root
    branches, current = {"main"}, "main"
    for number, commit in enumerate(recipe):
        if commit.branch != current:
            writer.switch(commit.branch, None if commit.branch in branches else "main")
            branches.add(commit.branch)
            current = commit.branch
        if commit.merge:
            writer.merge(commit.merge, commit.message.strip(), commit.author, commit.date)
            continue
        if number == 0:
            for relative, text in first.items():
                _write(folder / relative, text)
        for place, change in enumerate(commit.changes):
            _apply(folder, change, added.get((number, place), ""))
        writer.commit_all(commit.message.strip() + "\n", commit.author, commit.date)
    if current != "main":
        writer.switch("main")
    return target


def _apply(folder: Path, change: dict[str, str], added_text: str) -> None:
    if "add" in change:
        _write(folder / change["add"], added_text)
    elif "edit" in change:
        path = folder / change["edit"]
        text = path.read_text(encoding="utf-8")
        _write(path, _replace_once(text, change["old"], change["new"], change["edit"]))
    elif "delete" in change:
        (folder / change["delete"]).unlink()
    else:
        target = folder / change["to"]
        target.parent.mkdir(parents=True, exist_ok=True)
        (folder / change["rename"]).rename(target)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
