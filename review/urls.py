"""Clinician area, mounted at /clinician/ (namespace "clinician")."""

from __future__ import annotations

from django.urls import path

from review import views

app_name = "clinician"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("agreement/", views.agreement, name="agreement"),
    path("agreement/reviewed.csv", views.agreement_csv, name="agreement_csv"),
    path("case/<uuid:pk>/", views.case, name="case"),
    path("case/<uuid:pk>/claim/", views.claim, name="claim"),
    path("case/<uuid:pk>/release/", views.release, name="release"),
    path("case/<uuid:pk>/assign/", views.assign, name="assign"),
    path("case/<uuid:pk>/feedback/", views.feedback, name="feedback"),
    path("case/<uuid:pk>/image.jpg", views.case_file, {"field": "image"}, name="image"),
    path("case/<uuid:pk>/thumbnail.jpg", views.case_file, {"field": "thumbnail"}, name="thumbnail"),
    path("case/<uuid:pk>/heatmap.png", views.case_file, {"field": "heatmap"}, name="heatmap"),
]
