"""The project-wide budget every Google Sheets and Drive call draws from.

    draw_for_url(url)                      # the gspread client calls this before every request
    with call_priority("push"): ...        # a pushed edit's calls go first
    budget().acquire("sheets", 2, max_wait_s=0)   # reserve before starting a read
    budget().throttled("sheets", 30)       # Google said 429, Retry-After: 30

Backends (`QUOTA_BACKEND`): `firestore` (the deployment: `quota/{api}/shards/{i}` documents,
one transaction per grant, shared by every instance of every function) or `process` (one
process's own bucket: the CLI, a laptop without the emulators). Why Firestore shards rather
than a Cloud Tasks queue whose dispatch rate is the quota: a queue paces *tasks*, but one poll
makes one call when the sheet is unchanged and three when it changed, and a push or a CLI poll
calls outside any queue; a bucket charges each call where it is made, whoever makes it.

Each instance fetches tokens in small blocks (its demand of the last second) and may spend
them for `hold_s` seconds; unspent ones lapse, which wastes a little budget and never exceeds it
(the spec's rate already accounts for the hold, see bucket.py).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from shared.clients import per_instance
from shared.errors import TransientError
from shared.log import get_logger, log_event
from shared.quota.bucket import (
    WINDOW_S,
    BucketSpec,
    Priority,
    ShardState,
    in_debt,
    shards_for,
    take,
    wait_for,
)
from shared.settings import get_settings

logger = get_logger(__name__)
QUOTA = "quota"
_priority: ContextVar[Priority] = ContextVar("quota_priority", default="scheduled")
# Tokens reserved by this caller (a poll deciding whether it can afford a read): (bucket, expiry).
_credit: ContextVar[tuple[tuple[str, float], ...]] = ContextVar("quota_credit", default=())
DRIVE_PREFIX = "https://www.googleapis.com/drive/"
SHEETS_PREFIX = "https://sheets.googleapis.com/"


class QuotaExhausted(TransientError):
    """No token within the wait allowed: retry later (the call was not made)."""


@contextmanager
def call_priority(priority: Priority) -> Iterator[None]:
    """Calls made inside draw at `priority` (pushed edits: "push")."""
    token = _priority.set(priority)
    try:
        yield
    finally:
        _priority.reset(token)


def bucket_for_url(url: str) -> str | None:
    """Which budget a Google API URL draws from: "drive", "sheets", or None (e.g. OAuth)."""
    if url.startswith(DRIVE_PREFIX):
        return "drive"
    if url.startswith(SHEETS_PREFIX):
        return "sheets"
    return None


class ShardStore(Protocol):
    def take(
        self, bucket: str, shard: int, spec: BucketSpec, now: float, want: int, priority: Priority
    ) -> tuple[int, float]:
        """Grant up to `want` tokens from one shard; returns (granted, seconds until one more)."""
        ...

    def debt(self, bucket: str, spec: BucketSpec, now: float, retry_after_s: float) -> None: ...

    def states(self, bucket: str, spec: BucketSpec) -> list[ShardState]: ...


class ProcessStore:
    """The shards in this process's memory (QUOTA_BACKEND=process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shards: dict[tuple[str, int], ShardState] = {}

    def _get(self, bucket: str, shard: int, spec: BucketSpec, now: float) -> ShardState:
        return self._shards.get((bucket, shard)) or ShardState.full(spec, now)

    def take(
        self, bucket: str, shard: int, spec: BucketSpec, now: float, want: int, priority: Priority
    ) -> tuple[int, float]:
        with self._lock:
            granted, state = take(self._get(bucket, shard, spec, now), spec, now, want, priority)
            self._shards[(bucket, shard)] = state
            return granted, wait_for(state, spec, now, priority)

    def debt(self, bucket: str, spec: BucketSpec, now: float, retry_after_s: float) -> None:
        with self._lock:
            for shard in range(spec.shards):
                self._shards[(bucket, shard)] = in_debt(
                    self._get(bucket, shard, spec, now), spec, now, retry_after_s
                )

    def states(self, bucket: str, spec: BucketSpec) -> list[ShardState]:
        now = time.time()
        with self._lock:
            return [self._get(bucket, shard, spec, now) for shard in range(spec.shards)]


