"""The layers docs/architecture.md describes, kept true: what may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "tracker"
# Lowest first: a module may import from its own layer and the layers before it.
LAYERS = [
    ["tracker.errors"],
    ["tracker.dates"],
    ["tracker.repository"],
    ["tracker.history.documents", "tracker.history.golive"],
    ["tracker.config"],
    ["tracker.index"],
    ["tracker.history"],
    ["tracker.trackchanges"],
    ["tracker.publish", "tracker.authoring"],
    ["tracker.manual"],
    ["tracker.cli", "tracker.demo", "tracker.__main__", "tracker"],
]
GIT_DOOR = {"tracker.repository.read", "tracker.repository.write"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """The layer of the most specific prefix that names the module."""
    best = max(
        (prefix for names in LAYERS for prefix in names if (module + ".").startswith(prefix + ".")),
        key=len,
    )
    return next(number for number, names in enumerate(LAYERS) if best in names)


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
def test_imports_only_from_its_own_layer_or_below(module: str):
    mine = layer(module)
    upward = sorted(
        name
        for name in imports(MODULES[module])
        if name in MODULES and name.startswith("tracker.") and layer(name) > mine
    )
    assert upward == [], f"{module} (layer {mine}) imports {upward}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_door_runs_git(module: str):
    outside = {name.split(".")[0] for name in imports(MODULES[module])}
    if module not in GIT_DOOR:
        assert not outside & {"git", "subprocess"}, module
    assert not outside & {"fastapi", "starlette", "uvicorn"}, module


def test_no_module_is_much_over_400_lines():
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    assert max(sizes.values()) <= 420, max(sizes.items(), key=lambda item: item[1])
