from __future__ import annotations

from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete_account, name="delete_account"),
    path("checks/<uuid:pk>/report.pdf", views.check_report, name="check_report"),
    path("spots/<uuid:pk>/report.pdf", views.spot_report, name="spot_report"),
]
