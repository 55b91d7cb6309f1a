"""HTTP glue for diagnoses: auth, one selector, a form, one service call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diagnosis.answers import answers_snapshot
from diagnosis.downloads import diagnosis_file_response
from diagnosis.forms import HistoryFilterForm, UploadForm
from diagnosis.imaging import max_upload_bytes
from diagnosis.presenters import result_context
from diagnosis.selectors import diagnosis_get_for_user, diagnosis_list_for_user
from diagnosis.services import diagnosis_create, diagnosis_delete, diagnosis_request_review, diagnosis_retry
from portal.api.throttling import upload_rate_wait

HISTORY_PAGE_SIZE = 12


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _upload_throttled(request: HttpRequest, wait: float) -> HttpResponse:
    """429 before the photo is read: the same per-user budget as the API (30/hour)."""
    when = timeuntil(timezone.now() + timedelta(seconds=max(wait, 60)))
    message = _("You have sent many photos in a short time. Please try again in %(time)s.") % {"time": when}
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"errors": [message]}, status=429)
    else:
        messages.error(request, message)
        context = {"form": UploadForm(), "max_upload_bytes": max_upload_bytes()}
        response = render(request, "diagnosis/upload.html", context, status=429)
    response["Retry-After"] = str(int(wait) + 1)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        wait = upload_rate_wait(request)
        if wait is not None:
            return _upload_throttled(request, wait)
    form = UploadForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis = diagnosis_create(
                owner=request.user,
                upload=form.cleaned_data["image"],
                body_site=form.cleaned_data["body_site"],
                note=form.cleaned_data["note"],
                review_requested=form.cleaned_data["review_requested"],
                crop=form.cleaned_data["crop"],
                answers=answers_snapshot(
                    owner=request.user, body_site=form.cleaned_data["body_site"], given=form.given_answers()
                ),
                spot=form.cleaned_data["spot"],
                new_spot_name=form.cleaned_data["spot_name"],
            )
        except ValidationError as exc:
            # A bad frame is about the framing, not the photo file.
            form.add_error(None if str(getattr(exc, "code", "")).startswith("crop") else "image", exc)
        else:
            if _wants_json(request):
                return JsonResponse({"url": diagnosis.get_absolute_url()}, status=201)
            return redirect(diagnosis)
    if request.method == "POST" and _wants_json(request):
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return JsonResponse({"errors": errors}, status=400)
    return render(
        request,
        "diagnosis/upload.html",
        {"form": form, "max_upload_bytes": max_upload_bytes()},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def camera(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "diagnosis/camera.html",
        {"form": UploadForm(), "max_upload_bytes": max_upload_bytes()},
    )


@login_required
@require_GET
@never_cache  # health data on possibly shared phones: never kept in a browser cache
def detail(request: HttpRequest, pk: Any) -> HttpResponse:
    diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
    return render(request, "diagnosis/detail.html", result_context(diagnosis))


@login_required
@require_GET
def status_fragment(request: HttpRequest, pk: Any) -> HttpResponse:
    """The result panel; htmx polls it while the diagnosis is queued/running."""
    diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
    response = render(request, "diagnosis/_result.html", result_context(diagnosis))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def retry(request: HttpRequest, pk: Any) -> HttpResponse:
    diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
    diagnosis_retry(diagnosis=diagnosis)
    return redirect(diagnosis)


@login_required
@require_POST
def request_review(request: HttpRequest, pk: Any) -> HttpResponse:
    diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
    diagnosis_request_review(diagnosis=diagnosis)
    messages.success(request, _("A clinician has been asked to look at this photo."))
    return redirect(diagnosis)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: Any) -> HttpResponse:
    diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        diagnosis_delete(diagnosis=diagnosis)
        messages.success(request, _("The photo and its result were deleted."))
        return redirect("diagnosis:history")
    return render(request, "diagnosis/delete.html", {"diagnosis": diagnosis})


@login_required
@require_GET
@never_cache
def history(request: HttpRequest) -> HttpResponse:
    filters = HistoryFilterForm(request.GET or None)
    status = risk = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        risk = filters.cleaned_data["risk"] or None
    diagnoses = diagnosis_list_for_user(user=request.user, status=status, risk=risk)
    page = Paginator(diagnoses, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "diagnosis/history.html",
        {"page": page, "filters": filters, "querystring": query.urlencode()},
    )


@login_required
@require_GET
def media_file(request: HttpRequest, pk: Any, field: str) -> HttpResponseBase:
    """The photo, thumbnail or heat map of one of the user's own diagnoses (``field`` comes
    from the URL pattern, never from the request)."""
    return diagnosis_file_response(diagnosis_get_for_user(user=request.user, pk=pk), field)
