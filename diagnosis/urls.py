from __future__ import annotations

from django.urls import path

from diagnosis import views
from diagnosis.spots.urls import urlpatterns as spot_urlpatterns

app_name = "diagnosis"

urlpatterns = [
    path("", views.history, name="history"),
    path("new/", views.upload, name="upload"),
    path("camera/", views.camera, name="camera"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/status/", views.status_fragment, name="status"),
    path("<uuid:pk>/retry/", views.retry, name="retry"),
    path("<uuid:pk>/request-review/", views.request_review, name="request_review"),
    path("<uuid:pk>/delete/", views.delete, name="delete"),
    path("<uuid:pk>/image.jpg", views.media_file, {"field": "image"}, name="image"),
    path("<uuid:pk>/thumbnail.jpg", views.media_file, {"field": "thumbnail"}, name="thumbnail"),
    path("<uuid:pk>/heatmap.png", views.media_file, {"field": "heatmap"}, name="heatmap"),
]

urlpatterns += spot_urlpatterns  # spots/..., <uuid>/spot/
