"""Benchmark: sheet polls on the emulators, beside a naive rewrite-every-row baseline; push edit
-> Firestore listener latency; forecast error on held-out histories.

    .venv/bin/python bench/poll.py [--sizes 10000,100000] [--edits 50] [--histories 500]

Needs a running stack (`./emulator.sh start`, or any stack started with TEST_PORT_BASE): it reads
FIRESTORE_EMULATOR_HOST, PUBSUB_EMULATOR_HOST, and SHEET_PUSH_PORT, defaulting
to the local ports; takes about 4 minutes. For each size it writes a CSV sheet, then measures
with the code the function runs (`shared.sheets.poll.poll_tenant`): the first import; an
unchanged re-poll (version check); an unchanged re-poll forced through the content hashes; a
re-poll after 1% of the rows had their price edited; and the naive baseline (read, interpret and
rewrite every row's catalog document, through the same writer). The diff figure is state read +
file read + hash-state load + diff of the 1% poll; its peak memory is measured separately with
tracemalloc. Push latency: an edit saved to the sheet file, a signed POST to the served push
function, until an `on_snapshot` listener sees the new price. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for key, value in {
    "GOOGLE_CLOUD_PROJECT": "demo-wacrm",
    "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
    "PUBSUB_EMULATOR_HOST": "127.0.0.1:8085",
    # The emulator has no 500/50/5 ramp-up to respect; both the poll and the baseline use this.
    "SHEET_WRITE_OPS_PER_SECOND": "20000",
    "LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(key, value)

import httpx  # noqa: E402

from shared.catalog.columns import map_headers  # noqa: E402
from shared.catalog.diff import diff_rows  # noqa: E402
from shared.catalog.documents import catalog_doc  # noqa: E402
from shared.catalog.rows import Context  # noqa: E402
from shared.forecasting.evaluation import evaluate, held_out_histories  # noqa: E402
from shared.sheets.file_source import FileSource  # noqa: E402
from shared.sheets.poll import poll_tenant  # noqa: E402
from shared.sheets.push import SIGNATURE_HEADER, push_secret, sign  # noqa: E402
from shared.sheets.state import load_rows  # noqa: E402
from shared.sheets.writer import commit  # noqa: E402
from shared.storage import tenant_collection, utcnow  # noqa: E402
from shared.tenants import TenantConfig, save_tenant  # noqa: E402

HEADERS = ["SKU", "Name", "Category", "Price (USD)", "Stock", "Description"]
CATEGORIES = ["Jackets", "Shirts", "Shoes", "Bags", "Home", "Beauty", "Kids", "Accessories"]


def sheet_rows(n: int, rng: random.Random) -> list[list[str]]:
    return [
        [
            f"SKU-{i:06d}",
            f"Product {i} {rng.choice(['Classic', 'Slim', 'Organic', 'Café', 'Deluxe'])}",
            rng.choice(CATEGORIES),
            f"${rng.randint(1, 2000)}.{rng.randint(0, 99):02d}",
            rng.choice([str(rng.randint(0, 200)), "5 left", "10+", "", "out of stock"]),
            "A product description of moderate length, as shops write them.",
        ]
        for i in range(n)
    ]


def write_sheet(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, (time.perf_counter() - started) * 1000


def naive_rewrite(tenant_id: str, path: Path) -> tuple[int, float]:
    """The baseline: read, interpret every row, rewrite every catalog document."""
    started = time.perf_counter()
    table = FileSource(str(path)).read()
    now = utcnow()
    result = diff_rows(table.rows, map_headers(table.headers), {}, Context("USD", 5, now.date()))
    catalog = tenant_collection(tenant_id, "catalog")
    writes = [
        (catalog.document(i.row.sku), catalog_doc(i.row, sheet_id="naive", now=now), False)
        for i in result.to_write
        if i.row is not None
    ]
    written = commit(writes, [])
    return written, (time.perf_counter() - started) * 1000


def diff_peak_mb(tenant_id: str, sheet_id: str, path: Path) -> float:
    """Peak Python memory of the diff step alone (read + hash state + diff)."""
    tracemalloc.start()
    table = FileSource(str(path)).read()
    previous = load_rows(tenant_id, sheet_id)
    diff_rows(table.rows, map_headers(table.headers), previous, Context("USD", 5, utcnow().date()))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def bench_size(n: int, workdir: Path) -> dict[str, float]:
    rng = random.Random(n)
    tenant_id = f"bench-poll-{n}-{uuid.uuid4().hex[:6]}"
    path = workdir / f"sheet-{n}.csv"
    rows = sheet_rows(n, rng)
    write_sheet(path, rows)
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"file:{path}"))

    first = poll_tenant(tenant_id, reason="bench")
    unchanged = poll_tenant(tenant_id, reason="bench")
    forced = poll_tenant(tenant_id, force=True, reason="bench")
    for index in rng.sample(range(n), n // 100):
        rows[index][3] = f"${rng.randint(1, 2000)}.{rng.randint(0, 99):02d}"
    write_sheet(path, rows)
    changed = poll_tenant(tenant_id, reason="bench")
    peak = diff_peak_mb(tenant_id, changed.sheet_id, path)
    naive_written, naive_ms = naive_rewrite(tenant_id, path)
    diff_ms = sum(changed.phases_ms.get(k, 0.0) for k in ("state", "version", "read", "load_hashes", "diff"))
    return {
        "rows": n,
        "first_ms": first.duration_ms,
        "first_written": first.written,
        "unchanged_ms": unchanged.duration_ms,
        "unchanged_written": unchanged.written,
        "forced_unchanged_ms": forced.duration_ms,
        "forced_unchanged_written": forced.written,
        "changed_rows": changed.changed,
        "changed_ms": changed.duration_ms,
        "changed_written": changed.written,
        "diff_ms": round(diff_ms, 1),
        "diff_peak_mb": round(peak, 1),
        "naive_ms": round(naive_ms, 1),
        "naive_written": naive_written,
        "speedup_vs_naive": round(naive_ms / changed.duration_ms, 1),
    }


def bench_push(edits: int, workdir: Path) -> dict[str, float]:
    port = os.environ.get("SHEET_PUSH_PORT", "8083")
    url = f"http://127.0.0.1:{port}/"
    tenant_id = f"bench-push-{uuid.uuid4().hex[:6]}"
    path = workdir / "push.csv"
    rows = sheet_rows(50, random.Random(1))
    write_sheet(path, rows)
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"file:{path}"))
    poll_tenant(tenant_id)
    secret = push_secret(tenant_id)  # the shop's own secret
    seen: dict[int, float] = {}
    lock = threading.Condition()

    def on_snapshot(snapshots, _changes, _read_time) -> None:
        with lock:
            for snap in snapshots:
                seen.setdefault(snap.to_dict()["price_minor"], time.perf_counter())
            lock.notify_all()

    watch = tenant_collection(tenant_id, "catalog").document("SKU-000007").on_snapshot(on_snapshot)
    latencies: list[float] = []
    client = httpx.Client(timeout=30)
    try:
        for edit in range(edits):
            price_minor = 100_000 + edit
            rows[7][3] = f"${price_minor // 100}.{price_minor % 100:02d}"
            started = time.perf_counter()
            write_sheet(path, rows)
            body = json.dumps(
                {"tenant": tenant_id, "edited_rows": [9], "event_id": uuid.uuid4().hex}
            ).encode()
            response = client.post(url, content=body, headers={SIGNATURE_HEADER: sign(body, secret)})
            response.raise_for_status()
            with lock:
                lock.wait_for(lambda p=price_minor: p in seen, timeout=10)
            if price_minor in seen:
                latencies.append((seen[price_minor] - started) * 1000)
            time.sleep(0.05)
    finally:
        watch.unsubscribe()
        client.close()
    latencies.sort()
    return {
        "edits": edits,
        "seen": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 1),
        "max_ms": round(latencies[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--histories", type=int, default=500)
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(f"{'rows':>7} | {'first import':>19} | {'unchanged':>14} | {'forced unchanged':>16} | "
              f"{'1% changed':>17} | {'diff ms/MB':>11} | {'naive rewrite':>19} | speed-up")  # fmt: skip
        for size in (int(s) for s in args.sizes.split(",")):
            r = bench_size(size, workdir)
            figures[f"poll_{size}"] = r
            print(
                f"{size:>7} | {r['first_ms']:>9.0f} ms {r['first_written']:>6} w | "
                f"{r['unchanged_ms']:>6.0f} ms {r['unchanged_written']:>3} w | "
                f"{r['forced_unchanged_ms']:>7.0f} ms {r['forced_unchanged_written']:>3} w | "
                f"{r['changed_ms']:>7.0f} ms {r['changed_written']:>4} w | "
                f"{r['diff_ms']:>5.0f}/{r['diff_peak_mb']:>4.0f} | "
                f"{r['naive_ms']:>9.0f} ms {r['naive_written']:>6} w | {r['speedup_vs_naive']:>6.1f}x"
            )
        push = bench_push(args.edits, workdir)
        figures["push"] = push
        print(
            f"push edit -> on_snapshot: p50 {push['p50_ms']} ms, p95 {push['p95_ms']} ms, "
            f"max {push['max_ms']} ms ({push['seen']}/{push['edits']} seen)"
        )
    forecast = evaluate(held_out_histories(args.histories))
    figures["forecast"] = forecast
    print(
        f"forecast on {int(forecast['histories'])} held-out histories: MAE {forecast['mae_days']} days "
        f"vs naive last-rate {forecast['naive_mae_days']} days ({forecast['improvement']:.0%} lower)"
    )
    figures["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures, separators=(",", ":")))


if __name__ == "__main__":
    main()
