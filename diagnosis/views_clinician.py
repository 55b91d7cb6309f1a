"""Clinician area (/clinician/): review queue, case page, claims, feedback,
agreement page and CSV. Clinicians and admins only (404 for everyone else).

Every case view goes through ``diagnosis_get_for_reviewer``; the review rules
(who may claim or write feedback) live in ``diagnosis.services_review``. Every read of
patient data (case page, photo/thumbnail/heat map, agreement CSV) is audit-logged.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import clinician_required, is_admin
from diagnosis.downloads import diagnosis_file_response
from diagnosis.forms_review import AssignForm, FeedbackForm, QueueFilterForm
from diagnosis.models import CaseAccessLog, Diagnosis
from diagnosis.selectors import diagnosis_get_for_reviewer
from diagnosis.selectors_review import (
    QueueState,
    active_claim,
    agreement_csv_rows,
    agreement_stats,
    case_ref,
    disease_label,
    feedback_for_case,
    feedback_versions,
    patient_earlier_diagnoses,
    review_queue,
    review_queue_counts,
    reviewed_feedback,
)
from diagnosis.services_review import (
    ReviewNotAllowed,
    access_log_record,
    access_log_record_many,
    case_assign,
    case_claim,
    case_release,
    claim_timeout,
    feedback_can_edit,
    feedback_save,
)

QUEUE_PAGE_SIZE = 25
WEB = CaseAccessLog.Channel.WEB


@clinician_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
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
        "diagnosis/clinician/queue.html",
        {
            "page": page,
            "filters": filters,
            "state": state,
            "counts": review_queue_counts(user=request.user),
            "querystring": query.urlencode(),
            "cutoff": timezone.now() - claim_timeout(),
            "states": QueueState,
        },
    )


def _case_context(request: HttpRequest, diagnosis: Diagnosis, form: FeedbackForm | None = None) -> dict:
    feedback = feedback_for_case(diagnosis)
    if form is None:
        initial = {}
        if feedback is not None:
            initial = {
                f: getattr(feedback, f)
                for f in (
                    "verdict",
                    "diagnosis_code",
                    "diagnosis_other",
                    "urgency",
                    "message",
                    "private_note",
                )
            }
        form = FeedbackForm(initial=initial)
    claim = active_claim(diagnosis)
    return {
        "diagnosis": diagnosis,
        "case_ref": case_ref(diagnosis),
        "claim": claim,
        "claim_is_mine": claim is not None and claim.clinician_id == request.user.pk,
        "claim_expires_at": claim.claimed_at + claim_timeout() if claim else None,
        "feedback": feedback,
        "feedback_label": disease_label(feedback.diagnosis_code, feedback.diagnosis_other)
        if feedback
        else "",
        "versions": feedback_versions(feedback),
        "can_edit": feedback_can_edit(diagnosis=diagnosis, user=request.user, feedback=feedback),
        "form": form,
        "earlier": patient_earlier_diagnoses(diagnosis=diagnosis),
        "is_admin": is_admin(request.user),
        "assign_form": AssignForm(diagnosis=diagnosis) if is_admin(request.user) else None,
    }


@clinician_required
@require_GET
def case(request: HttpRequest, pk: Any) -> HttpResponse:
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    access_log_record(user=request.user, diagnosis=diagnosis, action=CaseAccessLog.Action.VIEW, channel=WEB)
    response = render(request, "diagnosis/clinician/case.html", _case_context(request, diagnosis))
    response["Cache-Control"] = "private, no-store"
    return response


@clinician_required
@require_POST
def claim(request: HttpRequest, pk: Any) -> HttpResponse:
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
def release(request: HttpRequest, pk: Any) -> HttpResponse:
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
def assign(request: HttpRequest, pk: Any) -> HttpResponse:
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


@clinician_required
@require_POST
def feedback(request: HttpRequest, pk: Any) -> HttpResponse:
    diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        saved = feedback_save(diagnosis=diagnosis, author=request.user, channel=WEB, **form.cleaned_data)
        if saved.version > 1:
            messages.success(request, _("Your amendment was saved. The patient will be notified by email."))
        else:
            messages.success(request, _("Your feedback was saved. The patient will be notified by email."))
        return redirect("clinician:case", pk=diagnosis.pk)
    context = _case_context(request, diagnosis, form=form)
    if not context["can_edit"]:
        raise ReviewNotAllowed(_("Another clinician is already reviewing this case."))
    return render(request, "diagnosis/clinician/case.html", context, status=400)


def _serve(request: HttpRequest, pk: Any, field: str) -> HttpResponse:
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
def image(request: HttpRequest, pk: Any) -> HttpResponse:
    return _serve(request, pk, "image")


@clinician_required
@require_GET
def thumbnail(request: HttpRequest, pk: Any) -> HttpResponse:
    return _serve(request, pk, "thumbnail")


@clinician_required
@require_GET
def heatmap(request: HttpRequest, pk: Any) -> HttpResponse:
    return _serve(request, pk, "heatmap")


@clinician_required
@require_GET
def agreement(request: HttpRequest) -> HttpResponse:
    return render(request, "diagnosis/clinician/agreement.html", {"stats": agreement_stats()})


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
def agreement_csv(request: HttpRequest) -> HttpResponse:
    # One query, so the audit rows name exactly the cases the file contains.
    feedback = list(reviewed_feedback())
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
