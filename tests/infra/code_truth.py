"""What the code uses, read from the code itself at test time (never a hard-coded list), so that
the Terraform checks catch drift as the functions grow."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pydantic import SecretStr

from devtools import topology
from shared import events
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

# Topics that exist only in the local stack, each with the reason Terraform does without it.
LOCAL_ONLY_TOPICS = {
    "staff-outbox": "in the cloud an Eventarc Firestore trigger on conversations/*/outbox/* invokes "
    "respond-outbox; locally devtools.outbox_bridge publishes those documents to this topic instead",
    "commerce-requests": "in the cloud an Eventarc Firestore trigger on orders|bookings/*/requests/* "
    "invokes commerce-requests; locally devtools.commerce_bridge publishes those documents instead",
}

# Environment variables the code reads that a deployment must NOT set, with the reason.
NOT_DEPLOYED_ENV = {
    "FIRESTORE_EMULATOR_HOST": "local emulator only; unset in the cloud, so the real Firestore is used",
    "PUBSUB_EMULATOR_HOST": "local emulator only; unset in the cloud, so the real Pub/Sub is used",
}
# Endpoint overrides (`*_API_BASE`, `*_BASE_URL`) point the SDKs at local stand-in servers in
# tests; unset, each provider's production endpoint is used.
TEST_ENDPOINT_OVERRIDE = re.compile(r"_(API_BASE|BASE_URL)$")
# Set by the Cloud Functions / Cloud Run platform itself.
PLATFORM_ENV = {
    "K_SERVICE",
    "K_REVISION",
    "K_CONFIGURATION",
    "PORT",
    "FUNCTION_TARGET",
    "FUNCTION_SIGNATURE_TYPE",
}

_ENV_READ = re.compile(
    r"""(?:environ(?:\.get|\.setdefault|\.pop)?\s*[\(\[]|getenv\s*\()\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def settings_env() -> dict[str, bool]:
    """{ENV_NAME: is_secret} for every Settings field (the env var is the field name upper-cased)."""
    return {
        name.upper(): field.annotation is not None and SecretStr in _flatten(field.annotation)
        for name, field in Settings.model_fields.items()
    }


def _flatten(annotation: object) -> set[object]:
    args = getattr(annotation, "__args__", None)
    return {annotation} | (set().union(*(_flatten(a) for a in args)) if args else set())


def deployed_sources() -> list[Path]:
    """The Python files that run inside a function: its main.py and `shared/` (the CLI excepted:
    it runs on a person's machine, never in a function)."""
    files = sorted((ROOT / "shared").rglob("*.py")) + sorted((ROOT / "functions").glob("*/main.py"))
    return [f for f in files if "cli" not in f.relative_to(ROOT).parts and "__pycache__" not in f.parts]


def env_reads() -> dict[str, list[str]]:
    """{ENV_NAME: [files]} of every literal os.environ / os.getenv read in deployed code."""
    found: dict[str, list[str]] = {}
    for path in deployed_sources():
        for name in _ENV_READ.findall(path.read_text()):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def topics_used() -> set[str]:
    """Topics named by the topology, the TOPIC_* constants of shared/events.py and the topic_*
    settings defaults."""
    names = set(topology.topics())
    names |= {v for k, v in vars(events).items() if k.startswith("TOPIC_") and isinstance(v, str)}
    names |= {
        str(f.default) for n, f in Settings.model_fields.items() if n.startswith("topic_") and f.default
    }
    return names


def function_folders() -> set[str]:
    return {p.parent.name for p in (ROOT / "functions").glob("*/main.py")}


def entry_points(folder: str) -> dict[str, str]:
    """{function name: "http" | "cloudevent"} for the decorated functions of functions/<folder>/main.py."""
    tree = ast.parse((ROOT / "functions" / folder / "main.py").read_text())
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr in ("http", "cloud_event"):
                    found[node.name] = "http" if target.attr == "http" else "cloudevent"
    return found


def string_literals() -> set[str]:
    """Every string constant in deployed code (to find collection names)."""
    found: set[str] = set()
    for path in deployed_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def topics_published_from(folder: str) -> dict[str, str]:
    """{topic: module} for each `topic_*` setting referenced by a shared module that
    functions/<folder>/main.py can reach (lazy imports included): what that folder publishes."""
    from tests.packaging.test_bundles import reachable_imports

    defaults = {n: str(f.default) for n, f in Settings.model_fields.items() if n.startswith("topic_")}
    modules, _ = reachable_imports(ROOT / "functions" / folder / "main.py")
    found: dict[str, str] = {}
    for module in sorted(modules):
        path = ROOT / Path(*module.split("."))
        file = path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"
        if file.name == "settings.py":
            continue
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in defaults:
                found[defaults[node.attr]] = module
    return found
