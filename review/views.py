"""Clinician area (/clinician/): review queue, case page, claims, feedback,
agreement page and CSV. Clinicians and admins only (404 for everyone else).

Every case view goes through ``diagnosis_get_for_reviewer``; the review rules
(who may claim or write feedback) live in ``review.services``. Every read of
patient data (case page, photo/thumbnail/heat map, agreement CSV) is audit-logged.
"""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.requests import AuthenticatedHttpRequest
from accounts.roles import clinician_required, is_admin
from diagnosis.downloads import diagnosis_file_response
from diagnosis.models import Diagnosis
from diagnosis.names import disease_label
from diagnosis.selectors import diagnosis_get_for_reviewer
from review.agreement import agreement_csv_rows, agreement_stats, reviewed_feedback
from review.audit import access_log_record, access_log_record_many
from review.exceptions import ReviewNotAllowed
from review.forms import AssignForm, FeedbackForm, QueueFilterForm
from review.models import CaseAccessLog, CaseClaim
from review.selectors import (
    QueueState,
    case_context,
    case_ref,
    feedback_for_case,
    review_queue,
    review_queue_counts,
)
from review.services import (
    FEEDBACK_FIELDS,
    case_assign,
    case_claim,
    case_release,
    feedback_amend,
    feedback_create,
)

QUEUE_PAGE_SIZE = 25
WEB = CaseAccessLog.Channel.WEB


@clinician_required
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET or None)
    state, risk, body_site = QueueState.PENDING, "", ""
    if filters.is_valid():
        state = filters.cleaned_data["state"] or QueueState.PENDING
        risk = filters.cleaned_data["risk"]
        body_site = filters.cleaned_data["body_site"]
    cases = review_queue(user=request.user, state=state, risk=risk, body_site=body_site)
    page = Paginator(cases, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "filters": filters,
            "state": state,
            "counts": review_queue_counts(user=request.user),
            "querystring": query.urlencode(),
            "cutoff": CaseClaim.cutoff(),
            "states": QueueState,
        },
    )


def _case_context(
    request: AuthenticatedHttpRequest, diagnosis: Diagnosis, form: FeedbackForm | None = None
) -> dict[str, Any]:
    case = case_context(user=request.user, diagnosis=diagnosis)
    feedback, claim = case.feedback, case.claim
    if form is None:
        initial = {f: getattr(feedback, f) for f in FEEDBACK_FIELDS} if feedback else {}
        form = FeedbackForm(initial=initial)
    return {
        "diagnosis": diagnosis,
        "case_ref": case_ref(diagnosis),
        "claim": claim,
        "claim_is_mine": claim is not None and claim.clinician_id == request.user.pk,
        "claim_expires_at": claim.claimed_at + CaseClaim.timeout() if claim else None,
        "feedback": feedback,
        "feedback_label": disease_label(feedback.diagnosis_code, feedback.diagnosis_other)
        if feedback
        else "",
        "versions": case.versions,
        "can_edit": case.can_edit,
        "form": form,
        "earlier": case.earlier,
        "spot_timeline": case.spot_timeline,
        "is_admin": is_admin(request.user),
        "assign_form": AssignForm(diagnosis=diagnosis) if is_admin(request.user) else None,
    }


@clinician_required
@require_GET
def case(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    access_log_record(user=request.user, diagnosis=diagnosis, action=CaseAccessLog.Action.VIEW, channel=WEB)
    response = render(request, "review/case.html", _case_context(request, diagnosis))
    response["Cache-Control"] = "private, no-store"
    return response


@clinician_required
@require_POST
def claim(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    try:
        case_claim(diagnosis=diagnosis, clinician=request.user, channel=WEB)
    except ReviewNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You claimed this case."))
    return redirect("clinician:case", pk=diagnosis.pk)


@clinician_required
@require_POST
def release(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    try:
        case_release(diagnosis=diagnosis, user=request.user, channel=WEB)
    except ReviewNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("clinician:case", pk=diagnosis.pk)
    messages.success(request, _("The case is back in the queue."))
    return redirect("clinician:queue")


@clinician_required
@require_POST
def assign(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    if not is_admin(request.user):
        raise Http404
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    form = AssignForm(request.POST, diagnosis=diagnosis)
    if form.is_valid():
        case_assign(
            diagnosis=diagnosis,
            clinician=form.cleaned_data["clinician"],
            assigned_by=request.user,
            channel=WEB,
        )
        messages.success(request, _("The case was assigned."))
    else:
        messages.error(request, _("Please choose a clinician."))
    return redirect("clinician:case", pk=diagnosis.pk)


SAVED = gettext_lazy("Your feedback was saved. The patient will be notified by email.")
AMENDED = gettext_lazy("Your amendment was saved. The patient will be notified by email.")


@clinician_required
@require_POST
def feedback(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    form = FeedbackForm(request.POST)
    amend = feedback_for_case(diagnosis) is not None
    save = feedback_amend if amend else feedback_create
    if form.is_valid():
        try:
            save(diagnosis=diagnosis, author=request.user, channel=WEB, **form.cleaned_data)
        except ValidationError as exc:  # the service's rules, shown on the form
            form.add_error(None, exc)
        else:
            messages.success(request, AMENDED if amend else SAVED)
            return redirect("clinician:case", pk=diagnosis.pk)
    context = _case_context(request, diagnosis, form=form)
    if not context["can_edit"]:
        raise ReviewNotAllowed(_("Another clinician is already reviewing this case."))
    return render(request, "review/case.html", context, status=400)


@clinician_required
@require_GET
def case_file(request: AuthenticatedHttpRequest, pk: UUID, field: str) -> HttpResponseBase:
    """A case's photo, thumbnail or heat map (``field`` from the URL pattern); audit-logged."""
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    response = diagnosis_file_response(diagnosis, field)
    access_log_record(
        user=request.user,
        diagnosis=diagnosis,
        action=CaseAccessLog.Action.DOWNLOAD,
        channel=WEB,
        detail=field,
    )
    return response


@clinician_required
@require_GET
def agreement(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "review/agreement.html", {"stats": agreement_stats()})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_safe(value: Any) -> Any:
    """Stop spreadsheet formula injection through free-text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@clinician_required
@require_GET
def agreement_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    # One query, so the audit rows name exactly the cases the file contains.
    feedback = list(reviewed_feedback().filter(diagnosis__in=Diagnosis.objects.consented_for_training()))
    access_log_record_many(
        user=request.user,
        diagnosis_ids=[item.diagnosis_id for item in feedback],
        action=CaseAccessLog.Action.EXPORT,
        channel=WEB,
        detail="agreement CSV",
    )
    writer = csv.writer(_Echo())
    rows = (writer.writerow([_csv_safe(v) for v in row]) for row in agreement_csv_rows(feedback=feedback))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="jildi-reviewed-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
