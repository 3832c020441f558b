"""A respond instance's catalog indexes stay within CATALOG_CACHE_MB: least recently used shops
are evicted by measured bytes, and a shop just served is kept."""

from __future__ import annotations

import tracemalloc

import pytest

from shared.cache import ByteLRU, deep_size
from shared.clients import reset_clients
from shared.conversation import catalog_index
from shared.conversation.catalog_index import CatalogIndex, CatalogItem


def index_of(tenant: str, items: int) -> CatalogIndex:
    index = CatalogIndex(tenant)
    for n in range(items):
        index.put(
            CatalogItem(
                sku=f"{tenant}-SKU-{n:05d}",
                name=f"Cotton shirt model {n} blue",
                category=f"shirts-{n % 20}",
                price_minor=1000 + n,
                stock=n % 30,
            )
        )
    return index


def test_deep_size_is_close_to_what_dropping_the_index_frees() -> None:
    import gc

    index_of("warm-up", 50)  # module caches (word folding, concept tables) filled before measuring
    tracemalloc.start()
    index = index_of("shop", 2000)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    measured = deep_size(index)
    del index
    gc.collect()
    freed = held - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert 0.8 * freed <= measured <= 1.25 * freed, (measured, freed)


def test_shared_objects_are_counted_once() -> None:
    text = "x" * 10_000
    assert deep_size([text, text]) < deep_size([text, "y" * 10_000])


def test_least_recently_used_shops_go_first_once_over_the_bound() -> None:
    sizes = {"a": 40, "b": 40, "c": 40}
    cache: ByteLRU[str, str] = ByteLRU(100, sizer=lambda v: sizes[v])
    cache["a"], cache["b"] = "a", "b"
    assert cache.get("a") == "a"  # a is now the most recently used
    cache["c"] = "c"
    assert "b" not in cache and "a" in cache and "c" in cache
    assert cache.bytes == 80 and cache.evictions == 1


def test_an_entry_bigger_than_the_bound_is_kept_alone() -> None:
    cache: ByteLRU[str, int] = ByteLRU(10, sizer=lambda v: v)
    cache["small"] = 5
    cache["huge"] = 50
    assert list(cache) == ["huge"] and cache.get("huge") == 50


def test_replacing_an_entry_re_measures_it() -> None:
    cache: ByteLRU[str, int] = ByteLRU(100, sizer=lambda v: v)
    cache["a"] = 30
    cache["a"] = 60
    assert cache.bytes == 60 and cache.size_of("a") == 60


def test_the_instance_cache_of_catalog_indexes_is_bounded_by_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CATALOG_CACHE_MB", "16")
    reset_clients()
    catalog_index.forget_indexes()
    try:
        one_shop = deep_size(index_of("probe", 1000))
        for n in range(40):  # ~40 shops of 1,000 items: several times the bound
            catalog_index._indexes[f"shop-{n}"] = index_of(f"shop-{n}", 1000)
        assert catalog_index._indexes.bytes <= 16 * 2**20
        # As many shops as fit, give or take the few bytes their ids differ by.
        assert abs(len(catalog_index._indexes) - 16 * 2**20 // one_shop) <= 1
        assert "shop-39" in catalog_index._indexes and "shop-0" not in catalog_index._indexes
    finally:
        catalog_index.forget_indexes()
