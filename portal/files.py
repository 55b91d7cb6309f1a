"""One way to send a stored media file after the caller's access check.

Media is never served publicly: every view decides who may see a file, then hands it here.
Behind nginx (``SENDFILE_NGINX=1``) the bytes go out through an ``internal`` ``/protected/``
location via X-Accel-Redirect (README, "Diagnosis pipeline"); otherwise Django streams them.
"""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse


def stored_file_response(stored: FieldFile | None, *, cache_control: str) -> HttpResponse:
    if not stored or not stored.name:
        raise Http404
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    if getattr(settings, "SENDFILE_NGINX", False):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"/protected/{stored.name}"
    else:
        try:
            response = FileResponse(stored.open("rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404 from None
    response["Cache-Control"] = cache_control
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response
