"""One way to send a stored media file after the caller's access check.

Media is never served publicly: every view decides who may see a file, then hands it here.
On the local filesystem behind nginx (``SENDFILE_NGINX=1``) the bytes go out through an
``internal`` ``/protected/`` location via X-Accel-Redirect (README, "Diagnosis pipeline");
on S3-compatible storage (``MEDIA_STORAGE=s3``) either Django streams the private object
(``MEDIA_S3_SERVE=stream``) or answers 302 to a presigned URL that expires after
``MEDIA_S3_URL_SECONDS`` and makes the storage send the same headers (``redirect``);
otherwise Django streams the file.
"""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, HttpResponseRedirect


def _local(stored: FieldFile) -> bool:
    return isinstance(stored.storage, FileSystemStorage)  # (the lazy default_storage proxies this)


def _presigned_redirect(stored: FieldFile, content_type: str, cache_control: str) -> HttpResponse:
    # S3Storage.url takes ``parameters``; FieldFile.storage is typed as the base Storage.
    url = stored.storage.url(  # type: ignore[call-arg]
        stored.name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseCacheControl": cache_control,
            "ResponseContentDisposition": "inline",
        },
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"  # the URL itself must not be kept
    response["Referrer-Policy"] = "no-referrer"
    return response


def stored_file_response(stored: FieldFile | None, *, cache_control: str) -> HttpResponseBase:
    if not stored or not stored.name:
        raise Http404
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    local = _local(stored)
    if not local and settings.MEDIA_S3_SERVE == "redirect":
        return _presigned_redirect(stored, content_type, cache_control)
    response: HttpResponseBase
    if local and settings.SENDFILE_NGINX:
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
