"""What we would upload actually runs: each function's bundle (its folder plus `shared/`), with
only its own requirements.txt installed in a fresh virtualenv, imports its main.py and every
`shared` module main.py can reach — lazily imported SDKs included."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.bundle import ROOT, build, function_folders
from devtools.topology import FUNCTIONS

VENVS = ROOT / ".run" / "bundle-venvs"


def reachable_imports(main: Path) -> tuple[set[str], set[str]]:
    """(`shared.*` modules, third-party modules) imported from main.py, transitively, at any
    depth: lazy imports inside functions count, since they run in production too."""
    seen: set[str] = set()
    third_party: set[str] = set()
    todo = [main]
    while todo:
        tree = ast.parse(todo.pop().read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                names += (
                    [f"{node.module}.{a.name}" for a in node.names]
                    if node.module.startswith("shared")
                    else []
                )
            for name in names:
                top = name.split(".")[0]
                if top not in ("shared", "__future__", "main") and top not in sys.stdlib_module_names:
                    third_party.add(name)
                if not name.startswith("shared") or name in seen:
                    continue
                path = ROOT / Path(*name.split("."))
                file = path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"
                if file.is_file():
                    seen.add(name)
                    todo.append(file)
    return seen, third_party


def venv_for(requirements: Path) -> Path:
    """A virtualenv with exactly these requirements, reused while the file is unchanged."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    venv = VENVS / digest
    python = venv / "bin" / "python"
    if not (venv / ".ok").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(requirements),
            ],
            check=True,
        )
        (venv / ".ok").touch()
    return python


@pytest.mark.parametrize("name", function_folders())
def test_bundle_imports_with_only_its_own_requirements(name: str, tmp_path: Path) -> None:
    bundle = build(name, tmp_path / name)
    python = venv_for(bundle / "requirements.txt")
    targets = [f.target for f in FUNCTIONS if f.folder == name]
    shared_modules, third_party = reachable_imports(bundle / "main.py")
    modules = sorted(shared_modules | third_party)
    script = f"""
import importlib, main
for t in {targets!r}:
    assert callable(getattr(main, t)), t
for m in {modules!r}:
    try:
        importlib.import_module(m)
    except ModuleNotFoundError as exc:  # `from pkg import name` where name is not a module
        parent, _, attr = m.rpartition(".")
        if exc.name != m or not parent:
            raise
        assert hasattr(importlib.import_module(parent), attr), m
print("ok")
"""
    result = subprocess.run(
        [str(python), "-c", script], cwd=bundle, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_every_function_folder_is_served_locally() -> None:
    assert {f.folder for f in FUNCTIONS} == set(function_folders())
