"""REST API routes: /api/v1/ (versioned endpoints) plus the OpenAPI schema and its docs.

Included under /api/ by portal/urls.py. Swagger UI and Redoc are served from
self-hosted drf-spectacular-sidecar assets (no CDN).
"""

from __future__ import annotations

from csp.decorators import csp_replace
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts import api as accounts_api
from diagnosis import api as diagnosis_api
from diagnosis.spots import api as spots_api
from diseases import api as diseases_api
from portal.api.errors import not_found
from review import api as review_api

app_name = "api"

v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("diagnoses/", diagnosis_api.DiagnosisListCreateView.as_view(), name="diagnosis-list"),
    path("diagnoses/<str:pk>/", diagnosis_api.DiagnosisDetailView.as_view(), name="diagnosis-detail"),
    path("diagnoses/<str:pk>/retry/", diagnosis_api.DiagnosisRetryView.as_view(), name="diagnosis-retry"),
    path("diagnoses/<str:pk>/image/", diagnosis_api.DiagnosisImageView.as_view(), name="diagnosis-image"),
    path(
        "diagnoses/<str:pk>/thumbnail/",
        diagnosis_api.DiagnosisThumbnailView.as_view(),
        name="diagnosis-thumbnail",
    ),
    path(
        "diagnoses/<str:pk>/heatmap/", diagnosis_api.DiagnosisHeatmapView.as_view(), name="diagnosis-heatmap"
    ),
    path("diseases/", diseases_api.DiseaseListView.as_view(), name="disease-list"),
    path("diseases/<str:code>/", diseases_api.DiseaseDetailView.as_view(), name="disease-detail"),
]

v1 += spots_api.urlpatterns  # spots/ (list/create, detail, checks)
v1 += review_api.urlpatterns  # clinician endpoints

# Anything else under /api/v1/ answers in the API's error format too.
v1.append(re_path(r"^.*$", not_found))

# Swagger UI and Redoc need inline scripts/styles and blob: workers; these two pages show
# no personal data, so they get a looser policy (still our own origin only).
docs_csp = csp_replace(
    {
        "script-src": ["'self'", "'unsafe-inline'", "blob:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "worker-src": ["'self'", "blob:"],
    }
)

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_csp(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    path(
        "redoc/",
        docs_csp(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")),
        name="redoc",
    ),
]
