"""Scale benchmark: 10,000 shops on one deployment.

    .venv/bin/python bench/scale.py --start    # its own emulators on TEST_PORT_BASE ports (~4 min)
    .venv/bin/python bench/scale.py            # against a running ./emulator.sh stack

1. Fan-out (real: Firestore and Pub/Sub emulators): 10,000 shops' poll schedules, all due; one
   poll tick (`shared.scheduling.polls.poll_tick`, one pass) queries the due shops and publishes
   one `ShopDue` each, marking them dispatched. Measured: the pass's time, the messages received
   on a subscription (each shop exactly once), Firestore reads and writes of the tick, and the
   next tick when nothing is due.
2. One shop's poll (real: emulators, gspread against the local Drive/Sheets stand-in, the budget
   in Firestore): `poll_shop` for 100 Google-sheet shops, 8 at a time (sheet-poller-shop's
   concurrency): wall time of a first import and of an unchanged check; then 40 sheets edited
   with the Sheets budget set to 30 calls a minute: calls the stand-in received in any 60 s
   (<= budget), and the shops left waiting for read budget (queued, not failed).
3. Half an hour of 10,000 shops in SIMULATED time (bench/_scale_sim.py: the same pure cores,
   the I/O replaced by a fixed latency; honest about it in its docstring): 5% of the sheets
   changed a minute (90% of edits on the busiest 20% of shops), 20% of shops pushing edits with
   the Apps Script, a 30% burst at minute 15, intervals 15 s / 60 s / 120 s / 300 s. Scenario
   "raised quota" (Drive 10,000/min, Sheets 1,500/min): lag from a change to the read that
   brought it in, polls and reads per minute, the worst 60 s of calls against each budget, how
   long the burst took to drain and at what lag pushes were served meanwhile. Scenario "default
   quota" (Sheets 54/min): what the quota allows, and who goes first.
4. Memory (real, a fresh interpreter with respond's modules imported): catalog indexes for
   10,000 shops (most small, some of 1,000 and 10,000 items) stored in the instance's cache
   (`shared.conversation.catalog_index._indexes`, the LRU bounded by CATALOG_CACHE_MB = 256):
   peak RSS against the bound + 150 MB; the bytes of a 1,000- and a 10,000-item index; and the
   time to reload an evicted 1,000- and 10,000-item index from the emulator.

Prints a table, then exactly one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _stack import ROOT, percentile, stack

SHOPS = 10_000
CACHE_MB = 256


def _reset() -> None:
    from shared.clients import reset_clients

    reset_clients()


# --- 1. fan-out ------------------------------------------------------------------------------
def fan_out(run: str, shops: int) -> dict[str, Any]:
    from google.api_core.exceptions import AlreadyExists

    from shared.clients import firestore_client, publisher, subscriber
    from shared.events import ShopDue, Tick
    from shared.scheduling import store
    from shared.scheduling.plan import new_schedule
    from shared.scheduling.polls import poll_tick
    from shared.settings import get_settings
    from shared.storage import utcnow

    topic = f"bench-sheet-polls-{run}"
    os.environ |= {"TOPIC_SHEET_POLLS": topic, "DISPATCH_WINDOW_S": "0", "QUOTA_DRIVE_PER_MINUTE": "12000"}
    _reset()
    project = get_settings().google_cloud_project
    topic_path = f"projects/{project}/topics/{topic}"
    sub_path = f"projects/{project}/subscriptions/{topic}"
    with contextlib.suppress(AlreadyExists):
        publisher().create_topic(name=topic_path)
    subscriber().create_subscription(name=sub_path, topic=topic_path, ack_deadline_seconds=600)

    now = utcnow()
    tenants = [f"bench-{run}-{n:05d}" for n in range(shops)]
    started = time.perf_counter()
    bulk = firestore_client().bulk_writer()
    for n, tenant_id in enumerate(tenants):
        doc = new_schedule(tenant_id, 60, now)
        doc["due_at"] = doc["next_poll_at"] = now.replace(microsecond=0) - _seconds(n % 60)
        bulk.set(store.schedule_ref(tenant_id, store.POLL), doc)
    bulk.close()
    seeded_s = time.perf_counter() - started

    tick = poll_tick(Tick(job="poll-sheets"))
    received: list[str] = []
    while True:
        response = subscriber().pull(subscription=sub_path, max_messages=1000, timeout=30)
        if not response.received_messages:
            break
        for message in response.received_messages:
            received.append(ShopDue.model_validate_json(message.message.data).tenant_id)
        subscriber().acknowledge(
            subscription=sub_path, ack_ids=[m.ack_id for m in response.received_messages]
        )
    ours = [t for t in received if t.startswith(f"bench-{run}-")]
    quiet = poll_tick(Tick(job="poll-sheets"))

    cleanup = firestore_client().bulk_writer()
    for tenant_id in tenants:
        cleanup.delete(store.schedule_ref(tenant_id, store.POLL))
    cleanup.close()
    subscriber().delete_subscription(subscription=sub_path)
    publisher().delete_topic(topic=topic_path)
    return {
        "shops": shops,
        "seed_s": round(seeded_s, 1),
        "fan_out_s": tick.fan_out_s,
        "pass_s": tick.first_pass_s,
        "published": tick.published,
        "received_ours": len(ours),
        "each_once": len(set(ours)) == len(ours) == shops,
        "tick_reads": tick.reads,
        "tick_writes": tick.writes,
        "idle_tick_s": quiet.seconds,
        "idle_tick_reads": quiet.reads,
        "idle_tick_writes": quiet.writes,
    }


def _seconds(n: int) -> Any:
    from datetime import timedelta

    return timedelta(seconds=n)


# --- 2. one shop's poll, for real ------------------------------------------------------------
def shop_polls(run: str, shops: int = 100) -> dict[str, Any]:
    from shared.events import ShopDue
    from shared.quota.budget import budget
    from shared.scheduling import store
    from shared.scheduling.polls import poll_shop
    from shared.storage import utcnow
    from shared.tenants import TenantConfig, save_tenant
    from tests.sheets_standin import Spreadsheet, sheets_standin

    class Timed(list):  # the stand-in's request log, with each request's time
        def __init__(self) -> None:
            super().__init__()
            self.times: list[tuple[float, str]] = []

        def append(self, item: Any) -> None:
            super().append(item)
            self.times.append((time.monotonic(), item[1]))

    header = ["SKU", "Product", "Price", "Stock"]
    with sheets_standin() as standin:
        standin.requests = Timed()
        os.environ |= {
            "SHEETS_SERVICE_ACCOUNT_JSON": standin.service_account_json(),
            "SHEETS_API_BASE": standin.base_url,
            "DRIVE_API_BASE": standin.base_url,
            "QUOTA_BACKEND": "firestore",
            "QUOTA_SHEETS_PER_MINUTE": "6000",
            "QUOTA_DRIVE_PER_MINUTE": "6000",
            "QUOTA_MAX_WAIT_S": "5",
        }
        _reset()
        tenants = []
        for n in range(shops):
            sheet_id = f"1bench{run}{n:05d}".ljust(44, "x")
            rows = [[f"S{n}-{i}", f"Item {i}", f"${i + 1}.50", str(i % 9)] for i in range(50)]
            standin.spreadsheets[sheet_id] = Spreadsheet(title="Catalog", values=[header, *rows])
            tenant_id = f"bench-{run}-g{n:03d}"
            save_tenant(
                TenantConfig(
                    tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"gsheets:{sheet_id}"
                )
            )
            store.ensure_schedules(tenant_id, interval_s=60, alerts_interval_s=60, now=utcnow())
            tenants.append((tenant_id, sheet_id))

        def round_of(ids: list[str]) -> tuple[list[float], list[str]]:
            def one(tenant_id: str) -> tuple[float, str]:
                started = time.perf_counter()
                outcome = poll_shop(ShopDue(tenant_id=tenant_id, job="poll", dispatched_at=utcnow()))
                return (time.perf_counter() - started) * 1000, outcome

            with ThreadPoolExecutor(8) as pool:
                results = list(pool.map(one, ids))
            return [r[0] for r in results], [r[1] for r in results]

        ids = [t for t, _ in tenants]
        first_ms, first = round_of(ids)
        again_ms, again = round_of(ids)

        # Tight budget: 40 sheets edited, 120 Sheets calls a minute for the whole deployment;
        # polls go round (as the dispatcher would send them) until every edit is read.
        os.environ |= {"QUOTA_SHEETS_PER_MINUTE": "120", "QUOTA_MAX_WAIT_S": "5"}
        _reset()
        assert budget().specs["sheets"].per_minute == 120
        edited = ids[:40]
        for _, sheet_id in tenants[:40]:
            book = standin.spreadsheets[sheet_id]
            book.edit([book.values[0], *[[*r[:2], "$9.99", r[3]] for r in book.values[1:]]])
        tight_started = time.monotonic()
        _, outcomes = round_of(ids)
        tight = list(outcomes)
        while time.monotonic() - tight_started < 180:
            left = [
                t
                for t in edited
                if (store.schedule_ref(t, store.POLL).get().to_dict() or {}).get("priority") != "scheduled"
            ]
            if not left:
                break
            _, outcomes = round_of(left)
            tight += outcomes
            time.sleep(1)
        all_read_s = time.monotonic() - tight_started
        sheet_calls = [
            t for t, path in standin.requests.times if path.startswith("/v4/") and t >= tight_started
        ]
        worst = max((sum(1 for u in sheet_calls if t <= u < t + 60) for t in sheet_calls), default=0)
        docs = [store.schedule_ref(t, store.POLL).get().to_dict() or {} for t in edited]
    return {
        "shops": shops,
        "first_import_ms": _p(first_ms),
        "unchanged_ms": _p(again_ms),
        "first_outcomes": _counts(first),
        "unchanged_outcomes": _counts(again),
        "tight_budget_per_minute": 120,
        "tight_outcomes": _counts(tight),
        "tight_worst_60s_sheets_calls": worst,
        "tight_all_40_read_s": round(all_read_s, 1),
        "tight_read": sum(1 for d in docs if d.get("version") == "2"),
        "tight_failed_polls": tight.count("failed"),
    }


def _p(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 1), "p95": round(percentile(values, 0.95), 1)}


def _counts(values: list[str]) -> dict[str, int]:
    return {v: values.count(v) for v in sorted(set(values))}


# --- 3. simulated half hour ------------------------------------------------------------------
def simulated(minutes: int) -> dict[str, Any]:
    from _scale_sim import Scenario, pct, run

    figures: dict[str, Any] = {}
    raised = run(Scenario("raised quota", minutes=minutes, burst_minute=minutes // 2))
    burst_at = 60.0 * (minutes // 2)
    steady = [lag for lag in raised.lags if not lag[4] and lag[5] < burst_at and lag[5] >= 120]
    drain_end = burst_at + (raised.burst_drained_s or 0)
    during = [lag for lag in raised.lags if burst_at <= lag[5] < drain_end or lag[4]]
    assert raised.drive and raised.sheets
    steady_minutes = slice(2, minutes // 2)
    figures["raised"] = {
        "drive_budget": raised.drive.spec.per_minute,
        "sheets_budget": raised.sheets.spec.per_minute,
        "lag_s": _lags([x[0] for x in steady]),
        "lag_in_effective_intervals_p95": round(pct([x[0] / x[2] for x in steady], 0.95), 2),
        "lag_in_own_intervals_p95": round(pct([x[0] / x[1] for x in steady], 0.95), 2),
        # Shops on their own interval when the change came, against those backed off (quiet for hours).
        "lag_in_own_intervals_p95_not_backed_off": round(
            pct([x[0] / x[1] for x in steady if x[2] <= x[1]], 0.95), 2
        ),
        "backed_off_share_of_changes": round(sum(1 for x in steady if x[2] > x[1]) / max(1, len(steady)), 2),
        "backed_off_lag_p95_s": round(pct([x[0] for x in steady if x[2] > x[1]], 0.95), 1),
        "changes_read": len(steady),
        "polls_per_minute": round(statistics.mean(raised.polls_per_minute[steady_minutes])),
        "reads_per_minute": round(statistics.mean(raised.reads_per_minute[steady_minutes])),
        "worst_60s_drive_calls": raised.drive.worst_minute(),
        "worst_60s_sheets_calls": raised.sheets.worst_minute(),
        "burst_changes": round(0.3 * SHOPS),
        "burst_drained_s": raised.burst_drained_s,
        "burst_reads_per_minute": round(
            statistics.mean(raised.reads_per_minute[minutes // 2 : minutes // 2 + 5])
        ),
        "during_burst_push_lag_p95_s": round(pct([x[0] for x in during if x[3]], 0.95), 1),
        "during_burst_other_lag_p95_s": round(pct([x[0] for x in during if not x[3]], 0.95), 1),
        "seconds": raised.seconds,
    }
    default = run(Scenario("default quota", minutes=minutes // 2, sheets_per_minute=54, burst_minute=None))
    assert default.drive and default.sheets
    reads = default.reads_per_minute[2:]
    pushed = [x for x in default.lags if x[5] >= 120]
    figures["default"] = {
        "sheets_budget": default.sheets.spec.per_minute,
        "reads_per_minute": round(statistics.mean(reads), 1),
        "changed_sheets_per_minute": round(SHOPS * 0.05),
        "reads_that_were_pushes": round(sum(1 for x in pushed if x[3]) / max(1, len(pushed)), 2),
        "unread_growth_per_minute": round(
            (default.backlog[-1][1] - default.backlog[2][1]) / max(1, len(default.backlog) - 3)
        ),
        "worst_60s_sheets_calls": default.sheets.worst_minute(),
        "worst_60s_drive_calls": default.drive.worst_minute(),
        "seconds": default.seconds,
    }
    return figures


def _lags(values: list[float]) -> dict[str, float]:
    from _scale_sim import pct

    return {
        "p50": round(pct(values, 0.5), 1),
        "p95": round(pct(values, 0.95), 1),
        "max": round(max(values), 1),
    }


# --- 4. memory ------------------------------------------------------------------------------
def memory_child(cache_mb: int, shops: int) -> None:
    """In a fresh interpreter: respond's modules, then 10,000 shops' indexes through the cache."""
    os.environ["CATALOG_CACHE_MB"] = str(cache_mb)
    import importlib.util
    import tracemalloc

    spec = importlib.util.spec_from_file_location("respond_main", ROOT / "functions" / "respond" / "main.py")
    assert spec and spec.loader
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    import google.cloud.firestore
    import google.cloud.pubsub_v1  # noqa: F401

    import shared.conversation.worker
    import shared.whatsapp.webhook  # noqa: F401
    from shared.cache import deep_size
    from shared.conversation import catalog_index
    from shared.conversation.catalog_index import CatalogIndex, CatalogItem

    baseline = _rss("VmRSS")
    rng = random.Random(4)
    words = ["red", "blue", "green", "black", "cotton", "wool", "linen", "silk"]
    words += ["shirt", "scarf", "hat", "jacket", "coat", "dress", "boots", "bag"]

    def index_of(tenant: str, items: int) -> CatalogIndex:
        index = CatalogIndex(tenant)
        for n in range(items):
            name = " ".join(rng.sample(words, 3)) + f" {n}"
            index.put(
                CatalogItem(
                    sku=f"{tenant[-5:]}-{n:05d}",
                    name=name,
                    category=words[n % 7],
                    price_minor=100 + n,
                    stock=n % 40,
                )
            )
        return index

    started = time.perf_counter()
    total_items = 0
    for n in range(shops):
        draw = rng.random()
        items = rng.randint(10, 30) if draw < 0.85 else 100 if draw < 0.99 else 500 if draw < 0.999 else 10000
        total_items += items
        catalog_index._indexes[f"shop-{n:05d}"] = index_of(f"shop-{n:05d}", items)
    cache = catalog_index._indexes
    peak = _rss("VmHWM")
    # Measured after the run (tracemalloc's own bookkeeping would otherwise weigh on the peak).
    sizes = {}
    for items in (1000, 10000):
        import gc

        gc.collect()
        tracemalloc.start()
        index = index_of("probe", items)
        traced = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        sizes[items] = {
            "deep_size_mb": round(deep_size(index) / 2**20, 2),
            "traced_mb": round(traced / 2**20, 2),
        }
        del index
    print(
        json.dumps(
            {
                "baseline_rss_mb": round(baseline, 1),
                "peak_rss_mb": round(peak, 1),
                "cache_mb": round(cache.bytes / 2**20, 1),
                "bound_mb": cache_mb,
                "shops_served": shops,
                "items_served": total_items,
                "shops_cached": len(cache),
                "evictions": cache.evictions,
                "index_sizes": sizes,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def _rss(field: str) -> float:
    """This process's resident memory (VmRSS) or its peak (VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def memory(shops: int) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", "--shops", str(shops)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return dict(json.loads(child.stdout.strip().splitlines()[-1]))


