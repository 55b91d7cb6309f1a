from __future__ import annotations

import re

from django.core import mail

# allauth's default code: 8 letters from BCDFGHJKLMNPQRSTVWXZ, shown as "BCDF-GHJK".
CODE_RE = re.compile(r"\b([B-Z]{4}-[B-Z]{4})\b")
# "A" is not in the alphabet, so this is never the right code.
WRONG_CODE = "AAAA-AAAA"


def last_code(to: str | None = None) -> str:
    """The verification/reset code from the most recent email (optionally to ``to``)."""
    messages = [m for m in mail.outbox if to is None or to in m.to]
    assert messages, "no email was sent"
    match = CODE_RE.search(messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)
