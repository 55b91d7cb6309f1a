from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from diagnosis.media import random_name as _random_name
from diagnosis.models import Diagnosis
from diagnosis.tests import images

# A 7 x 7 Grad-CAM grid, hottest in the middle, over the central square of a 3:2 photo.
CAM_GRID = {
    "rows": 7,
    "cols": 7,
    "values": [
        round(max(0.0, 1 - ((r - 3) ** 2 + (c - 3) ** 2) / 18), 3) for r in range(7) for c in range(7)
    ],
    "box": [1 / 6, 0.0, 5 / 6, 1.0],
}


def make_diagnosis(
    *, owner: Any, status: str = Diagnosis.Status.DONE, with_png: bool = False, **fields: Any
) -> Diagnosis:
    """A diagnosis with real files in MEDIA_ROOT: queued/running ones hold the upload's bytes (the
    worker has not decoded them yet), others a photo and thumbnail; done ones also a heat-map grid
    (``with_png=True``: and an already rendered heat-map PNG, as rows from before grids)."""
    photo = images.jpeg((300, 200))
    values: dict[str, Any] = {"status": status}
    if status in Diagnosis.PENDING_STATUSES:
        values["upload"] = default_storage.save(_random_name(".upload"), ContentFile(photo))
    else:
        values.update(
            image=default_storage.save(_random_name(".jpg"), ContentFile(photo)),
            thumbnail=default_storage.save(_random_name(".jpg"), ContentFile(images.jpeg((120, 80)))),
            image_width=300,
            image_height=200,
        )
    if status == Diagnosis.Status.DONE:
        if with_png:
            values["heatmap"] = default_storage.save(
                _random_name(".png"), ContentFile(images.encode(images.skin_photo((300, 200)), "PNG"))
            )
        values.update(
            cam_grid=CAM_GRID,
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
