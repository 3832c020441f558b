"""A poll on the emulators writes the Firestore contract, only what changed, keeps bad rows out
with a reason, refuses to wipe the catalog, and publishes catalog-changes."""

from __future__ import annotations

import csv
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.events import CatalogChange
from shared.settings import get_settings
from shared.sheets.poll import poll_tenant
from shared.storage import tenant_collection
from shared.tenants import TenantConfig, save_tenant
from tests.conftest import ROOT

HEADERS = ["SKU", "Product Name", "Category", "Price (USD)", "Qty", "Type", "Slots"]


def rows(n: int = 12) -> list[list[str]]:
    data = [[f"SKU-{i:03d}", f"Item {i}", "Things", f"${10 + i}.00", str(20 + i), "", ""] for i in range(n)]
    data[0] = ["JKT-001", "Denim Jacket", "Jackets", "$1,299.00", "14", "", ""]
    data[1] = ["TOP-002", "Flannel Shirt", "Shirts", "1.299,00 €", "5 left", "", ""]
    data[2] = [
        "SRV-001",
        "Styling Session",
        "Services",
        "free",
        "",
        "Service",
        "Sat 10:00 1/2; 2099-01-05 14:00 0/3",
    ]
    return data


def write_csv(path: Path, data: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADERS, *data])
    # A new mtime even within the same clock tick, as an editor's save would give.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


@pytest.fixture
def shop(tenant_id: str, tmp_path: Path, emulators: dict[str, str]) -> Path:
    sheet = tmp_path / "catalog.csv"
    write_csv(sheet, rows())
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"file:{sheet}"))
    return sheet


@pytest.fixture
def changes(emulators: dict[str, str]) -> Iterator[str]:
    """A pull subscription on catalog-changes made for this test."""
    from shared.clients import subscriber

    project = get_settings().google_cloud_project
    name = f"projects/{project}/subscriptions/test-catalog-changes-{uuid.uuid4().hex[:8]}"
    subscriber().create_subscription(
        request={"name": name, "topic": f"projects/{project}/topics/{get_settings().topic_catalog_changes}"}
    )
    yield name
    subscriber().delete_subscription(request={"subscription": name})


def pull_changes(
    subscription: str, tenant_id: str, *, want: int = 1, timeout: float = 10
) -> list[CatalogChange]:
    from shared.clients import subscriber

    found: list[CatalogChange] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(found) < want:
        response = subscriber().pull(request={"subscription": subscription, "max_messages": 50}, timeout=5)
        if response.received_messages:
            subscriber().acknowledge(
                request={
                    "subscription": subscription,
                    "ack_ids": [m.ack_id for m in response.received_messages],
                }
            )
        for message in response.received_messages:
            change = CatalogChange.model_validate_json(message.message.data)
            if change.tenant_id == tenant_id:
                found.append(change)
    return found


def docs(tenant_id: str, name: str) -> dict[str, dict]:
    return {snap.id: snap.to_dict() for snap in tenant_collection(tenant_id, name).stream()}


def update_times(tenant_id: str) -> dict[str, object]:
    times = {}
    for name in ("catalog", "availability", "slots", "validation_issues", "sheet_state"):
        for snap in tenant_collection(tenant_id, name).stream():
            times[f"{name}/{snap.id}"] = snap.update_time
    return times


