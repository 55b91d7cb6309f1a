"""Patient pages for spots: HTTP glue (auth, one selector, a form, one service call)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.requests import AuthenticatedHttpRequest
from diagnosis.models import Spot
from diagnosis.selectors import diagnosis_get_for_user
from diagnosis.spots import services
from diagnosis.spots.forms import AttachForm, ReminderForm, SpotForm
from diagnosis.spots.selectors import spot_get_for_user, spot_list_for_user, spot_timeline


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def spot_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SpotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        spot = services.spot_create(owner=request.user, **form.cleaned_data)
        messages.success(request, _("The spot has been created. Add a check to it from the camera page."))
        return redirect(spot)
    context = {"spots": spot_list_for_user(user=request.user), "form": form}
    return render(request, "diagnosis/spots/list.html", context, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest, spot: Spot, *, form: SpotForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "spot": spot,
        "timeline": spot_timeline(spot=spot),
        "form": form or SpotForm(initial={"name": spot.name, "body_site": spot.body_site}),
        "reminder_form": ReminderForm(initial={"months": spot.reminder_months or 3}),
    }
    return render(request, "diagnosis/spots/detail.html", context, status=status)


@login_required
@require_GET
@never_cache
def spot_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    return _detail(request, spot_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def spot_rename(request: HttpRequest, pk: Any) -> HttpResponse:
    spot = spot_get_for_user(user=request.user, pk=pk)
    form = SpotForm(request.POST)
    if not form.is_valid():
        return _detail(request, spot, form=form, status=400)
    services.spot_update(spot=spot, **form.cleaned_data)
    messages.success(request, _("The spot has been saved."))
    return redirect(spot)


@login_required
@require_POST
def spot_reminder(request: HttpRequest, pk: Any) -> HttpResponse:
    spot = spot_get_for_user(user=request.user, pk=pk)
    if "cancel" in request.POST:
        services.spot_cancel_reminder(spot=spot)
        messages.success(request, _("The reminder has been cancelled."))
        return redirect(spot)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose 1, 3, 6 or 12 months."))
        return redirect(spot)
    spot = services.spot_set_reminder(spot=spot, months=form.cleaned_data["months"])
    messages.success(request, _("We will email you a reminder on %(date)s.") % {"date": _date(spot)})
    return redirect(spot)


def _date(spot: Spot) -> str:
    from django.utils.formats import date_format

    return date_format(spot.remind_at, "DATE_FORMAT") if spot.remind_at else ""


@login_required
@require_http_methods(["GET", "POST"])
def spot_delete(request: HttpRequest, pk: Any) -> HttpResponse:
    spot = spot_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        services.spot_delete(spot=spot)
        messages.success(request, _("The spot was deleted. Its checks are still in My checks."))
        return redirect("diagnosis:spot_list")
    return render(request, "diagnosis/spots/delete.html", {"spot": spot})


@login_required
@require_POST
def diagnosis_spot(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """From the result page: put the check in one of the patient's spots, a new one, or none."""
    diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
    form = AttachForm(request.POST, owner=request.user)
    if not form.is_valid():
        for error in form.errors.get("spot", []):
            messages.error(request, str(error))  # (an ErrorList yields its messages)
        return redirect(diagnosis)
    spot = form.chosen_spot()
    if spot is None and form.cleaned_data["spot_name"]:
        spot = services.spot_create(
            owner=request.user, name=form.cleaned_data["spot_name"], body_site=diagnosis.body_site
        )
    if spot is None:
        services.spot_detach(diagnosis=diagnosis)
        messages.success(request, _("This check is no longer part of a spot."))
    else:
        services.spot_attach(spot=spot, diagnosis=diagnosis)
        messages.success(request, _("This check was added to “%(name)s”.") % {"name": spot.name})
    return redirect(diagnosis)
