"""The checks that stand in for `terraform validate` (the Google provider cannot be downloaded
here): `terraform fmt`, checkov with zero failed checks, and `terraform console` evaluating the
provider-free parts for real: the locals, and the bundles' file lists and content hashes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from devtools.bundle import build
from tests.infra import terraform as tf

ROOT = tf.ROOT


def test_terraform_fmt_check_passes() -> None:
    result = tf.run_terraform("fmt", "-check", "-recursive", "-diff", "infra/terraform", cwd=ROOT)
    assert result.returncode == 0, f"run `terraform fmt -recursive infra/terraform`:\n{result.stdout}"


def test_tfvars_example_is_formatted(tmp_path: Path) -> None:
    copy = tmp_path / "example.tfvars"
    shutil.copy(tf.TERRAFORM_DIR / "terraform.tfvars.example", copy)
    result = tf.run_terraform("fmt", "-check", "-diff", str(copy), cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_checkov_reports_no_failed_check() -> None:
    checkov = tf.TOOLS_BIN / "checkov"
    assert checkov.exists(), (
        "checkov is missing: run ./emulator.sh setup (it installs requirements-tools.txt)"
    )
    result = subprocess.run(
        [str(checkov), "-d", "infra/terraform", "--framework", "terraform", "--skip-download", "-o", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    summary = report["summary"]
    failed = [(c["check_id"], c["resource"], c["check_name"]) for c in report["results"]["failed_checks"]]
    assert summary["failed"] == 0 and not failed, failed
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 20, "checkov evaluated almost nothing: is it reading the files?"


def test_every_checkov_skip_carries_its_reason() -> None:
    skips = []
    for path in sorted(tf.TERRAFORM_DIR.glob("*.tf")):
        for line in path.read_text().splitlines():
            if "checkov:skip" in line:
                skips.append((path.name, line.strip()))
    assert skips, "expected the documented skips (e.g. CKV_GCP_83 on the topics)"
    for name, line in skips:
        assert re.fullmatch(r"#checkov:skip=CKV2?_[A-Z0-9]+_\d+:\S.{20,}", line), f"{name}: {line}"


def _bundle_console(repo: Path, tmp: Path, expression: str) -> object:
    """Evaluate bundles.tf's own `locals` block against `repo` (a copy of functions/ + shared/)."""
    folders = sorted({fn["folder"] for fn in tf.local("functions").values()})
    stub = (
        "locals {\n"
        f'  repo_root = "{repo}"\n'
        f"  functions = {{ for f in {json.dumps(folders)} : f => {{ folder = f }} }}\n"
        "}\n"
    )
    files = {"stub.tf": stub, "bundles.tf": tf.top_level_block(tf.TERRAFORM_DIR / "bundles.tf", "locals")}
    return tf.console(tmp, files, expression)


def test_each_zip_holds_exactly_the_bundle_that_tests_import(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "functions", repo / "functions")
    shutil.copytree(ROOT / "shared", repo / "shared")
    (repo / "shared" / "__pycache__").mkdir(exist_ok=True)
    (repo / "shared" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\x00\xff")
    listed = _bundle_console(repo, tmp_path / "tf", "{ for k, v in local.bundles : k => keys(v) }")
    assert isinstance(listed, dict)
    for folder, names in listed.items():
        bundle = build(folder, tmp_path / "bundles" / folder)
        expected = sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file())
        assert sorted(names) == expected, folder
        for name in names:  # archive_file reads each file as UTF-8 text (file())
            (bundle / name).read_text(encoding="utf-8")


def test_only_changed_bundles_get_a_new_object_name(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "functions", repo / "functions")
    shutil.copytree(ROOT / "shared", repo / "shared")
    before = _bundle_console(repo, tmp_path / "a", "local.bundle_hash")
    main = repo / "functions" / "alerts" / "main.py"
    main.write_text(main.read_text() + "\n# changed\n")
    after_alerts = _bundle_console(repo, tmp_path / "b", "local.bundle_hash")
    assert isinstance(before, dict) and isinstance(after_alerts, dict)
    assert {k for k in before if before[k] != after_alerts[k]} == {"alerts"}
    (repo / "shared" / "errors.py").write_text((repo / "shared" / "errors.py").read_text() + "\n# changed\n")
    after_shared = _bundle_console(repo, tmp_path / "c", "local.bundle_hash")
    assert isinstance(after_shared, dict)
    assert all(after_shared[k] != after_alerts[k] for k in before), "shared/ is in every bundle"
    again = _bundle_console(repo, tmp_path / "d", "local.bundle_hash")
    assert again == after_shared, "the hash must not depend on anything but the files"


def test_locals_evaluate_with_the_repository_files(tmp_path: Path) -> None:
    files = {
        "variables.tf": (tf.TERRAFORM_DIR / "variables.tf").read_text(),
        "locals.tf": (tf.TERRAFORM_DIR / "locals.tf")
        .read_text()
        .replace('abspath("${path.module}/../..")', json.dumps(str(ROOT))),
        "terraform.tfvars": 'project_id = "my-shop-crm"\n',
    }
    value = tf.console(
        tmp_path,
        files,
        "{ ttl = local.ttl_fields, indexes = length(local.indexes_json.indexes), env = local.plain_env }",
    )
    assert isinstance(value, dict)
    indexes = json.loads((ROOT / "firestore.indexes.json").read_text())
    assert value["indexes"] == len(indexes.get("indexes", []))
    assert (
        value["env"]["WEBHOOK_PUBLIC_URL"]
        == "https://us-central1-my-shop-crm.cloudfunctions.net/respond-webhook"
    )
    assert value["env"]["GOOGLE_CLOUD_PROJECT"] == "my-shop-crm"
