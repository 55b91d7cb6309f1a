"""Writes for the disease library: seed loading and the content-editor role."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.roles import CONTENT_EDITOR_GROUP, roles_cache_clear
from diseases.models import SECTION_FIELDS, Disease, DiseaseReference

logger = logging.getLogger(__name__)

# CONTENT_EDITOR_GROUP (named in accounts.roles) is created by migration 0002 with
# add/change/view on the three disease models only.

SEED_PATH = Path(__file__).resolve().parent / "seed" / "diseases.json"
SEED_FIELDS = (
    "name_en",
    "name_ar",
    "category",
    "urgency",
    "is_model_class",
    *(f"{section}_{language}" for section in SECTION_FIELDS for language in ("en", "ar")),
    "published",
    "last_reviewed",
)


class SeedError(Exception):
    """The seed file is unreadable or an entry is invalid."""


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    kept: list[str] = field(default_factory=list)
    unknown_keys: frozenset[str] = frozenset()


def _parse_date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise SeedError(f"last_reviewed must be YYYY-MM-DD, got {value!r}") from exc


def _reviewed_after_seed(disease: Disease, data: Mapping[str, Any]) -> bool:
    seed_reviewed = _parse_date(data.get("last_reviewed"))
    return bool(disease.last_reviewed and seed_reviewed and disease.last_reviewed > seed_reviewed)


def disease_upsert_from_seed(*, data: Mapping[str, Any], force: bool = False) -> tuple[Disease, bool | None]:
    """Create or update one disease (matched by ``code``) and replace its references.

    Returns ``(disease, created)``; ``created`` is None when the page was left alone because
    a curator reviewed it in the admin more recently than the seed entry (``last_reviewed``
    is later), so re-running the seed never silently reverts newer curated content;
    ``force`` overrides that.

    The entry is validated with ``full_clean()``, so a published entry missing a language
    fails loudly instead of producing a half-empty page.
    """
    code = data.get("code")
    if not code:
        raise SeedError("every entry needs a 'code'")
    disease = Disease.objects.filter(code=code).first()
    created = disease is None
    if disease is None:
        disease = Disease(code=code)
    elif not force and _reviewed_after_seed(disease, data):
        return disease, None
    for name in SEED_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "last_reviewed":
            value = _parse_date(value)
        elif name not in ("is_model_class", "published"):
            value = "" if value is None else str(value)
        setattr(disease, name, value)
    try:
        disease.full_clean()
    except ValidationError as exc:
        raise SeedError(f"{code}: {exc.message_dict}") from exc
    disease.save()

    if "references" in data:
        references = []
        for order, item in enumerate(data["references"] or []):
            reference = DiseaseReference(
                disease=disease,
                title=str(item.get("title", "")),
                url=str(item.get("url", "")),
                order=order,
            )
            try:
                reference.full_clean()
            except ValidationError as exc:
                raise SeedError(f"{code}: reference {order}: {exc.message_dict}") from exc
            references.append(reference)
        disease.references.all().delete()
        DiseaseReference.objects.bulk_create(references)
    return disease, created


def disease_seed_load(*, entries: Iterable[Mapping[str, Any]], force: bool = False) -> SeedResult:
    """Upsert every entry in one transaction: either the whole seed applies or nothing."""
    result = SeedResult()
    known = {"code", "references", *SEED_FIELDS}
    unknown: set[str] = set()
    codes: set[str | None] = set()
    with transaction.atomic():
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise SeedError("each seed entry must be a JSON object")
            if entry.get("code") in codes:
                raise SeedError(f"duplicate code {entry.get('code')!r}")
            codes.add(entry.get("code"))
            unknown.update(set(entry) - known)
            disease, created = disease_upsert_from_seed(data=entry, force=force)
            if created is None:
                result.kept.append(disease.code)
            elif created:
                result.created += 1
            else:
                result.updated += 1
    result.unknown_keys = frozenset(unknown)
    return result


def disease_seed_load_file(*, path: Path = SEED_PATH, force: bool = False) -> SeedResult:
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeedError(f"seed file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise SeedError(f"seed file is not valid JSON: {path}: {exc}") from exc
    if not isinstance(entries, list):
        raise SeedError("the seed file must contain a JSON list")
    result = disease_seed_load(entries=entries, force=force)
    logger.info(
        "Disease seed loaded: %d created, %d updated, %d kept",
        result.created,
        result.updated,
        len(result.kept),
    )
    return result


def content_editor_grant(*, user: User) -> None:
    """Make ``user`` a content editor: staff (to reach the admin) + the editor group.

    Staff status is only the key to the Django admin: it makes nobody an admin or a
    reviewer (accounts.roles), so an editor reaches the disease library and nothing else.
    """
    group = Group.objects.get(name=CONTENT_EDITOR_GROUP)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)
    roles_cache_clear(user)
