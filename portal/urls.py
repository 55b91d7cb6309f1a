from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views
from portal import pwa, views

admin.site.site_header = _("Jildi administration")
admin.site.site_title = _("Jildi admin")
admin.site.index_title = _("Site administration")
# The admin's own login form would skip the second factor: sign in through allauth instead.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Installable web app: manifest, service worker at the root scope, offline page.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
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
    path("clinician/", include("review.urls")),
    # /api/v1/ endpoints plus /api/schema/, /api/docs/ and /api/redoc/.
    path("api/", include("portal.api_urls")),
    path("admin/", admin.site.urls),
]
