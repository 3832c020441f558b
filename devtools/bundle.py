"""Build a function's deploy bundle: `functions/<name>/` plus the `shared/` package.

`python -m devtools.bundle NAME OUTDIR` writes the bundle to OUTDIR (replacing it). This is what
gets zipped and uploaded: the tests import it in a fresh virtualenv to prove it runs.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "tests")


def function_folders() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "functions").glob("*/main.py"))


def build(name: str, out: Path) -> Path:
    """Copy `functions/<name>` and `shared/` into `out`; returns `out`."""
    source = ROOT / "functions" / name
    if not (source / "main.py").is_file():
        raise SystemExit(f"no function named {name!r} (expected {source}/main.py)")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out, ignore=_IGNORE)
    shutil.copytree(ROOT / "shared", out / "shared", ignore=_IGNORE)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m devtools.bundle NAME OUTDIR")
    print(build(sys.argv[1], Path(sys.argv[2])))
