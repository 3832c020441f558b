"""Clients created lazily, once per instance, and reused (nothing connects at import time).

Heavy SDKs are imported inside the factories so that a function's cold start pays only for the
clients it actually uses. Clients of SDKs that only one function needs (gspread, openai,
google-genai) live in that domain's package, declared with `per_instance`, so that the other
functions' bundles neither reach nor need those SDKs (tests/packaging checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from shared.settings import get_settings

if TYPE_CHECKING:
    import httpx
    from google.cloud import firestore, pubsub_v1  # type: ignore[attr-defined]


F = TypeVar("F", bound=Callable[..., Any])
_factories: list[Any] = []


def per_instance(factory: F) -> F:
    """Make `factory` create its client once per instance (per arguments) and reuse it."""
    cached = cache(factory)
    _factories.append(cached)
    return cached  # type: ignore[return-value]


@per_instance
def firestore_client() -> firestore.Client:
    """The Firestore client (the emulator when FIRESTORE_EMULATOR_HOST is set)."""
    from google.cloud import firestore

    return firestore.Client(project=get_settings().google_cloud_project)


@per_instance
def publisher() -> pubsub_v1.PublisherClient:
    """The Pub/Sub publisher. A 5 ms batching window keeps the webhook's answer fast."""
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    batch = pubsub_v1.types.BatchSettings(max_messages=100, max_bytes=1_000_000, max_latency=0.005)
    return pubsub_v1.PublisherClient(batch_settings=batch)


@per_instance
def subscriber() -> pubsub_v1.SubscriberClient:
    """The Pub/Sub subscriber, used by analytics_rollup to pull batches."""
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    return pubsub_v1.SubscriberClient()


@per_instance
def http_client() -> httpx.Client:
    """A pooled HTTP client with explicit timeouts, for provider APIs without their own SDK."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0), follow_redirects=False)


def reset_clients() -> None:
    """Forget every cached client (tests that change the environment call this)."""
    for factory in _factories:
        factory.cache_clear()
    get_settings.cache_clear()
