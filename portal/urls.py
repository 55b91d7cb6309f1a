from __future__ import annotations

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views
from portal import views

admin.site.site_header = _("Jildi administration")
admin.site.site_title = _("Jildi admin")
admin.site.index_title = _("Site administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Django's set_language, wrapped so a signed-in user's choice is saved too.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    # Same paths as allauth's code views, matched first: they explain expired codes.
    path(
        "accounts/confirm-email/",
        account_views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    path(
        "accounts/password/reset/confirm/",
        account_views.confirm_password_reset_code,
        name="account_confirm_password_reset_code",
    ),
    path("accounts/", include("allauth.urls")),
    path("diseases/", include("diseases.urls")),
    path("diagnosis/", include("diagnosis.urls")),
    path("records/", include("records.urls")),
    path("admin/", admin.site.urls),
]

# Optional modules owned by other apps: included when present.
if find_spec("diagnosis.urls_clinician") is not None:
    urlpatterns.append(path("clinician/", include("diagnosis.urls_clinician")))
if find_spec("portal.api_urls") is not None:
    # /api/v1/ endpoints plus /api/schema/, /api/docs/ and /api/redoc/.
    urlpatterns.append(path("api/", include("portal.api_urls")))
