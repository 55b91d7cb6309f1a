"""Template helpers for the patient's answers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from diagnosis.answers import answer_rows, profile_rows
from diagnosis.trust import NOT_SINGLE_SPOT, domain_sentence, quality_detail, rejection_kind

register = template.Library()


@register.simple_tag
def profile_answer_rows(user: Any) -> list[dict[str, str]]:
    """Age, sex and skin type from ``user``'s profile, as they would be copied into a new check."""
    return profile_rows(user)


@register.simple_tag
def case_answer_rows(diagnosis: Any) -> list[dict[str, str]]:
    """Every question with the patient's answer ("—" when not answered), for clinicians."""
    return answer_rows(diagnosis.answers, include_unanswered=True) if diagnosis.answers else []


@register.simple_tag
def case_domain_sentence(diagnosis: Any) -> str:
    return domain_sentence(diagnosis)


@register.simple_tag
def case_rejection_text(diagnosis: Any) -> str:
    """Why a photo was rejected, in plain words (the same distinction the patient sees)."""
    if rejection_kind(diagnosis.ood_reason) == NOT_SINGLE_SPOT:
        return _("it does not look like a single spot (a rash, for example).")
    return quality_detail(diagnosis.ood_reason) or _("a photo-quality problem.")
