"""Public disease library pages (no login required)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diseases.selectors import (
    disease_can_preview,
    disease_get_for_viewer,
    disease_image_get_public,
    disease_list_public,
    diseases_grouped_by_category,
)
from portal.files import stored_file_response

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
def disease_image(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """Serve a curated image of a published page (media is otherwise never public)."""
    image = disease_image_get_public(slug=slug, pk=pk, user=request.user)
    cache = f"public, max-age={IMAGE_CACHE_SECONDS}" if image.disease.published else "private, no-store"
    return stored_file_response(image.image, cache_control=cache)
