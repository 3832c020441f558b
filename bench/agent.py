"""Agent loop benchmark: tokens per request and the loop's own time per reply, per provider.

Each reply is a two-step tool conversation (the model searches the catalog, then answers with a
price from the result) through the real openai / google-genai SDKs against instant local
stand-ins, on a seeded catalog in the Firestore emulator. "Model time" is the time spent inside
the SDK calls (what a real model and the network add); the loop's overhead is the rest of the
reply: prompt building, token counting, tool-call validation, the tools' live reads, grounding
and the provider stats the router records. Target: overhead <= 50 ms p50.

    python bench/agent.py [--start] [--items 2000] [--replies 30]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
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


def run(provider: str, api: StandIn, tenant_id: str, replies: int) -> dict[str, Any]:
    from pydantic import SecretStr

    from shared.agent.backend import LiveBackend
    from shared.agent.loop import AgentTurn, run_agent
    from shared.providers.registry import configured_providers
    from shared.settings import Settings
    from shared.storage import utcnow
    from shared.tenants import get_tenant

    base = f"{api.url}/v1" if provider != "gemini" else api.url
    settings = Settings(**{f"{provider}_api_key": SecretStr("k"), f"{provider}_base_url": base})
    providers = configured_providers(settings)
    tenant = get_tenant(tenant_id)
    totals, model, overhead, tokens, steps, grounded = [], [], [], [], [], 0
    for n in range(replies + 2):  # the first two warm the SDK client, the index and the tokenizer
        api.script = script(api)
        text = QUESTIONS[n % len(QUESTIONS)]
        turn = AgentTurn(text=text, intent="product")
        backend = LiveBackend(tenant_id, f"1555{n:07d}", f"1555{n:07d}", None, utcnow().date())
        started = time.perf_counter()
        reply = run_agent(
            tenant, providers, turn, inbound_id=f"wamid.bench{n}", backend=backend, today=utcnow().date()
        )
        total_ms = (time.perf_counter() - started) * 1000
        if n < 2 or reply is None or reply.routed is None or reply.routed.reply is None:
            continue
        model_ms = reply.routed.reply.latency_ms
        totals.append(total_ms)
        model.append(model_ms)
        overhead.append(total_ms - model_ms)
        tokens.append(reply.max_request_tokens)
        steps.append(reply.steps)
        grounded += reply.text is not None
    return {
        "replies": len(totals),
        "grounded": grounded,
        "steps": max(steps) if steps else 0,
        "tokens_max": max(tokens) if tokens else 0,
        "total": percentiles(totals),
        "model": percentiles(model),
        "overhead": percentiles(overhead),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", action="store_true", help="start a stack on TEST_PORT_BASE ports first")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--replies", type=int, default=30)
    args = parser.parse_args()
    figures: dict[str, dict[str, Any]] = {}
    with stack(args.start):
        tenant_id = f"bench-agent-{uuid.uuid4().hex[:6]}"
        seed_s = seed(tenant_id, catalog(args.items))
        apis = {"openai": OpenAIStandIn(), "gemini": GeminiStandIn(), "deepseek": OpenAIStandIn()}
        for provider, api in apis.items():
            with api.running():
                figures[provider] = run(provider, api, tenant_id, args.replies)
    print(f"catalog: {args.items} items seeded in {seed_s:.1f} s; {args.replies} replies per provider")
    header = f"{'provider':<10}{'steps':>6}{'tokens max':>12}{'total p50':>11}{'model p50':>11}"
    print(header + f"{'overhead p50':>14}{'p95':>8}  target")
    for provider, f in figures.items():
        print(
            f"{provider:<10}{f['steps']:>6}{f['tokens_max']:>12}{f['total']['p50']:>11}{f['model']['p50']:>11}"
            f"{f['overhead']['p50']:>14}{f['overhead']['p95']:>8}  overhead <= 50 ms, tokens <= 2000"
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
                        "grounded": f["grounded"],
                        "replies": f["replies"],
                    }.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
