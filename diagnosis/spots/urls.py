"""Included in diagnosis/urls.py (namespace "diagnosis")."""

from __future__ import annotations

from django.urls import path

from diagnosis.spots import views

urlpatterns = [
    path("spots/", views.spot_list, name="spot_list"),
    path("spots/<uuid:pk>/", views.spot_detail, name="spot_detail"),
    path("spots/<uuid:pk>/rename/", views.spot_rename, name="spot_rename"),
    path("spots/<uuid:pk>/reminder/", views.spot_reminder, name="spot_reminder"),
    path("spots/<uuid:pk>/delete/", views.spot_delete, name="spot_delete"),
    path("<uuid:pk>/spot/", views.diagnosis_spot, name="diagnosis_spot"),
]
