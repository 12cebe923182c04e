"""The layers docs/architecture.md describes, kept true: what may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "tracker"
# What each part of the engine may import from the rest of it, as docs/architecture.md's table
# says (besides its own folder). The most specific name that covers a module applies.
ALLOWED: dict[str, set[str]] = {
    "tracker.errors": set(),
    "tracker.collector": set(),
    "tracker.logs": set(),
    "tracker.dates": {"tracker.errors"},
    "tracker.repository": {"tracker.errors"},
    "tracker.history.documents": {
        "tracker.errors",
        "tracker.dates",
        "tracker.history.blocks",
        "tracker.history.codeless",
        "tracker.history.htmlids",
        "tracker.history.hrefs",
        "tracker.history.headings",
        "tracker.history.links",
        "tracker.history.frontyaml",
        "tracker.history.shownwords",
        "tracker.history.ids",
        "tracker.history.wide",
    },
    "tracker.history.ids": set(),
    "tracker.history.wide": set(),
    "tracker.history.frontyaml": set(),
    "tracker.history.headings": set(),
    "tracker.history.shownwords": {"tracker.history.brackets"},
    "tracker.history.brackets": set(),
    "tracker.history.htmlids": {"tracker.history.links"},
    "tracker.history.hrefs": {"tracker.history.codeless", "tracker.history.blocks"},
    "tracker.history.blocks": set(),
    "tracker.history.golive": {"tracker.errors", "tracker.dates"},
    "tracker.history.links": {"tracker.errors", "tracker.dates"},
    "tracker.history.codeless": set(),
    "tracker.config": {"tracker.errors", "tracker.history.golive"},
    "tracker.index": {"tracker.errors", "tracker.repository", "tracker.history.documents"},
    "tracker.index.answers": {
        "tracker.errors",
        "tracker.repository",
        "tracker.history.texts",
        "tracker.history.model",
        "tracker.history.snapshot",
        "tracker.index",
    },
    "tracker.index.held": {"tracker.history.model", "tracker.history.releases"},
    "tracker.index.derived": {
        "tracker.collector",
        "tracker.errors",
        "tracker.repository",
        "tracker.config",
        "tracker.history",
        "tracker.index",
    },
    "tracker.history": {
        "tracker.collector",
        "tracker.errors",
        "tracker.dates",
        "tracker.config",
        "tracker.repository.parse",
        "tracker.repository.paths",
    },
    "tracker.trackchanges": {"tracker.errors", "tracker.history", "tracker.index.store"},
    "tracker.publish": {
        "tracker.errors",
        "tracker.dates",
        "tracker.config",
        "tracker.history",
        "tracker.trackchanges.views",
        "tracker.trackchanges.shared",
    },
    "tracker.authoring": {"tracker.errors", "tracker.dates", "tracker.config", "tracker.history"},
    "tracker.manual": {
        "tracker.collector",
        "tracker.errors",
        "tracker.dates",
        "tracker.config",
        "tracker.repository",
        "tracker.index",
        "tracker.history",
        "tracker.trackchanges.cache",
        "tracker.settings",
        "tracker.versiontexts",
    },
    "tracker.versiontexts": {
        "tracker.errors",
        "tracker.config",
        "tracker.repository",
        "tracker.history.documents",
        "tracker.history.model",
        "tracker.history.snapshot",
    },
    "tracker.settings": {
        "tracker.errors",
        "tracker.config",
        "tracker.repository",
        "tracker.history",
    },
    "tracker.cli": {"tracker"},
    "tracker.opening": {
        "tracker.errors",
        "tracker.dates",
        "tracker.repository",
        "tracker.console",
        "tracker.manual",
        "tracker.config",
        "tracker.history.snapshot",
        "tracker.history.model",
        "tracker.index.answers",
    },
    "tracker.arguments": {"tracker.usage"},
    "tracker.usage": set(),
    "tracker.console": {"tracker.arguments", "tracker.jsontext"},
    "tracker.jsontext": set(),
    "tracker.demo": {"tracker.errors", "tracker.repository.write"},
    "tracker.__main__": {"tracker.cli"},
    "tracker": set(),
}
# What any module may import: its logger (which imports ``logging`` only when first used).
EVERYWHERE = {"tracker.logs"}
GIT_DOOR = {
    *("tracker.repository.read", "tracker.repository.process", "tracker.repository.write"),
    "tracker.repository.fetch",
}


def covers(prefix: str, module: str) -> bool:
    return prefix == "tracker" or (module + ".").startswith(prefix + ".")


def rule(module: str) -> str:
    """The most specific entry of ALLOWED that covers a module."""
    return max((prefix for prefix in ALLOWED if covers(prefix, module)), key=len)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_what_the_architecture_allows(module: str):
    own = rule(module)
    allowed = ALLOWED[own] | EVERYWHERE | ({own} if own != "tracker" else set())  # and own folder
    wrong = sorted(
        name
        for name in imports(MODULES[module])
        if name in MODULES
        and name != "tracker"
        and not any(covers(prefix, name) for prefix in allowed)
    )
    assert wrong == [], f"{module} may not import {wrong} (see docs/architecture.md)"


def test_every_module_has_a_rule():
    assert all(rule(module) for module in MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_door_runs_git_and_only_serve_starts_the_web(module: str):
    outside = {name.split(".")[0] for name in imports(MODULES[module])}
    if module not in GIT_DOOR:
        assert not outside & {"git", "subprocess"}, module
    assert not outside & {"fastapi", "starlette", "uvicorn"}, module
    if module != "tracker.cli":  # tracker serve imports web/ when it runs, and only it
        assert "web" not in outside, module


@pytest.mark.parametrize(
    "path", sorted([*PACKAGE.rglob("*.py"), *(PACKAGE.parent / "web").rglob("*.py")]), ids=str
)
def test_warnings_go_through_the_lazy_loggers(path: Path):
    """Only logs.py and console.py import logging: a module's warnings go through
    ``tracker.logs.Logger``, so that a command's handler is set up before the first of them
    (and a warm command with nothing to say does not import logging at all)."""
    if path.relative_to(PACKAGE.parent).as_posix() in ("tracker/logs.py", "tracker/console.py"):
        return
    assert "logging" not in {name.split(".")[0] for name in imports(path)}, path


def test_no_module_is_much_over_400_lines():
    """The engine's modules and the web service's alike (web/ was not counted: one grew to 424
    lines unnoticed)."""
    paths = [*MODULES.values(), *sorted((PACKAGE.parent / "web").rglob("*.py"))]
    sizes = {path: len(path.read_text().splitlines()) for path in paths}
    assert len(sizes) > len(MODULES)
    assert max(sizes.values()) <= 420, max(sizes.items(), key=lambda item: item[1])


def test_every_module_that_shapes_a_documents_metadata_is_fingerprinted():
    """The kept history pickles ``DocMeta``: a change to any module its values are read by
    must replay it (``index/fingerprint.py``), or an upgrade keeps metadata read the old way."""
    from tracker.index.fingerprint import _PICKLED

    names = {f"tracker.{name[:-3].replace('/', '.')}" for name in _PICKLED}
    readers = {m for m in imports(MODULES["tracker.history.documents"]) if m in MODULES}
    assert readers - names == set()
