"""Reading infra/terraform offline: python-hcl2 for the declarations, and `terraform console` for
the few expressions worth evaluating for real (it needs no provider for locals and functions)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "infra" / "terraform"
TOOLS_BIN = ROOT / ".venv-tools" / "bin"


def unquote(value: Any) -> Any:
    """python-hcl2 keeps string literals quoted (`'"respond"'`); strip one layer, recursively."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [unquote(v) for v in value]
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if not k.startswith("__")}
    return value


@cache
def config() -> dict[str, list[Any]]:
    """Every top-level block of every .tf file, merged: {"resource": [...], "locals": [...], ...}."""
    merged: dict[str, list[Any]] = {}
    for path in sorted(TERRAFORM_DIR.glob("*.tf")):
        with path.open() as f:
            for kind, blocks in hcl2.load(f).items():
                if not kind.startswith("__"):
                    merged.setdefault(kind, []).extend(blocks)
    return merged


def local(name: str) -> Any:
    for block in config().get("locals", []):
        if name in block:
            return unquote(block[name])
    raise KeyError(f"local.{name} is not declared in {TERRAFORM_DIR}")


def resources(kind: str) -> dict[str, dict[str, Any]]:
    """{"name": body} of every `resource "<kind>" "<name>"`."""
    found: dict[str, dict[str, Any]] = {}
    for block in config().get("resource", []):
        for rkind, named in unquote(block).items():
            if rkind == kind:
                found.update(named)
    return found


def resource(kind: str, name: str) -> dict[str, Any]:
    declared = resources(kind)
    assert name in declared, f'resource "{kind}" "{name}" is not declared (found {sorted(declared)})'
    return declared[name]


def outputs() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in config().get("output", []):
        found.update(unquote(block))
    return found


def variables() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in config().get("variable", []):
        found.update(block)
    return {unquote(k): v for k, v in found.items()}


def terraform_bin() -> str:
    found = shutil.which("terraform")
    assert found, "terraform is not installed (the offline checks need the terraform CLI for fmt/console)"
    return found


def run_terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    env.pop("TF_CLI_CONFIG_FILE", None)  # a missing CLI config file only produces warnings
    return subprocess.run(
        [terraform_bin(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def top_level_block(path: Path, header: str) -> str:
    """The raw text of the first top-level block starting with `header` (formatted files only:
    `terraform fmt` puts its closing brace alone at column 0)."""
    text = path.read_text()
    match = re.search(rf"^{re.escape(header)}\s*\{{\n.*?^\}}\n", text, flags=re.S | re.M)
    assert match, f"{path.name} has no top-level block `{header} {{`"
    return match.group(0)


def console(workdir: Path, files: dict[str, str], expression: str) -> Any:
    """Evaluate `jsonencode(expression)` with `terraform console` over the given .tf files."""
    workdir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (workdir / name).write_text(text)
    result = subprocess.run(
        [terraform_bin(), "console"],
        input=f"jsonencode({expression})\n",
        cwd=workdir,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_CLI_CONFIG_FILE": "/dev/null",
        },
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(json.loads(result.stdout.strip().splitlines()[-1]))
