"""The audit log: every read of a case's patient data by a clinician or an admin (who,
what, when, how) and every review action, one row per case."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from accounts.models import User
from accounts.roles import AnyUser
from diagnosis.models import Diagnosis
from review.models import CaseAccessLog


def access_log_record(
    *,
    user: User,
    diagnosis: Diagnosis,
    action: str = CaseAccessLog.Action.VIEW,
    channel: str = "",
    detail: str = "",
) -> None:
    """Audit one read of (or action on) a case by ``user``."""
    access_log_record_many(
        user=user, diagnosis_ids=[diagnosis.pk], action=action, channel=channel, detail=detail
    )


def access_log_record_many(
    *,
    user: AnyUser | None,
    diagnosis_ids: Iterable[UUID],
    action: str,
    channel: str,
    detail: str = "",
    who: str = "",
) -> int:
    """Audit one read of several cases (a list page, an export): one row per case, so
    "who saw case X" has one answer. ``who`` names an actor without an account
    (the command line); otherwise the user's email is kept beside the user."""
    account = user if isinstance(user, User) and user.pk is not None else None
    email = who or getattr(account, "email", "") or ""
    rows = [
        CaseAccessLog(
            user=account,
            user_email=email,
            diagnosis_id=pk,
            diagnosis_ref=str(pk),
            action=action,
            channel=channel,
            detail=detail[:100],
        )
        for pk in dict.fromkeys(diagnosis_ids)  # once per case, in order
    ]
    CaseAccessLog.objects.bulk_create(rows)
    return len(rows)
