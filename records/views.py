"""The patient's record pages: reports (PDF), the data export (zip) and account deletion."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diagnosis.selectors import diagnosis_get_for_user
from diagnosis.spots.selectors import spot_get_for_user, spot_report_checks
from records.deletion import account_can_self_delete, account_delete
from records.export import account_export
from records.forms import DeleteAccountForm
from records.report import check_report_pdf, spot_report_pdf


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def check_report(request: HttpRequest, pk: Any) -> HttpResponse:
    diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
    if diagnosis.is_pending:
        messages.info(request, _("The report is available once the analysis has finished."))
        return redirect(diagnosis)
    pdf = check_report_pdf(diagnosis=diagnosis, language=translation.get_language())
    return _pdf(pdf, f"jildi-report-{diagnosis.created_at:%Y-%m-%d}.pdf")


@login_required
@require_GET
def spot_report(request: HttpRequest, pk: Any) -> HttpResponse:
    spot = spot_get_for_user(user=request.user, pk=pk)
    checks = spot_report_checks(spot=spot)
    pdf = spot_report_pdf(spot=spot, checks=checks, language=translation.get_language())
    return _pdf(pdf, f"jildi-spot-report-{timezone.now():%Y-%m-%d}.pdf")


@login_required
@require_GET
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    can_delete = account_can_self_delete(user=request.user)
    context = {"form": DeleteAccountForm(user=request.user), "can_delete": can_delete}
    return render(request, "records/my_data.html", context)


@login_required
@require_POST
def export(request: HttpRequest) -> FileResponse:
    archive = account_export(user=request.user, language=translation.get_language())
    filename = f"jildi-export-{timezone.now():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DeleteAccountForm(request.POST, user=user)
    can_delete = account_can_self_delete(user=user)
    if not can_delete or not form.is_valid():
        if not can_delete:
            messages.error(request, _("Staff accounts are closed by an administrator."))
        return render(request, "records/my_data.html", {"form": form, "can_delete": can_delete}, status=400)
    account_delete(user=user)
    logout(request)
    messages.success(request, _("Your account and all your photos and results have been deleted."))
    return redirect("home")
