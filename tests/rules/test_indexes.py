"""firestore.indexes.json declares every composite index the dashboard's queries need.

The emulator runs any query without indexes, so a missing one would only show in the cloud
(as a failed listener). Each dashboard query that filters on one field and orders by another
is found in the sources and must have its index declared.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "dashboard" / "src").rglob("*.js"))
BASE = re.compile(r"const base = `tenants/\$\{tenant\}/(\w+)`")
QUERY = re.compile(r"query\(collection\(db, base\),(?P<args>.*?)\),\n", re.S)
WHERE = re.compile(r'where\("(\w+)"')
ORDER = re.compile(r'orderBy\("(\w+)"(?:, "(asc|desc)")?\)')


def declared() -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    spec = json.loads((ROOT / "firestore.indexes.json").read_text())
    return {
        (i["collectionGroup"], tuple((f["fieldPath"], f["order"]) for f in i["fields"]))
        for i in spec["indexes"]
    }


def needed() -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    found = []
    for source in SOURCES:
        text = source.read_text()
        base = BASE.search(text)
        for query in QUERY.finditer(text):
            wheres = WHERE.findall(query["args"])
            orders = ORDER.findall(query["args"])
            fields = [(w, "ASCENDING") for w in wheres]
            fields += [
                (o, "DESCENDING" if d == "desc" else "ASCENDING") for o, d in orders if o not in wheres
            ]
            if base and wheres and orders and len(fields) > 1:
                found.append((base[1], tuple(fields)))
    return found


def test_the_dashboard_queries_are_found() -> None:
    # Guards the parser: the alerts view's queries filter on status and order by last_seen.
    assert ("alerts", (("status", "ASCENDING"), ("last_seen", "DESCENDING"))) in needed()


def test_every_composite_query_of_the_dashboard_has_its_index() -> None:
    missing = [q for q in needed() if q not in declared()]
    assert not missing, f"declare these in firestore.indexes.json: {missing}"


def test_the_index_file_is_what_the_firebase_cli_and_terraform_read() -> None:
    spec = json.loads((ROOT / "firestore.indexes.json").read_text())
    for index in spec["indexes"]:
        assert index["queryScope"] in ("COLLECTION", "COLLECTION_GROUP")
        assert len(index["fields"]) >= 2, "single-field indexes are automatic"
        for field in index["fields"]:
            assert field.get("order") in ("ASCENDING", "DESCENDING") or "arrayConfig" in field
    for override in spec.get("fieldOverrides", []):
        assert {"collectionGroup", "fieldPath"} <= override.keys()
