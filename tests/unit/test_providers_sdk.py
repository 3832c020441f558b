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