def test_first_poll_writes_the_contract_documents(tenant_id: str, shop: Path, changes: str) -> None:
    result = poll_tenant(tenant_id)
    assert (result.rows, result.valid, result.invalid, result.unchanged) == (12, 12, 0, 0)
    catalog = docs(tenant_id, "catalog")
    assert len(catalog) == 12
    jacket = catalog["JKT-001"]
    fields = ("sku", "name", "category", "price_minor", "currency", "stock", "status", "active")
    assert {k: jacket[k] for k in fields} == {
        "sku": "JKT-001", "name": "Denim Jacket", "category": "Jackets", "price_minor": 129900,
        "currency": "USD", "stock": 14, "status": "in_stock", "active": True,
    }  # fmt: skip
    assert jacket["source_row"] == 2 and jacket["updated_at"].tzinfo is not None
    flannel_doc = catalog["TOP-002"]
    assert (flannel_doc["price_minor"], flannel_doc["currency"], flannel_doc["status"]) == (
        129900,
        "EUR",
        "low",
    )
    assert catalog["SRV-001"]["kind"] == "service" and catalog["SRV-001"]["price_minor"] == 0

    availability = docs(tenant_id, "availability")
    assert set(availability) == set(catalog)
    flannel = availability["TOP-002"]
    assert flannel["status"] == "low" and flannel["stock"] == 5
    assert "days_to_stockout" in flannel and "confidence" in flannel and flannel["stale"] is False
    assert [p["stock"] for p in flannel["history"]] == [5]

    slots = docs(tenant_id, "slots")
    assert {(s["date"], s["start"], s["capacity"], s["booked"], s["free"]) for s in slots.values()} >= {
        ("2099-01-05", "14:00", 3, 0, 3)
    }
    assert all(s["sku"] == "SRV-001" for s in slots.values())

    states = docs(tenant_id, "sheet_state")
    assert len(states) == 1
    state = next(iter(states.values()))
    assert state["row_count"] == 12 and state["valid"] == 12 and state["stale"] is False
    assert state["last_poll_at"] and state["last_change_at"] and state["version"]

    published = pull_changes(changes, tenant_id)
    assert len(published) == 1
    assert set(published[0].changed_skus) == set(catalog)
    assert {(c.sku, c.old, c.new) for c in published[0].status_changes} >= {("TOP-002", None, "low")}


def test_unchanged_repoll_writes_nothing(tenant_id: str, shop: Path) -> None:
    poll_tenant(tenant_id)
    before = update_times(tenant_id)
    again = poll_tenant(tenant_id)
    assert again.skipped and again.written == 0
    forced = poll_tenant(tenant_id, force=True)  # content read, every hash the same
    assert not forced.skipped and forced.written == 0 and forced.unchanged == 12
    assert update_times(tenant_id) == before


def test_a_changed_row_rewrites_only_that_row(tenant_id: str, shop: Path, changes: str) -> None:
    poll_tenant(tenant_id)
    pull_changes(changes, tenant_id)
    before = update_times(tenant_id)
    data = rows()
    data[5][4] = "0"  # SKU-005 sold out
    write_csv(shop, data)
    result = poll_tenant(tenant_id)
    assert (result.changed, result.unchanged) == (1, 11)
    after = update_times(tenant_id)
    rewritten = {key for key in after if after[key] != before.get(key)}
    assert rewritten == {
        "catalog/SKU-005",
        "availability/SKU-005",
        next(k for k in after if k.startswith("sheet_state/")),
    }
    assert docs(tenant_id, "availability")["SKU-005"]["status"] == "out"
    assert [p["stock"] for p in docs(tenant_id, "availability")["SKU-005"]["history"]] == [25, 0]
    change = pull_changes(changes, tenant_id)[0]
    assert change.changed_skus == ["SKU-005"]
    assert [(c.sku, c.old, c.new) for c in change.status_changes] == [("SKU-005", "in_stock", "out")]


def test_a_bad_row_becomes_an_issue_and_the_rest_lands(tenant_id: str, shop: Path) -> None:
    data = rows()
    data[4] = ["SKU-004", "", "Things", "call us", "-1", "", ""]
    data[6][0] = "SKU-007"  # duplicate of row 9's SKU
    write_csv(shop, data)
    result = poll_tenant(tenant_id)
    assert (result.valid, result.invalid) == (10, 2)
    assert "SKU-004" not in docs(tenant_id, "catalog")
    assert docs(tenant_id, "catalog")["SKU-007"]["source_row"] == 8  # the first one wins
    issues = docs(tenant_id, "validation_issues")
    assert {(i["row"], i["column"], i["value"], i["problem"]) for i in issues.values()} == {
        (6, "name", "", "name is missing"),
        (6, "price", "call us", "not a price: no amount in it"),
        (6, "stock", "-1", "stock is negative"),
        (9, "sku", "SKU-007", "duplicate SKU (row 8 wins)"),
    }
    assert issues["r6-price"]["header"] == "Price (USD)"  # as the owner sees it in the sheet
    poll_tenant(tenant_id, force=True)
    assert len(docs(tenant_id, "validation_issues")) == 4  # deterministic ids: no duplicates

    write_csv(shop, rows())  # fixed
    poll_tenant(tenant_id)
    assert docs(tenant_id, "validation_issues") == {}
    assert len([d for d in docs(tenant_id, "catalog").values() if d["active"]]) == 12


