"""factory_boy factories for the diagnosis app. Files are real (saved to MEDIA_ROOT through
the storage API), so views that serve them and "nothing left behind" checks work."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.tests.factories import UserFactory
from diagnosis.media import random_name
from diagnosis.models import Diagnosis
from diagnosis.tests import images

PROBABILITIES = {"nv": 0.7, "mel": 0.2, "bkl": 0.05, "akiec": 0.02, "bcc": 0.01, "df": 0.01, "vasc": 0.01}
# A 7 x 7 Grad-CAM grid, hottest in the middle, over the central square of a 3:2 photo.
CAM_GRID = {
    "rows": 7,
    "cols": 7,
    "values": [
        round(max(0.0, 1 - ((r - 3) ** 2 + (c - 3) ** 2) / 18), 3) for r in range(7) for c in range(7)
    ],
    "box": [1 / 6, 0.0, 5 / 6, 1.0],
}


def _stored(content: bytes, suffix: str) -> str:
    return default_storage.save(random_name(suffix), ContentFile(content))


def _photo() -> str:
    return _stored(images.jpeg((300, 200)), ".jpg")


class DiagnosisFactory(factory.django.DjangoModelFactory):
    """A finished diagnosis (photo, thumbnail, heat-map grid, a monitor-tier result) by default.

    Queued/running ones hold only the upload's bytes (the worker has not decoded them yet);
    rejected/failed ones a photo and thumbnail; ``with_png=True`` adds an already rendered
    heat-map PNG to a done one, as rows from before grids."""

    class Meta:
        model = Diagnosis

    class Params:
        with_png = False
        pending = factory.LazyAttribute(lambda o: o.status in Diagnosis.PENDING_STATUSES)
        finished = factory.LazyAttribute(lambda o: o.status == Diagnosis.Status.DONE)
        png = factory.LazyAttribute(lambda o: o.finished and o.with_png)

    owner = factory.SubFactory(UserFactory)
    status = Diagnosis.Status.DONE
    upload = factory.Maybe(
        "pending",
        yes_declaration=factory.LazyFunction(lambda: _stored(images.jpeg((300, 200)), ".upload")),
        no_declaration="",
    )
    image = factory.Maybe("pending", yes_declaration="", no_declaration=factory.LazyFunction(_photo))
    thumbnail = factory.Maybe(
        "pending",
        yes_declaration="",
        no_declaration=factory.LazyFunction(lambda: _stored(images.jpeg((120, 80)), ".jpg")),
    )
    image_width = factory.Maybe("pending", yes_declaration=0, no_declaration=300)
    image_height = factory.Maybe("pending", yes_declaration=0, no_declaration=200)
    heatmap = factory.Maybe(
        "png",
        yes_declaration=factory.LazyFunction(
            lambda: _stored(images.encode(images.skin_photo((300, 200)), "PNG"), ".png")
        ),
        no_declaration="",
    )
    cam_grid = factory.Maybe(
        "finished",
        yes_declaration=factory.LazyFunction(lambda: dict(CAM_GRID)),
        no_declaration=factory.LazyFunction(dict),
    )
    model_version = factory.Maybe("finished", yes_declaration="test-model-1", no_declaration="")
    probabilities = factory.Maybe(
        "finished",
        yes_declaration=factory.LazyFunction(PROBABILITIES.copy),
        no_declaration=factory.LazyFunction(dict),
    )
    top3 = factory.Maybe(
        "finished",
        yes_declaration=factory.LazyFunction(lambda: [["nv", 0.7], ["mel", 0.2], ["bkl", 0.05]]),
        no_declaration=factory.LazyFunction(list),
    )
    predicted_class = factory.Maybe("finished", yes_declaration="nv", no_declaration="")
    confidence = factory.Maybe("finished", yes_declaration=0.7)
    risk_tier = factory.Maybe("finished", yes_declaration=Diagnosis.Risk.MONITOR, no_declaration="")
    cam_class = factory.Maybe("finished", yes_declaration="nv", no_declaration="")
    ood_score = factory.Maybe("finished", yes_declaration=1.0)
