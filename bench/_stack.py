"""What the benchmarks share: the stack they measure and how figures are summarised.

A benchmark measures a running stack (`./emulator.sh start`, ports from the environment or the
local defaults), or with `--start` brings up its own on the TEST_PORT_BASE ports, like
`./emulator.sh test`, and stops it afterwards.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.topology import FUNCTIONS  # noqa: E402
from shared.settings import LOCAL_STACK_DEFAULTS  # noqa: E402

LOCAL = {
    **LOCAL_STACK_DEFAULTS,
    **{f.port_env: str(f.default_port) for f in FUNCTIONS},
    "DASHBOARD_PORT": "8000",
}


def use_test_ports() -> None:
    """The ports `./emulator.sh test` uses: TEST_PORT_BASE plus the usual last two digits."""
    b = int(os.environ.get("TEST_PORT_BASE", "18000"))
    os.environ |= {
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{b + 80}",
        "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{b + 85}",
        **{f.port_env: str(b + f.default_port % 100) for f in FUNCTIONS},
        "DASHBOARD_PORT": str(b),
        "RUN_DIR": str(ROOT / ".run" / f"bench-{b}"),
        "LOCAL_SCHEDULER": "0",
    }


@contextmanager
def stack(start: bool) -> Iterator[None]:
    """The environment of the stack to measure; with `start`, a stack of its own for the run."""
    if start:
        use_test_ports()
    for key, value in LOCAL.items():
        os.environ.setdefault(key, value)
    if start:
        Path(os.environ["RUN_DIR"]).mkdir(parents=True, exist_ok=True)
        subprocess.run([str(ROOT / "emulator.sh"), "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        if start:
            subprocess.run([str(ROOT / "emulator.sh"), "stop"], check=False, stdout=subprocess.DEVNULL)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, `q` in [0, 1]."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 of `values`, rounded to 0.01."""
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 0.95), 2),
        "p99": round(percentile(values, 0.99), 2),
    }
