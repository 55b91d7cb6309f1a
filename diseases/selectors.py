"""Permission-scoped reads for the disease library.

Published pages are public. Unpublished pages exist only for admins and content
editors, who may preview them; everybody else gets a 404, as if the page did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from accounts.roles import AnyUser, can_curate_diseases
from diseases.models import Category, Disease, DiseaseImage, DiseaseQuerySet


def disease_can_preview(user: AnyUser) -> bool:
    """Admins and content editors (accounts.roles) may see unpublished pages."""
    return can_curate_diseases(user)


def disease_for_code(code: str) -> Disease | None:
    """The published disease page for a model class code (e.g. "mel"), or None."""
    if not code:
        return None
    return Disease.objects.published().filter(code=code).first()


def disease_list_public(*, query: str = "") -> DiseaseQuerySet:
    """Published diseases, optionally filtered by a search over both languages."""
    return Disease.objects.published().search(query)


def disease_get_for_viewer(*, slug: str, user: AnyUser) -> Disease:
    """The page with this slug if ``user`` may see it, else Http404."""
    diseases = Disease.objects.prefetch_related(
        "references", Prefetch("images", queryset=DiseaseImage.objects.order_by("order", "id"))
    )
    if not disease_can_preview(user):
        diseases = diseases.published()
    try:
        return diseases.get(code=slug)
    except Disease.DoesNotExist as exc:
        raise Http404("No such disease page") from exc


def disease_image_get_public(*, slug: str, pk: int, user: AnyUser) -> DiseaseImage:
    """A curated image of a page the viewer may see (published, or staff preview), else 404."""
    images = DiseaseImage.objects.select_related("disease").filter(disease__code=slug)
    if not disease_can_preview(user):
        images = images.filter(disease__published=True)
    try:
        return images.get(pk=pk)
    except DiseaseImage.DoesNotExist as exc:
        raise Http404("No such image") from exc


@dataclass
class CategoryGroup:
    category: str
    label: str
    diseases: list[Disease] = field(default_factory=list)


def diseases_grouped_by_category(diseases: DiseaseQuerySet) -> list[CategoryGroup]:
    """Group diseases by category in the fixed category order, sorted by localized name."""
    groups = {value: CategoryGroup(value, str(label)) for value, label in Category.choices}
    for disease in diseases:
        groups.setdefault(disease.category, CategoryGroup(disease.category, disease.category))
        groups[disease.category].diseases.append(disease)
    result = []
    for group in groups.values():
        if group.diseases:
            group.diseases.sort(key=lambda d: d.name.casefold())
            result.append(group)
    return result
