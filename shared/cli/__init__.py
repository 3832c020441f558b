"""`python -m shared.cli`: the terminal interface for a person (see `--help`).

Each module in this package that defines `register(subparsers)` adds its commands; a command
sets `func` to a callable taking the parsed arguments and returning an exit code.
"""
