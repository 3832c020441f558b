"""`emulator.sh` fails fast with a clear message instead of hanging."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "emulator.sh"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_port_in_use_is_named_and_nothing_is_started(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{port}", "RUN_DIR": str(tmp_path)}
        result = run_script("start", env=env)
    assert result.returncode != 0
    # Under `./emulator.sh test` the test stack's own ports are busy too: all are listed.
    assert "already in use" in result.stderr
    assert str(port) in result.stderr.split("already in use")[0].split()
    assert not list(tmp_path.glob("*.pid")), "nothing may be left running"


def test_missing_java_is_reported(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "ls", "mkdir", "cat", "env"):
        found = shutil.which(tool)
        assert found
        (bin_dir / tool).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir), "RUN_DIR": str(tmp_path / "run")}
    result = run_script("start", env=env)
    assert result.returncode != 0
    assert "Java is not installed" in result.stderr


def test_unknown_command_lists_the_valid_ones() -> None:
    result = run_script("lanch", env=dict(os.environ))
    assert result.returncode != 0
    assert "unknown command 'lanch'" in result.stderr
    assert "start, stop, status, test" in result.stderr
