from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from rest_framework.exceptions import NotFound

from accounts.models import User
from accounts.roles import (
    ADMIN_GROUP,
    IsAdmin,
    IsClinician,
    IsReviewer,
    can_curate_diseases,
    can_review,
    clinician_required,
    is_admin,
    is_clinician,
    is_content_editor,
    is_patient,
)
from accounts.services import user_grant_admin

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


# --- staff is not a role -----------------------------------------------


def test_staff_status_alone_grants_no_role(plain_staff, content_editor):
    for user in (plain_staff, content_editor):
        assert user.is_staff
        assert not is_admin(user)
        assert not can_review(user)
        assert not is_clinician(user)


def test_admin_is_a_superuser_or_a_member_of_the_admin_group(admin_user, group_admin):
    assert admin_user.is_superuser and is_admin(admin_user)
    assert not group_admin.is_superuser and is_admin(group_admin)
    assert can_review(group_admin)
    group_admin.is_active = False
    assert not is_admin(group_admin)


def test_the_admin_group_exists_after_migrating():
    assert Group.objects.filter(name=ADMIN_GROUP).exists()


def test_admin_group_members_hold_admin_permissions_editors_only_disease_ones(group_admin, content_editor):
    group_admin = User.objects.get(pk=group_admin.pk)  # fresh permission caches
    content_editor = User.objects.get(pk=content_editor.pk)
    assert group_admin.has_perm("diagnosis.view_diagnosis")
    assert group_admin.has_module_perms("diagnosis")
    assert not content_editor.has_perm("diagnosis.view_diagnosis")
    assert not content_editor.has_module_perms("diagnosis")
    assert content_editor.has_perm("diseases.change_disease")


def test_content_editors_curate_the_library_and_nothing_else(
    content_editor, plain_staff, admin_user, clinician
):
    assert is_content_editor(content_editor) and can_curate_diseases(content_editor)
    assert can_curate_diseases(admin_user)
    assert not can_curate_diseases(plain_staff)
    assert not can_curate_diseases(clinician)


def test_granting_a_role_is_seen_at_once_on_the_same_user_object(owner):
    assert not is_admin(owner)
    user_grant_admin(user=owner)
    assert is_admin(owner)
    assert owner.is_staff


def test_clinician_required_hides_the_area_from_staff_and_editors(plain_staff, content_editor):
    for user in (plain_staff, content_editor):
        with pytest.raises(Http404):
            _call(user)


def test_clinician_required_admits_group_admins(group_admin):
    assert _call(group_admin).status_code == 200


def test_drf_reviewer_permission_is_404_for_staff_and_editors(
    plain_staff, content_editor, clinician, group_admin
):
    permission = IsReviewer()

    class Req:
        def __init__(self, user):
            self.user = user

    for user in (plain_staff, content_editor):
        with pytest.raises(NotFound):
            permission.has_permission(Req(user), None)
        assert not IsClinician().has_permission(Req(user), None)
        assert not IsAdmin().has_permission(Req(user), None)
    assert permission.has_permission(Req(clinician), None)
    assert permission.has_permission(Req(group_admin), None)
    assert IsAdmin().has_permission(Req(group_admin), None)
