"""The one way a diagnosis's photo, thumbnail or heat map leaves the server.

Every endpoint (patient pages, patient API, clinician pages, clinician API) first decides who
may see the diagnosis with its own selector, then calls :func:`diagnosis_file_response`. The
heat-map PNG is no longer made by the worker: the worker stores the Grad-CAM grid and the pages
draw it in the browser; for API clients that fetch ``heatmap.png`` it is rendered from the
grid on first request and kept (``Diagnosis.heatmap``).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import Http404, HttpResponseBase

from diagnosis import media
from diagnosis.models import Diagnosis
from portal.files import stored_file_response

logger = logging.getLogger(__name__)

FIELDS = ("image", "thumbnail", "heatmap")
OVERLAY_MAX_SIDE = 800  # heat maps are smooth; keeps the PNG ~0.4 MB for phones
# Photos are health data and phones are shared: never stored in a browser cache.
CACHE_CONTROL = "private, no-store"


def heatmap_render(diagnosis: Diagnosis) -> Diagnosis:
    """Make sure ``diagnosis.heatmap`` holds the PNG overlay (rendered once from the grid)."""
    if diagnosis.heatmap or not diagnosis.cam_grid or not diagnosis.image:
        return diagnosis
    import numpy as np
    from PIL import Image

    from ml.overlay import render_overlay  # numpy + Pillow only

    grid = diagnosis.cam_grid
    cam = np.asarray(grid["values"], dtype=np.float32).reshape(grid["rows"], grid["cols"])
    with diagnosis.image.open("rb") as fh, Image.open(fh) as photo:  # our own master JPEG
        photo.draft("RGB", (OVERLAY_MAX_SIDE, OVERLAY_MAX_SIDE))
        png = render_overlay(photo, cam, max_side=OVERLAY_MAX_SIDE, box=tuple(grid["box"]))
    name = media.save_pending(png, ".png")
    with transaction.atomic():
        current = Diagnosis.objects.select_for_update().filter(pk=diagnosis.pk).first()
        if current is None or current.heatmap:  # deleted, or another request was first
            winner = current.heatmap.name if current is not None else ""
        else:
            current.heatmap = winner = name
            current.save(update_fields=["heatmap"])
            media.settle([name])
    if winner != name:
        media.delete_files([name])
    diagnosis.heatmap = winner
    return diagnosis


def diagnosis_file_response(diagnosis: Diagnosis, field: str) -> HttpResponseBase:
    """A stored file of a diagnosis the caller has already checked access to (404 if absent)."""
    if field not in FIELDS:
        raise Http404
    if field == "heatmap":
        heatmap_render(diagnosis)
    return stored_file_response(getattr(diagnosis, field), cache_control=CACHE_CONTROL)