def test_no_wipe_rule_keeps_the_catalog_and_records_the_anomaly(
    tenant_id: str, shop: Path, changes: str
) -> None:
    poll_tenant(tenant_id)
    pull_changes(changes, tenant_id)
    write_csv(shop, rows()[:2])  # someone pasted over the sheet
    result = poll_tenant(tenant_id)
    assert result.anomaly and "kept the last good catalog" in result.anomaly
    assert len([d for d in docs(tenant_id, "catalog").values() if d["active"]]) == 12
    state = next(iter(docs(tenant_id, "sheet_state").values()))
    assert state["anomaly"] == result.anomaly and state["anomalies"][-1]["rows"] == 2
    published = pull_changes(changes, tenant_id)
    assert [c.anomaly for c in published] == [result.anomaly]

    accepted = poll_tenant(tenant_id, force=True, accept_shrink=True)  # the owner confirms
    assert accepted.removed == 10
    catalog = docs(tenant_id, "catalog")
    assert sum(d["active"] for d in catalog.values()) == 2 and catalog["SKU-011"]["status"] == "out"
    assert next(iter(docs(tenant_id, "sheet_state").values()))["anomaly"] is None


def test_a_missing_file_is_recorded_as_a_read_failure(tenant_id: str, shop: Path, changes: str) -> None:
    poll_tenant(tenant_id)
    pull_changes(changes, tenant_id)
    shop.unlink()
    result = poll_tenant(tenant_id)
    assert result.error and "not found" in result.error
    state = next(iter(docs(tenant_id, "sheet_state").values()))
    assert "not found" in state["last_error"] and state["consecutive_failures"] == 1
    assert len(docs(tenant_id, "catalog")) == 12
    assert [c.read_failed for c in pull_changes(changes, tenant_id)] == [True]


def test_the_demo_catalog_imports(tenant_id: str, emulators: dict[str, str]) -> None:
    source = f"file:{ROOT / 'examples' / 'demo_catalog.xlsx'}"
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=source))
    result = poll_tenant(tenant_id)
    assert result.rows >= 50 and result.invalid == 1
    catalog = docs(tenant_id, "catalog")
    assert catalog["JKT-001"]["name"] == "Denim Jacket" and catalog["JKT-001"]["status"] == "in_stock"
    assert {d["status"] for d in catalog.values()} >= {"in_stock", "low", "out"}
    assert len(docs(tenant_id, "slots")) >= 6
    assert [i["column"] for i in docs(tenant_id, "validation_issues").values()] == ["price"]


