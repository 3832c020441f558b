"""Answer quality: the labelled eval set through the offline pipeline, per language and overall.

    .venv/bin/python bench/answers.py            # every dialogue of tests/data/eval/
    .venv/bin/python bench/answers.py --lang pt  # one language
    .venv/bin/python bench/answers.py --show     # also print every missed turn

Each shop's sheet (`tests/data/eval/shops/<shop>/catalog.csv`, its own headers, currency and
decimal habits) is read by the sheet poller's own row interpreter, its Info tab from
`catalog.info.csv`; each dialogue runs turn by turn through `understand -> decide -> word` with
the dialogue state carried over and the clock set to the dialogue's `now`. No emulator.

Figures per language: intent accuracy; item recall@3 (labelled SKUs among the first three items
the reply states); constraint/attribute accuracy (price limits, sort, attribute, quantity, date,
time, Info topic: each labelled field compared); reply-language accuracy; grounding violations
(replies that fail `check_reply` against the facts they were written from); p50/p95 time per
message. Targets (issue 9): intent >= 92%, recall@3 >= 92%, language >= 97%, 0 violations, in
every language. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.catalog.columns import map_headers  # noqa: E402
from shared.catalog.rows import Context, interpret_row  # noqa: E402
from shared.conversation.facts import InfoEntry, Slot  # noqa: E402
from shared.conversation.grounding import check_reply  # noqa: E402
from shared.conversation.pipeline import Shop, respond  # noqa: E402
from shared.conversation.retrieval import CatalogIndex, CatalogItem, build_index  # noqa: E402
from shared.conversation.state import DialogueState  # noqa: E402
from shared.i18n.catalog import LANGUAGES, language_of  # noqa: E402
from shared.sheets.file_source import FileSource  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval"


@dataclass
class ShopData:
    shop: Shop
    index: CatalogIndex
    slots: list[Slot]
    info: list[InfoEntry]


@dataclass
class Tally:
    turns: int = 0
    intent_ok: int = 0
    recall_sum: float = 0.0
    recall_n: int = 0
    fields_ok: int = 0
    fields_n: int = 0
    lang_ok: int = 0
    violations: int = 0
    times_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.turns += other.turns
        self.intent_ok += other.intent_ok
        self.recall_sum += other.recall_sum
        self.recall_n += other.recall_n
        self.fields_ok += other.fields_ok
        self.fields_n += other.fields_n
        self.lang_ok += other.lang_ok
        self.violations += other.violations
        self.times_ms += other.times_ms

    def figures(self) -> dict[str, Any]:
        def pct(a: float, b: int) -> float | None:
            return round(100 * a / b, 1) if b else None

        times = sorted(self.times_ms)
        return {
            "turns": self.turns,
            "intent_pct": pct(self.intent_ok, self.turns),
            "recall3_pct": pct(self.recall_sum, self.recall_n),
            "fields_pct": pct(self.fields_ok, self.fields_n),
            "language_pct": pct(self.lang_ok, self.turns),
            "grounding_violations": self.violations,
            "p50_ms": round(statistics.median(times), 2) if times else None,
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2) if times else None,
        }


def load_shop(shop_id: str, meta: dict[str, Any], now: datetime) -> ShopData:
    folder = EVAL / "shops" / shop_id
    lang = meta.get("lang") or language_of(meta.get("locale"))
    table = FileSource(str(folder / "catalog.csv")).read()
    header = map_headers(table.headers, language=lang)
    ctx = Context(
        currency=meta["currency"],
        low_stock_threshold=5,
        today=now.date(),
        locale=meta["locale"],
        language=lang,
        now=now.replace(tzinfo=None),
    )
    items: list[CatalogItem] = []
    slots: list[Slot] = []
    for number, cells in table.rows:
        got = interpret_row(cells, header, row_number=number, content_hash="", ctx=ctx)
        if got.row is None:
            continue
        row = got.row
        items.append(
            CatalogItem(
                sku=row.sku,
                name=row.name,
                category=row.category,
                price_minor=row.price_minor,
                currency=row.currency,
                stock=row.stock,
                status=row.status,
                active=row.active,
                kind=row.kind,
                description=row.description,
                tags=tuple(row.tags),
                restock_date=row.restock_date,
                row=number,
            )
        )
        slots += [Slot(s.slot_id, s.sku, s.date, s.start, s.free) for s in got.slots if s.free > 0]
    info: list[InfoEntry] = []
    info_file = folder / "catalog.info.csv"
    ids = {label: topic_id for topic_id, label in (meta.get("info_topics") or {}).items()}
    if info_file.exists():
        rows = FileSource(str(info_file)).read()
        for _, cells in rows.rows:
            if len(cells) >= 2 and cells[0].strip() and cells[1].strip():
                label = cells[0].strip()
                info.append(InfoEntry(ids.get(label, label.lower()), label, cells[1].strip()))
    shop = Shop(str(meta.get("name") or shop_id), meta["locale"], meta["currency"])
    clock = now.strftime("%H:%M")
    today = now.date().isoformat()
    future = [s for s in slots if s.date > today or (s.date == today and s.start > clock)]
    return ShopData(shop, build_index(shop_id, items), future, info)


def run_dialogue(dialogue: dict[str, Any], shops: dict[str, Any], show: bool) -> Tally:
    now = datetime.fromisoformat(dialogue["now"])
    data = load_shop_cached(dialogue["shop"], shops[dialogue["shop"]], now)
    state = DialogueState()
    tally = Tally()
    for turn in dialogue["turns"]:
        started = time.perf_counter()
        reply = respond(
            turn["text"], state, data.index, now, shop=data.shop, slots=data.slots, info=data.info
        )
        tally.times_ms.append((time.perf_counter() - started) * 1000)
        u, plan = reply.understanding, reply.plan
        state = plan.state
        tally.turns += 1
        ok_intent = u.intent == turn["intent"]
        tally.intent_ok += ok_intent
        tally.lang_ok += u.language == turn.get("lang")
        notes = []
        if not ok_intent:
            notes.append(f"intent {u.intent} != {turn['intent']}")
        if u.language != turn.get("lang"):
            notes.append(f"lang {u.language} != {turn.get('lang')}")
        wanted = turn.get("items") or []
        if wanted:
            top = list(plan.quoted[:3])
            hit = len(set(wanted) & set(top)) / len(wanted)
            tally.recall_sum += hit
            tally.recall_n += 1
            if hit < 1:
                notes.append(f"items {top} vs {wanted}")
        for key, expected, got in _fields(turn, u, data):
            tally.fields_n += 1
            if expected == got:
                tally.fields_ok += 1
            else:
                notes.append(f"{key} {got!r} != {expected!r}")
        quoted = [data.index.items[s] for s in plan.quoted if s in data.index.items]
        quotes = [str(v) for line in plan.lines for k, v in line.params.items() if k in ("answer", "quote")]
        check = check_reply(
            reply.message.text, quoted, slot_times=plan.slot_times, amounts=plan.amounts, quotes=quotes
        )
        if not check.grounded:
            tally.violations += 1
            notes.append(f"grounding {check.problems[:2]}")
        if notes:
            line = f"{dialogue['id']} {turn['text']!r}: " + "; ".join(notes)
            tally.misses.append(line)
            if show:
                print(line)
                print("    " + reply.message.text.replace("\n", "\n    "))
    return tally


def _fields(turn: dict[str, Any], u: Any, data: ShopData) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    for key, expected in (turn.get("constraints") or {}).items():
        got = {
            "max_price_minor": u.max_price_minor,
            "min_price_minor": u.min_price_minor,
            "sort": u.sort,
        }.get(key)
        out.append((key, expected, got))
    if "attribute" in turn:
        out.append(("attribute", turn["attribute"], u.attribute))
    if "quantity" in turn:
        out.append(("quantity", turn["quantity"], u.quantity))
    if "date" in turn:
        out.append(("date", turn["date"], u.date.isoformat() if u.date else None))
    if "time" in turn:
        out.append(("time", turn["time"], u.time))
    if "info_topic" in turn:
        out.append(
            ("info_topic", turn["info_topic"], u.info_topic or (u.info_asked[0] if u.info_asked else None))
        )
    return out


_shops: dict[tuple[str, str], ShopData] = {}


def load_shop_cached(shop_id: str, meta: dict[str, Any], now: datetime) -> ShopData:
    key = (shop_id, now.isoformat())
    if key not in _shops:
        _shops[key] = load_shop(shop_id, meta, now)
    return _shops[key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=LANGUAGES, action="append")
    parser.add_argument("--show", action="store_true", help="print every missed turn with its reply")
    args = parser.parse_args()
    shops = json.loads((EVAL / "shops" / "index.json").read_text(encoding="utf-8"))
    # A warm instance: the language model loaded (as after an instance's first reply), so that
    # the figures do not depend on when its background load happens to finish.
    from shared.conversation.language import wait_loaded, warm_up

    warm_up()
    wait_loaded(120)
    per_lang: dict[str, Tally] = defaultdict(Tally)
    for lang in args.lang or LANGUAGES:
        path = EVAL / "dialogues" / f"{lang}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                per_lang[lang].add(run_dialogue(json.loads(line), shops, args.show))
    total = Tally()
    for tally in per_lang.values():
        total.add(tally)
    rows = {**{lang: t.figures() for lang, t in per_lang.items()}, "all": total.figures()}
    print(f"{'lang':<5} {'turns':>5} {'intent':>7} {'recall@3':>8} {'fields':>7} {'language':>8} "
          f"{'viol.':>5} "
          f"{'p50 ms':>7} {'p95 ms':>7}")  # fmt: skip
    for lang, f in rows.items():
        print(
            f"{lang:<5} {f['turns']:>5} {_pct(f['intent_pct']):>7} {_pct(f['recall3_pct']):>8} "
            f"{_pct(f['fields_pct']):>7} {_pct(f['language_pct']):>8} {f['grounding_violations']:>5} "
            f"{f['p50_ms']:>7} {f['p95_ms']:>7}"
        )
    print(json.dumps({"answers": rows}, separators=(",", ":")))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


if __name__ == "__main__":
    main()
