"""Entry point of `python -m shared.cli`."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import shared.cli as cli_pkg
from shared.errors import WacrmError
from shared.settings import LOCAL_STACK_DEFAULTS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shared.cli",
        description="WhatsApp CRM: manage tenants, poll sheets, chat, analytics and alerts locally.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"shared.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if os.environ.get("WACRM_TARGET", "local") == "local":
        # With nothing configured, the CLI talks to the local stack that ./emulator.sh runs.
        for key, value in LOCAL_STACK_DEFAULTS.items():
            os.environ.setdefault(key, value)
    # A person at a terminal wants the command's output, not the INFO log lines behind it.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except WacrmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
