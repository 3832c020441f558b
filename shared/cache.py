"""A dict-like LRU bounded by bytes, for per-instance caches whose entries differ in size by
orders of magnitude (a 20-item catalog index and a 10,000-item one).

    indexes: ByteLRU[str, CatalogIndex] = ByteLRU(lambda: 256 * 2**20)
    indexes["demo"] = index        # measured once, when stored; least recently used evicted
    indexes.get("demo")            # a hit moves it to the front

An entry is measured when it is stored (`deep_size`: the objects reachable from it, counted
once each), so a store costs one walk of the entry: for a 10,000-item index about as long as a
small fraction of its load from Firestore. An entry bigger than the whole bound is kept alone
(evicting everything else) rather than refused, so the caller's next read still hits.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from types import FunctionType, ModuleType
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
_SHARED = (type, ModuleType, FunctionType)
# Py_TPFLAGS_MANAGED_DICT (Python 3.11+): an instance's attribute values live in an array of
# (n + 2, rounded up to 8) bytes of prefix and 8 bytes a value, which getsizeof leaves out.
_MANAGED_DICT = 1 << 4


def deep_size(obj: Any) -> int:
    """Bytes of `obj` and of every object reachable from it (classes, modules and functions
    excepted), each counted once: what dropping the last reference to `obj` could free."""
    seen: set[int] = set()
    stack = [obj]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, _SHARED):
            continue
        seen.add(id(item))
        referents = gc.get_referents(item)
        total += sys.getsizeof(item)
        if type(item).__flags__ & _MANAGED_DICT:
            total += 9 * len(referents) + 16
        stack.extend(referents)
    return total


class ByteLRU(Generic[K, V]):
    """Least-recently-used entries evicted once their measured bytes exceed `max_bytes` (an int,
    or a callable read at each store, so a setting can be read lazily). Thread-safe."""

    def __init__(self, max_bytes: int | Callable[[], int], *, sizer: Callable[[Any], int] = deep_size):
        self._max_bytes = max_bytes
        self._sizer = sizer
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.evictions = 0

    @property
    def max_bytes(self) -> int:
        return self._max_bytes() if callable(self._max_bytes) else self._max_bytes

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return default
            self._entries.move_to_end(key)
            return hit[0]

    def __setitem__(self, key: K, value: V) -> None:
        size = self._sizer(value)  # outside the lock: the walk may take a while
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            limit = self.max_bytes
            while self.bytes > limit and len(self._entries) > 1:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
                self.evictions += 1

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[K]:
        return iter(list(self._entries))

    def pop(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            hit = self._entries.pop(key, None)
            if hit is None:
                return default
            self.bytes -= hit[1]
            return hit[0]

    def size_of(self, key: K) -> int | None:
        """The measured bytes of `key`'s entry, or None when it is not cached."""
        hit = self._entries.get(key)
        return hit[1] if hit else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0