def reload_times(run: str) -> dict[str, float]:
    """An evicted shop's index loaded again, as its next message would (`catalog_index`: from
    the compact snapshot the first load wrote), after a first load from the collections."""
    from shared.clients import firestore_client
    from shared.conversation.catalog_index import catalog_index, forget_indexes
    from shared.storage import tenant_collection, utcnow

    figures = {}
    for items in (1000, 10000):
        tenant_id = f"bench-{run}-reload-{items}"
        bulk = firestore_client().bulk_writer()
        now = utcnow()
        for n in range(items):
            sku = f"R-{n:05d}"
            bulk.set(
                tenant_collection(tenant_id, "catalog").document(sku),
                {"sku": sku, "name": f"Linen shirt {n}", "category": "shirts", "price_minor": 1000 + n,
                 "currency": "USD", "stock": n % 20, "status": "in_stock", "active": True, "kind": "product",
                 "updated_at": now},
            )  # fmt: skip
            bulk.set(
                tenant_collection(tenant_id, "availability").document(sku),
                {"status": "in_stock", "stock": n % 20, "stale": False, "updated_at": now},
            )
        bulk.close()
        forget_indexes()
        started = time.perf_counter()
        assert len(catalog_index(tenant_id).items) == items
        figures[f"first_load_{items}_s"] = round(time.perf_counter() - started, 2)
        forget_indexes()  # evicted
        started = time.perf_counter()
        assert len(catalog_index(tenant_id).items) == items
        figures[f"reload_{items}_s"] = round(time.perf_counter() - started, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--start", action="store_true", help="start a stack on TEST_PORT_BASE ports")
    parser.add_argument("--shops", type=int, default=SHOPS)
    parser.add_argument("--minutes", type=int, default=30, help="simulated minutes")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(CACHE_MB, args.shops)
        return
    run = uuid.uuid4().hex[:6]
    with stack(args.start):
        sys.path.insert(0, str(ROOT))
        mem = memory(args.shops)
        sim = simulated(args.minutes)
        fan = fan_out(run, args.shops)
        polls = shop_polls(run)
        mem |= reload_times(run)
    figures = {"fan_out": fan, "shop_polls": polls, "simulated": sim, "memory": mem}
    (ROOT / ".run").mkdir(exist_ok=True)
    (ROOT / ".run" / "bench-scale.json").write_text(json.dumps(figures))  # kept if the table fails
    report(fan, polls, sim, mem)


def report(fan: dict[str, Any], polls: dict[str, Any], sim: dict[str, Any], mem: dict[str, Any]) -> None:
    up, low = sim["raised"], sim["default"]
    first, unchanged, lag = polls["first_import_ms"], polls["unchanged_ms"], up["lag_s"]
    sizes = mem["index_sizes"]
    rows = [
        ("fan-out: one tick, 10,000 due shops -> 10,000 messages", f"{fan['fan_out_s']:.2f} s", "<= 10 s"),
        ("  and their dispatch marks written", f"{fan['pass_s']:.2f} s", ""),
        ("  messages received, each shop exactly once", f"{fan['received_ours']:,} {fan['each_once']}", ""),
        ("  Firestore reads / writes of that tick", f"{fan['tick_reads']:,} / {fan['tick_writes']:,}", ""),
        (
            "  next tick, nothing due: time, reads / writes",
            f"{fan['idle_tick_s']:.2f} s, {fan['idle_tick_reads']} / {fan['idle_tick_writes']}",
            "",
        ),
        ("one shop's poll for real: first import p50 / p95", f"{first['p50']} / {first['p95']} ms", ""),
        ("  unchanged check p50 / p95 (8 at a time)", f"{unchanged['p50']} / {unchanged['p95']} ms", ""),
        (
            "  40 edits, Sheets budget 120/min: worst 60 s",
            f"{polls['tight_worst_60s_sheets_calls']} calls",
            "<= 120",
        ),
        (
            "  edits read / time to read all / polls failed",
            f"{polls['tight_read']}/40, {polls['tight_all_40_read_s']} s, {polls['tight_failed_polls']}",
            "0 failed",
        ),
        (
            f"SIMULATED quota {up['drive_budget']:,} Drive, {up['sheets_budget']:,} Sheets /min: lag",
            f"p50 {lag['p50']}, p95 {lag['p95']}, max {lag['max']} s",
            "",
        ),
        (
            "  lag p95 in effective / own intervals",
            f"{up['lag_in_effective_intervals_p95']} / {up['lag_in_own_intervals_p95']}",
            "<= 2",
        ),
        (
            "  lag p95, shops on their own interval (own intervals)",
            f"{up['lag_in_own_intervals_p95_not_backed_off']}",
            "<= 2",
        ),
        (
            "  lag p95, shops backed off after hours quiet",
            f"{up['backed_off_lag_p95_s']} s ({up['backed_off_share_of_changes']:.0%} of edits)",
            "",
        ),
        ("  polls / reads a minute", f"{up['polls_per_minute']:,} / {up['reads_per_minute']:,}", ""),
        (
            "  worst 60 s: Drive / Sheets calls",
            f"{up['worst_60s_drive_calls']:,} / {up['worst_60s_sheets_calls']:,}",
            "<= budget",
        ),
        (
            "  burst, 3,000 sheets changed at once: drained in",
            f"{up['burst_drained_s']:.0f} s, {up['burst_reads_per_minute']} reads/min",
            "",
        ),
        (
            "  meanwhile lag p95: pushed edits / others",
            f"{up['during_burst_push_lag_p95_s']} / {up['during_burst_other_lag_p95_s']} s",
            "pushes first",
        ),
        (
            f"SIMULATED default quota, {low['sheets_budget']} Sheets/min: reads",
            f"{low['reads_per_minute']}/min of {low['changed_sheets_per_minute']} changed",
            "",
        ),
        (
            "  reads serving pushed edits / unread growth",
            f"{low['reads_that_were_pushes']:.0%} / +{low['unread_growth_per_minute']}/min",
            "pushes first",
        ),
        (
            "  worst 60 s: Drive / Sheets calls",
            f"{low['worst_60s_drive_calls']:,} / {low['worst_60s_sheets_calls']}",
            "<= budget",
        ),
        (
            f"respond instance, {mem['shops_served']:,} shops, {mem['items_served']:,} items: peak RSS",
            f"{mem['peak_rss_mb']} MB (baseline {mem['baseline_rss_mb']})",
            f"<= {mem['bound_mb'] + 150} MB",
        ),
        (
            "  cache held / bound, shops cached, evictions",
            f"{mem['cache_mb']}/{mem['bound_mb']} MB, {mem['shops_cached']:,}, {mem['evictions']:,}",
            "",
        ),
        (
            "  index of 1,000 / 10,000 items",
            f"{sizes['1000']['deep_size_mb']} / {sizes['10000']['deep_size_mb']} MB",
            "",
        ),
        (
            "  index loaded first / again after eviction, 1,000 items",
            f"{mem['first_load_1000_s']} / {mem['reload_1000_s']} s",
            "",
        ),
        (
            "  index loaded first / again after eviction, 10,000 items",
            f"{mem['first_load_10000_s']} / {mem['reload_10000_s']} s",
            "",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}} | {'value':<36} | target")
    print(f"{'-' * width}-+-{'-' * 36}-+-------")
    for name, value, target in rows:
        print(f"{name:<{width}} | {value:<36} | {target}")
    print(
        json.dumps(
            {"fan_out": fan, "shop_polls": polls, "simulated": sim, "memory": mem}, separators=(",", ":")
        )
    )


if __name__ == "__main__":
    main()
