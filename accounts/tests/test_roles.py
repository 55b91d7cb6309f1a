from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from accounts.roles import IsClinician, clinician_required, is_admin, is_clinician, is_patient

pytestmark = pytest.mark.django_db


def test_role_helpers(owner, clinician, admin_user):
    anonymous = AnonymousUser()
    assert [is_patient(u) for u in (anonymous, owner, clinician, admin_user)] == [False, True, True, True]
    assert [is_clinician(u) for u in (anonymous, owner, clinician, admin_user)] == [False, False, True, False]
    assert [is_admin(u) for u in (anonymous, owner, clinician, admin_user)] == [False, False, False, True]


def test_inactive_clinician_has_no_clinician_role(clinician):
    clinician.is_active = False
    assert not is_clinician(clinician)


@clinician_required
def _area(request):
    return HttpResponse("ok")


def _call(user):
    request = RequestFactory().get("/clinician/")
    request.user = user
    return _area(request)


def test_clinician_required_redirects_anonymous_to_login():
    response = _call(AnonymousUser())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_clinician_required_hides_the_area_from_patients(owner):
    with pytest.raises(Http404):
        _call(owner)


def test_clinician_required_admits_clinicians_and_admins(clinician, admin_user):
    assert _call(clinician).status_code == 200
    assert _call(admin_user).status_code == 200


def test_drf_permission(owner, clinician, admin_user):
    permission = IsClinician()

    class Req:
        def __init__(self, user):
            self.user = user

    assert not permission.has_permission(Req(owner), None)
    assert permission.has_permission(Req(clinician), None)
    assert permission.has_permission(Req(admin_user), None)
