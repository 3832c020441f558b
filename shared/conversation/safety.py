"""Customer text is data, never instructions.

The LLM prompt fences the customer's words as quoted data and tells the model so; messages
that look like an attempt to steer the assistant are answered by the offline responder alone,
and every reply, whoever wrote it, still goes through the grounding check.
"""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"ignore (all |any |the |your |previous |prior |above )*(instructions|rules|prompt)"
    r"|disregard (the |your |all )*(instructions|rules|system)"
    r"|system prompt|you are now|act as|pretend (to be|you)|new instructions|developer mode"
    r"|(price|cost) is now|from now on|override|jailbreak|</?customer>",
    re.IGNORECASE,
)


def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def fence(text: str) -> str:
    """The customer's text as inert quoted data for a prompt (tags inside it are neutralised)."""
    cleaned = text.replace("<", "‹").replace(">", "›")
    return f"<customer>{cleaned}</customer>"