def test_cli_poll_json_prints_one_object(tenant_id: str, shop: Path) -> None:
    import json
    import subprocess
    import sys

    command = [sys.executable, "-m", "shared.cli", "poll", "--tenant", tenant_id, "--json"]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(first.stdout)
    assert {k: result[k] for k in ("rows", "valid", "invalid", "unchanged")} == {
        "rows": 12, "valid": 12, "invalid": 0, "unchanged": 0,
    }  # fmt: skip
    assert result["written"] > 24 and result["duration_ms"] > 0
    again = json.loads(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120).stdout)
    assert (again["written"], again["unchanged"]) == (0, 12)
    summary = subprocess.run(command[:-1], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "rows 12" in summary.stdout and "written 0" in summary.stdout


def test_a_tick_for_an_unknown_tenant_is_dropped_not_retried(emulators: dict[str, str]) -> None:
    from shared.events import Tick
    from shared.sheets.poll import poll_due_tenants

    assert poll_due_tenants(Tick(tenant_id="no-such-tenant-for-tick")) == []


def test_a_held_back_read_raises_an_alert_until_the_sheet_is_fixed(tenant_id: str, shop: Path) -> None:
    from shared.alerts.evaluate import evaluate_tenant
    from shared.alerts.findings import alert_id_for

    poll_tenant(tenant_id)
    sheet_id = next(iter(docs(tenant_id, "sheet_state")))
    alert_id = alert_id_for(f"sheet_read_failed:{sheet_id}")
    write_csv(shop, rows()[:2])  # a wrong paste: the no-wipe rule holds the catalog back
    poll_tenant(tenant_id)
    evaluate_tenant(tenant_id)
    alert = docs(tenant_id, "alerts")[alert_id]
    assert alert["status"] == "open" and "kept the last good catalog" in alert["message"]

    write_csv(shop, rows())  # the owner undoes the paste
    poll_tenant(tenant_id)
    evaluate_tenant(tenant_id)
    assert docs(tenant_id, "alerts")[alert_id]["status"] == "resolved"


def test_switching_the_source_sheet_rebuilds_the_catalog_from_it(
    tenant_id: str, shop: Path, tmp_path: Path
) -> None:
    poll_tenant(tenant_id)
    other = tmp_path / "new-catalog.csv"
    data = rows(6)
    data[0][4] = "3"  # the new sheet says 3 Denim Jackets
    write_csv(other, data)
    config = TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"file:{other}")
    save_tenant(config)
    result = poll_tenant(tenant_id)
    assert result.removed == 6  # SKU-006..SKU-011 are not in the new sheet
    catalog = docs(tenant_id, "catalog")
    assert catalog["JKT-001"]["stock"] == 3 and not catalog["SKU-011"]["active"]

    save_tenant(config.model_copy(update={"source": f"file:{shop}"}))
    back = poll_tenant(tenant_id)  # the old sheet did not change, but the catalog did
    assert not back.skipped and back.removed == 0
    catalog = docs(tenant_id, "catalog")
    assert catalog["JKT-001"]["stock"] == 14 and catalog["SKU-011"]["active"]


def test_a_column_of_broken_prices_does_not_empty_the_catalog(tenant_id: str, shop: Path) -> None:
    poll_tenant(tenant_id)
    broken = [[*row[:3], "#REF!", *row[4:]] for row in rows()]  # same rows, every price unusable
    write_csv(shop, broken)
    result = poll_tenant(tenant_id)
    assert (
        result.anomaly and "valid rows" in result.anomaly and "kept the last good catalog" in result.anomaly
    )
    assert len([d for d in docs(tenant_id, "catalog").values() if d["active"]]) == 12

    write_csv(shop, rows())  # the referenced sheet is back
    fixed = poll_tenant(tenant_id)
    assert fixed.anomaly is None and fixed.removed == 0
    assert next(iter(docs(tenant_id, "sheet_state").values()))["anomaly"] is None


def test_a_change_whose_publish_failed_is_published_by_the_next_poll(
    tenant_id: str, shop: Path, changes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.clients import reset_clients

    poll_tenant(tenant_id)
    pull_changes(changes, tenant_id)
    monkeypatch.setenv("TOPIC_CATALOG_CHANGES", "no-such-topic")  # Pub/Sub refuses the publish
    reset_clients()
    data = rows()
    data[0][4] = "0"  # the Denim Jacket sells out
    write_csv(shop, data)
    assert poll_tenant(tenant_id).published is False
    monkeypatch.delenv("TOPIC_CATALOG_CHANGES")
    reset_clients()

    poll_tenant(tenant_id)  # nothing new in the sheet, but the lost change goes out now
    published = pull_changes(changes, tenant_id)
    assert [c.status_changes[0].sku for c in published if c.status_changes] == ["JKT-001"]
    assert next(iter(docs(tenant_id, "sheet_state").values()))["pending_changes"] == []
