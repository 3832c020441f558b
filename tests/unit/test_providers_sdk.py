"""Each provider through its real SDK against a local stand-in of its API: answers, and every
fault is classified so the router falls back at once (no SDK retries, no long waits)."""

from __future__ import annotations

import time

import pytest

from shared.providers.base import ChatRequest, ProviderFailure
from shared.providers.gemini import Gemini
from shared.providers.openai_compat import OpenAICompatible
from tests.standins import GeminiStandIn, OpenAIStandIn

REQUEST = ChatRequest(system="be brief", messages=(("user", "<customer>hi</customer>"),))


@pytest.fixture(scope="module")
def openai_api():
    with OpenAIStandIn().running() as api:
        yield api


@pytest.fixture(scope="module")
def gemini_api():
    with GeminiStandIn().running() as api:
        yield api


@pytest.fixture(autouse=True)
def _reset(openai_api: OpenAIStandIn, gemini_api: GeminiStandIn):
    for api in (openai_api, gemini_api):
        api.mode, api.delay_s = "ok", 2.0
        api.requests.clear()


def openai_provider(api: OpenAIStandIn, name: str = "openai") -> OpenAICompatible:
    model = "deepseek-chat" if name == "deepseek" else "gpt-4o-mini"
    return OpenAICompatible(name, api_key="sk-test", model=model, base_url=f"{api.url}/v1", timeout_s=0.5)


def gemini_provider(api: GeminiStandIn) -> Gemini:
    return Gemini(api_key="g-test", model="gemini-2.0-flash", base_url=api.url, timeout_s=0.5)


def test_openai_answers_with_usage_and_cost(openai_api: OpenAIStandIn) -> None:
    reply = openai_provider(openai_api).complete(REQUEST)
    assert reply.text == "Hello from the stand-in."
    assert (reply.tokens_in, reply.tokens_out) == (412, 23)
    assert reply.cost_micros == round(412 * 0.15 + 23 * 0.60)
    path, headers, body = openai_api.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == "Bearer sk-test"
    assert body["messages"][0] == {"role": "system", "content": "be brief"}


def test_deepseek_uses_the_openai_sdk_with_its_base_url(openai_api: OpenAIStandIn) -> None:
    reply = openai_provider(openai_api, "deepseek").complete(REQUEST)
    assert (reply.provider, reply.model) == ("deepseek", "deepseek-chat")
    assert openai_api.requests[0][2]["model"] == "deepseek-chat"


def test_gemini_answers_through_google_genai(gemini_api: GeminiStandIn) -> None:
    reply = gemini_provider(gemini_api).complete(REQUEST)
    assert reply.text == "Hello from the stand-in."
    assert (reply.tokens_in, reply.tokens_out) == (398, 19)
    path, headers, body = gemini_api.requests[0]
    assert path.endswith("/models/gemini-2.0-flash:generateContent")
    assert headers.get("x-goog-api-key") == "g-test"
    assert body["systemInstruction"]["parts"][0]["text"] == "be brief"


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("429", "rate_limited"),
        ("500", "server"),
        ("timeout", "timeout"),
        ("garbage", "malformed"),
        ("empty", "malformed"),
    ],
)
@pytest.mark.parametrize("which", ["openai", "gemini"])
def test_faults_fail_fast_with_one_request(
    which: str, mode: str, kind: str, openai_api: OpenAIStandIn, gemini_api: GeminiStandIn
) -> None:
    api = openai_api if which == "openai" else gemini_api
    provider = openai_provider(openai_api) if which == "openai" else gemini_provider(gemini_api)
    api.mode = mode
    started = time.perf_counter()
    with pytest.raises(ProviderFailure) as failure:
        provider.complete(REQUEST)
    assert failure.value.kind == kind
    assert len(api.requests) == 1  # the SDK did not retry behind the router's back
    assert time.perf_counter() - started < 1.5  # the timeout (0.5 s) was honoured


def test_a_tool_round_trip_in_openais_wire_format(openai_api: OpenAIStandIn) -> None:
    from shared.agent.tools import TOOLS
    from shared.providers.base import ToolCall, Turn
    from tests.standins import Call

    openai_api.script = [Call(("get_item", {"sku": "A-1"}), ("get_item", '{"sku": '))]
    earlier = ToolCall.parse("call_9", "search_catalog", {"query": "jacket"})
    request = ChatRequest(
        system="be brief",
        messages=(
            Turn("user", "<customer>jackets?</customer>"),
            Turn("assistant", tool_calls=(earlier,)),
            Turn("tool", tool_call_id="call_9", name="search_catalog", result={"items": [], "count": 0}),
        ),
        tools=TOOLS,
    )
    reply = openai_provider(openai_api).complete(request)
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [
        ("get_item", {"sku": "A-1"}),
        ("get_item", None),
    ]
    assert reply.text == "" and reply.tool_calls[0].id
    sent = openai_api.requests[0][2]
    assert sent["messages"][2]["tool_calls"][0]["function"] == {
        "name": "search_catalog",
        "arguments": '{"query": "jacket"}',
    }
    assert sent["messages"][3] == {
        "role": "tool",
        "tool_call_id": "call_9",
        "content": '{"items":[],"count":0}',
    }
    assert [t["function"]["name"] for t in sent["tools"]][:2] == ["search_catalog", "get_item"]


def test_a_tool_round_trip_in_geminis_wire_format(gemini_api: GeminiStandIn) -> None:
    from shared.agent.tools import TOOLS
    from shared.providers.base import ToolCall, Turn
    from tests.standins import Call

    gemini_api.signature = "c2lnbmF0dXJl"  # base64 of "signature"
    try:
        gemini_api.script = [Call(("get_item", {"sku": "A-1"}))]
        provider = Gemini(api_key="g", model="gemini-2.0-flash", base_url=gemini_api.url, timeout_s=0.5)
        first = ToolCall.parse("gemini-0", "get_item", {"sku": "A-1"}, b"signature")
        second = ToolCall.parse("gemini-1", "get_item", {"sku": "B-2"})
        request = ChatRequest(
            system="be brief",
            messages=(
                Turn("user", "<customer>a1 or b2?</customer>"),
                Turn("assistant", tool_calls=(first, second)),
                Turn("tool", tool_call_id="gemini-0", name="get_item", result={"sku": "A-1"}),
                Turn("tool", tool_call_id="gemini-1", name="get_item", result={"sku": "B-2"}),
            ),
            tools=TOOLS,
        )
        reply = provider.complete(request)
    finally:
        gemini_api.signature = None
    assert [(c.name, c.arguments, c.signature) for c in reply.tool_calls] == [
        ("get_item", {"sku": "A-1"}, b"signature")
    ]
    sent = gemini_api.requests[0][2]
    model_turn, results_turn = sent["contents"][1], sent["contents"][2]
    assert model_turn["role"] == "model"
    call = {"functionCall": {"name": "get_item", "args": {"sku": "A-1"}}, "thoughtSignature": "c2lnbmF0dXJl"}
    assert model_turn["parts"][0] == call
    assert results_turn["role"] == "user" and [
        p["functionResponse"]["response"] for p in results_turn["parts"]
    ] == [
        {"sku": "A-1"},
        {"sku": "B-2"},
    ]
    assert len(sent["contents"]) == 3  # both results in one turn
    assert "functionDeclarations" in sent["tools"][0]
