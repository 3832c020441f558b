"""Agent loop benchmark: tokens per request and the loop's own time per reply, per provider.

Each reply is a two-step tool conversation (the model searches the catalog, then answers with a
price from the result) through the real openai / google-genai SDKs against instant local
stand-ins, on a seeded catalog in the Firestore emulator. "Model time" is the time spent inside
the SDK calls (what a real model and the network add); the loop's overhead is the rest of the
reply: prompt building, token counting, tool-call validation, the tools' live reads, grounding
and the provider stats the router records. Target: overhead <= 50 ms p50. Providers take turns
reply by reply so that a busy machine weighs on each alike; "cpu" is this process's CPU time per
reply (the loop, the SDK and the gRPC client), which other processes' load does not inflate.

    python bench/agent.py [--start] [--items 2000] [--replies 30]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from contextlib import ExitStack
from typing import Any

from _stack import percentiles, stack
from respond import catalog, seed

from tests.standins import (
    Call,
    GeminiStandIn,
    OpenAIStandIn,
    Say,
    StandIn,
    gemini_tool_results,
    openai_tool_results,
)

QUESTIONS = [
    "how much is the denim jacket?",
    "do you have a black cotton shirt?",
    "price of a red wool scarf?",
]


def script(api: StandIn) -> list[Any]:
    read = openai_tool_results if isinstance(api, OpenAIStandIn) else gemini_tool_results

    def answer(body: Any) -> Say:
        found = read(body)[-1]["items"]
        return Say(
            f"The {found[0]['name']} is {found[0]['price']}." if found else "Nothing like that, sorry."
        )

    return [lambda body: Call(("search_catalog", {"query": "denim jacket"})), answer]


class Measure:
    """One provider's figures over the run."""

    def __init__(self) -> None:
        self.total: list[float] = []
        self.model: list[float] = []
        self.overhead: list[float] = []
        self.cpu: list[float] = []
        self.tokens: list[int] = []
        self.steps = 0
        self.grounded = 0

    def summary(self) -> dict[str, Any]:
        return {
            "replies": len(self.total),
            "grounded": self.grounded,
            "steps": self.steps,
            "tokens_max": max(self.tokens, default=0),
            "total": percentiles(self.total),
            "model": percentiles(self.model),
            "overhead": percentiles(self.overhead),
            "cpu": percentiles(self.cpu),
        }


def reply_once(provider: str, api: StandIn, tenant_id: str, n: int, measure: Measure | None) -> None:
    """One two-step reply through `provider`; its figures go to `measure` (None: a warm-up)."""
    from shared.agent.backend import LiveBackend
    from shared.agent.loop import AgentTurn, run_agent
    from shared.storage import utcnow
    from shared.tenants import get_tenant

    api.script = script(api)
    turn = AgentTurn(text=QUESTIONS[n % len(QUESTIONS)], intent="product")
    today = utcnow().date()
    backend = LiveBackend(tenant_id, f"1555{n:07d}", f"1555{n:07d}", None, today)
    providers = PROVIDERS[provider]
    started, cpu_started = time.perf_counter(), time.process_time()
    reply = run_agent(
        get_tenant(tenant_id),
        providers,
        turn,
        inbound_id=f"wamid.{provider}{n}",
        backend=backend,
        today=today,
    )
    total_ms, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
    if measure is None or reply is None or reply.routed is None or reply.routed.reply is None:
        return
    model_ms = reply.routed.reply.latency_ms
    measure.total.append(total_ms)
    measure.model.append(model_ms)
    measure.overhead.append(total_ms - model_ms)
    measure.cpu.append(cpu_ms)
    measure.tokens.append(reply.max_request_tokens)
    measure.steps = max(measure.steps, reply.steps)
    measure.grounded += reply.text is not None


PROVIDERS: dict[str, Any] = {}


def main() -> None:
    from pydantic import SecretStr

    from shared.providers.registry import configured_providers
    from shared.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", action="store_true", help="start a stack on TEST_PORT_BASE ports first")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--replies", type=int, default=30)
    args = parser.parse_args()
    measures = {"openai": Measure(), "gemini": Measure(), "deepseek": Measure()}
    apis: dict[str, StandIn] = {
        "openai": OpenAIStandIn(),
        "gemini": GeminiStandIn(),
        "deepseek": OpenAIStandIn(),
    }
    with stack(args.start), ExitStack() as running:
        tenant_id = f"bench-agent-{uuid.uuid4().hex[:6]}"
        seed_s = seed(tenant_id, catalog(args.items))
        for name, api in apis.items():
            running.enter_context(api.running())
            base = api.url if name == "gemini" else f"{api.url}/v1"
            settings = Settings(**{f"{name}_api_key": SecretStr("k"), f"{name}_base_url": base})
            PROVIDERS[name] = configured_providers(settings)
        # Providers take turns reply by reply, so that the machine's load weighs on each alike.
        for n in range(args.replies + 2):  # the first two warm the SDK clients, index and tokenizer
            for name, api in apis.items():
                reply_once(name, api, tenant_id, n, measures[name] if n >= 2 else None)
    figures = {name: m.summary() for name, m in measures.items()}
    print(f"catalog: {args.items} items seeded in {seed_s:.1f} s; {args.replies} replies per provider")
    header = f"{'provider':<10}{'steps':>6}{'tokens max':>12}{'total p50':>11}{'model p50':>11}"
    print(header + f"{'overhead p50':>14}{'p95':>8}{'cpu p50':>9}  target")
    for provider, f in figures.items():
        print(
            f"{provider:<10}{f['steps']:>6}{f['tokens_max']:>12}{f['total']['p50']:>11}{f['model']['p50']:>11}"
            f"{f['overhead']['p50']:>14}{f['overhead']['p95']:>8}{f['cpu']['p50']:>9}"
            "  overhead p50 <= 50 ms, tokens <= 2000"
        )
    print(
        json.dumps(
            {
                "bench": "agent",
                "items": args.items,
                **{
                    f"{p}_{k}": v
                    for p, f in figures.items()
                    for k, v in {
                        "tokens_max": f["tokens_max"],
                        "overhead_ms_p50": f["overhead"]["p50"],
                        "overhead_ms_p95": f["overhead"]["p95"],
                        "model_ms_p50": f["model"]["p50"],
                        "cpu_ms_p50": f["cpu"]["p50"],
                        "grounded": f["grounded"],
                        "replies": f["replies"],
                    }.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