class FirestoreStore:
    """The shards as `quota/{bucket}/shards/{i}` documents, changed in transactions."""

    @staticmethod
    def _ref(bucket: str, shard: int) -> Any:
        from shared.clients import firestore_client

        return firestore_client().collection(QUOTA).document(bucket).collection("shards").document(str(shard))

    @staticmethod
    def _state(snap: Any, spec: BucketSpec, now: float) -> ShardState:
        data = snap.to_dict() if snap.exists else None
        return ShardState(**data) if data else ShardState.full(spec, now)

    def take(
        self, bucket: str, shard: int, spec: BucketSpec, now: float, want: int, priority: Priority
    ) -> tuple[int, float]:
        from google.cloud import firestore

        from shared.clients import firestore_client

        ref = self._ref(bucket, shard)

        @firestore.transactional
        def grant(transaction: Any) -> tuple[int, float]:
            state = self._state(ref.get(transaction=transaction), spec, now)
            granted, after = take(state, spec, now, want, priority)
            if granted:  # nothing granted: nothing to write (the refill is recomputed next time)
                transaction.set(ref, asdict(after))
            return granted, wait_for(after, spec, now, priority)

        try:
            return grant(firestore_client().transaction(max_attempts=3))
        except ValueError:  # the transaction lost to others three times: the shard is hot
            return 0, 0.05

    def debt(self, bucket: str, spec: BucketSpec, now: float, retry_after_s: float) -> None:
        from google.cloud import firestore

        from shared.clients import firestore_client

        for shard in range(spec.shards):
            ref = self._ref(bucket, shard)

            @firestore.transactional
            def owe(transaction: Any, ref: Any = ref) -> None:
                state = self._state(ref.get(transaction=transaction), spec, now)
                transaction.set(ref, asdict(in_debt(state, spec, now, retry_after_s)))

            owe(firestore_client().transaction())

    def states(self, bucket: str, spec: BucketSpec) -> list[ShardState]:
        from shared.clients import firestore_client

        now = time.time()
        refs = [self._ref(bucket, shard) for shard in range(spec.shards)]
        return [self._state(snap, spec, now) for snap in firestore_client().get_all(refs)]


