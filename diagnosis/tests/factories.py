from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from diagnosis.models import Diagnosis
from diagnosis.services import _random_name
from diagnosis.tests import images


def make_diagnosis(*, owner: Any, status: str = Diagnosis.Status.DONE, **fields: Any) -> Diagnosis:
    """A diagnosis with real files in MEDIA_ROOT (photo, thumbnail and, when done, a heat map)."""
    photo = images.jpeg((300, 200))
    values: dict[str, Any] = {
        "image": default_storage.save(_random_name(".jpg"), ContentFile(photo)),
        "thumbnail": default_storage.save(_random_name(".jpg"), ContentFile(images.jpeg((120, 80)))),
        "image_width": 300,
        "image_height": 200,
        "status": status,
    }
    if status == Diagnosis.Status.DONE:
        values.update(
            heatmap=default_storage.save(
                _random_name(".png"), ContentFile(images.encode(images.skin_photo((300, 200)), "PNG"))
            ),
            model_version="test-model-1",
            probabilities={
                "nv": 0.7,
                "mel": 0.2,
                "bkl": 0.05,
                "akiec": 0.02,
                "bcc": 0.01,
                "df": 0.01,
                "vasc": 0.01,
            },
            top3=[["nv", 0.7], ["mel", 0.2], ["bkl", 0.05]],
            predicted_class="nv",
            confidence=0.7,
            risk_tier=Diagnosis.Risk.MONITOR,
            cam_class="nv",
            ood_score=1.0,
        )
    values.update(fields)
    return Diagnosis.objects.create(owner=owner, **values)
