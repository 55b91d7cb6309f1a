from __future__ import annotations

from django.urls import path

from diseases import views

app_name = "diseases"

urlpatterns = [
    path("", views.disease_list, name="list"),
    path("<slug:slug>/", views.disease_detail, name="detail"),
    path("<slug:slug>/images/<int:pk>/", views.disease_image, name="image"),
]