@dataclass
class _Pool:
    """Tokens this instance holds for one bucket, each usable until its expiry."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    expiries: list[float] = field(default_factory=list)
    drawn_this_second: int = 0
    drawn_last_second: int = 0
    second: int = 0


class Budget:
    """The budgets of every Google API this deployment calls, drawn by this instance."""

    def __init__(
        self,
        store: ShardStore,
        specs: dict[str, BucketSpec],
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store, self.specs, self.clock, self.sleep = store, specs, clock, sleep
        self._pools = {name: _Pool() for name in specs}
        self.granted = dict.fromkeys(specs, 0)

    def _held(self, pool: _Pool, now: float) -> int:
        pool.expiries = [e for e in pool.expiries if e > now]
        return len(pool.expiries)

    def _block(self, pool: _Pool, spec: BucketSpec, need: int) -> int:
        """How many tokens to fetch: what is needed, or the last second's demand if more."""
        return int(max(need, min(pool.drawn_last_second, spec.capacity / 2)))

    def acquire(
        self,
        bucket: str,
        n: int = 1,
        *,
        max_wait_s: float,
        priority: Priority | None = None,
        spend: bool = False,
    ) -> bool:
        """Hold `n` tokens of `bucket` for this instance (fetching from the shards, waiting up to
        `max_wait_s`), and with `spend` use them at once; False when they could not be had in
        time (what was fetched stays held for the next caller)."""
        return self._obtain(bucket, n, max_wait_s=max_wait_s, priority=priority, take=spend) is not None

    def reserve(self, bucket: str, n: int, *, max_wait_s: float, priority: Priority | None = None) -> bool:
        """Set `n` tokens aside for this caller's next calls (the gspread hook spends them first),
        so that a poll that decided it can afford a read is not outrun by another thread."""
        taken = self._obtain(bucket, n, max_wait_s=max_wait_s, priority=priority, take=True)
        if taken is None:
            return False
        _credit.set(_credit.get() + tuple((bucket, expiry) for expiry in taken))
        return True

    def _obtain(
        self, bucket: str, n: int, *, max_wait_s: float, priority: Priority | None, take: bool
    ) -> list[float] | None:
        """Hold `n` tokens (and with `take`, remove them from the pool and return their expiries)."""
        spec, pool = self.specs[bucket], self._pools[bucket]
        level = priority or _priority.get()
        deadline = self.clock() + max_wait_s
        while True:
            with pool.lock:
                now = self.clock()
                if self._held(pool, now) < n:
                    wait = self._fetch(
                        bucket, spec, pool, now, self._block(pool, spec, n - self._held(pool, now)), level
                    )
                if self._held(pool, now) >= n:
                    taken: list[float] = []
                    if take:
                        taken, pool.expiries[:n] = pool.expiries[:n], []
                        self._count(pool, now, n)
                    return taken
            if now + wait > deadline:
                return None
            self.sleep(min(max(wait, 0.01), 1.0, max(deadline - now, 0.01)))

    @staticmethod
    def _count(pool: _Pool, now: float, n: int) -> None:
        second = int(now)
        if second != pool.second:
            pool.drawn_last_second = pool.drawn_this_second if second == pool.second + 1 else 0
            pool.drawn_this_second, pool.second = 0, second
        pool.drawn_this_second += n

    def _fetch(
        self, bucket: str, spec: BucketSpec, pool: _Pool, now: float, want: int, level: Priority
    ) -> float:
        """Take up to `want` tokens, trying up to three random shards; the shortest wait seen."""
        waits = []
        for shard in random.sample(range(spec.shards), min(3, spec.shards)):
            granted, wait = self.store.take(bucket, shard, spec, now, want, level)
            if granted:
                self.granted[bucket] += granted
                pool.expiries.extend([now + spec.hold_s] * granted)
                want -= granted
            waits.append(wait)
            if want <= 0:
                return 0.0
        return min(waits)

    def spend(self, bucket: str, *, max_wait_s: float) -> None:
        """Use one token: this caller's reserved one, else one held or fetched by the instance;
        QuotaExhausted if none comes in time."""
        now, credit = self.clock(), _credit.get()
        mine = next((i for i, (name, expiry) in enumerate(credit) if name == bucket and expiry > now), None)
        if mine is not None:
            _credit.set(tuple(c for i, c in enumerate(credit) if i != mine and c[1] > now))
            return
        if not self.acquire(bucket, 1, max_wait_s=max_wait_s, spend=True):
            raise QuotaExhausted(f"{bucket} budget exhausted for {max_wait_s:.0f} s, try again later")

    def throttled(self, bucket: str, retry_after_s: float) -> None:
        """Google answered 429: nobody in the deployment calls this API for `retry_after_s`."""
        pool = self._pools[bucket]
        with pool.lock:
            pool.expiries.clear()
        self.store.debt(bucket, self.specs[bucket], self.clock(), retry_after_s)
        log_event(logger, 30, "google api budget paused", bucket=bucket, retry_after_s=retry_after_s)

    def status(self, bucket: str) -> dict[str, float]:
        """The budget per minute and the tokens granted in the last whole minute (all instances)."""
        spec = self.specs[bucket]
        minute = int(self.clock() // WINDOW_S)
        achieved = 0
        for state in self.store.states(bucket, spec):
            if state.minute == minute:
                achieved += state.granted_last_minute
            elif state.minute == minute - 1:
                achieved += state.granted
        return {"per_minute": spec.per_minute, "shards": spec.shards, "achieved_last_minute": achieved}


def specs_from_settings() -> dict[str, BucketSpec]:
    settings = get_settings()
    return {
        name: BucketSpec(per_minute=per_minute, shards=shards_for(per_minute), hold_s=settings.quota_hold_s)
        for name, per_minute in (
            ("drive", settings.quota_drive_per_minute),
            ("sheets", settings.quota_sheets_per_minute),
        )
    }


@per_instance
def budget() -> Budget:
    """This instance's view of the project-wide budget (QUOTA_BACKEND chooses the store)."""
    store: ShardStore = FirestoreStore() if get_settings().quota_backend == "firestore" else ProcessStore()
    return Budget(store, specs_from_settings())


def draw_for_url(url: str) -> None:
    """Spend one token of the budget `url` belongs to (none for non-API URLs such as OAuth)."""
    bucket = bucket_for_url(url)
    if bucket is not None:
        budget().spend(bucket, max_wait_s=get_settings().quota_max_wait_s)


def throttled_for_url(url: str, retry_after: str | None) -> None:
    """Google answered 429 to `url` with Retry-After: pause its budget that long, for everyone
    (without the header the caller's own back-off applies)."""
    bucket = bucket_for_url(url)
    if bucket is not None and retry_after and retry_after.isdigit():
        budget().throttled(bucket, float(retry_after))
