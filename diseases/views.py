"""Public disease library pages (no login required)."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diseases.selectors import (
    disease_can_preview,
    disease_get_for_viewer,
    disease_image_get_public,
    disease_list_public,
    diseases_grouped_by_category,
)

# Curated library images are public and rarely change: let browsers cache them for a day.
IMAGE_CACHE_SECONDS = 24 * 60 * 60


@require_GET
def disease_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    diseases = disease_list_public(query=query)
    groups = diseases_grouped_by_category(diseases)
    return render(
        request,
        "diseases/disease_list.html",
        {"groups": groups, "query": query, "result_count": sum(len(g.diseases) for g in groups)},
    )


@require_GET
def disease_detail(request: HttpRequest, slug: str) -> HttpResponse:
    disease = disease_get_for_viewer(slug=slug, user=request.user)
    return render(
        request,
        "diseases/disease_detail.html",
        {
            "disease": disease,
            "is_preview": not disease.published and disease_can_preview(request.user),
            "references": list(disease.references.all()),
            "images": list(disease.images.all()),
        },
    )


@require_GET
def disease_image(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Serve a curated image of a published page (media is otherwise never public)."""
    image = disease_image_get_public(slug=slug, pk=pk, user=request.user)
    content_type = mimetypes.guess_type(image.image.name)[0] or "application/octet-stream"
    if getattr(settings, "SENDFILE_NGINX", False):
        # nginx serves the bytes from its `internal` /protected/ location, as for diagnoses.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"/protected/{image.image.name}"
    else:
        try:
            handle = image.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404("Image file missing") from exc
        response = FileResponse(handle, content_type=content_type)
    if image.disease.published:
        response["Cache-Control"] = f"public, max-age={IMAGE_CACHE_SECONDS}"
    else:
        response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
