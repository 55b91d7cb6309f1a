"""factory_boy factories for the diagnosis app. Files are real (saved to MEDIA_ROOT
through the storage API), so views that serve them and "nothing left behind" checks work."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.tests.factories import UserFactory
from diagnosis.models import Diagnosis
from diagnosis.services import _random_name
from diagnosis.tests import images

PROBABILITIES = {"nv": 0.7, "mel": 0.2, "bkl": 0.05, "akiec": 0.02, "bcc": 0.01, "df": 0.01, "vasc": 0.01}


def _stored(content: bytes, suffix: str) -> str:
    return default_storage.save(_random_name(suffix), ContentFile(content))


class DiagnosisFactory(factory.django.DjangoModelFactory):
    """A finished diagnosis (photo, thumbnail, heat map, a monitor-tier result) by default;
    ``status=...`` other than done gives the photo and thumbnail only."""

    class Meta:
        model = Diagnosis

    class Params:
        finished = factory.LazyAttribute(lambda o: o.status == Diagnosis.Status.DONE)

    owner = factory.SubFactory(UserFactory)
    status = Diagnosis.Status.DONE
    image = factory.LazyFunction(lambda: _stored(images.jpeg((300, 200)), ".jpg"))
    thumbnail = factory.LazyFunction(lambda: _stored(images.jpeg((120, 80)), ".jpg"))
    image_width = 300
    image_height = 200
    heatmap = factory.Maybe(
        "finished",
        yes_declaration=factory.LazyFunction(
            lambda: _stored(images.encode(images.skin_photo((300, 200)), "PNG"), ".png")
        ),
        no_declaration="",
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
