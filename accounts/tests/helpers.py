from __future__ import annotations

import re

from django.core import mail

CODE_RE = re.compile(r"\b(\d{6})\b")


def last_code(to: str | None = None) -> str:
    """The 6-digit code from the most recent email (optionally to ``to``)."""
    messages = [m for m in mail.outbox if to is None or to in m.to]
    assert messages, "no email was sent"
    match = CODE_RE.search(messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)
