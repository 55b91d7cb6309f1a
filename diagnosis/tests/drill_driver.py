"""The "web process" of the fault drills: Django set up once against the drill's own database
and broker, taking one JSON command per stdin line and answering one JSON line on stdout.

    {"op": "submit", "count": 3, "photo": "/path/lesion.jpg"} -> {"ids": [...]}
    {"op": "sweep", "older_than": 1}                            -> {"requeued": 1, ...}

It calls the product's own services (diagnosis_create enqueues on commit; diagnoses_sweep is
what beat runs), and lives through broker and database failures like a real web process.
"""

from __future__ import annotations

import json
import sys
import traceback
from datetime import timedelta


def main() -> None:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import close_old_connections

    from accounts.models import User
    from diagnosis.services import diagnoses_sweep, diagnosis_create

    owner, _ = User.objects.get_or_create(email="drill@example.com")
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        close_old_connections()  # DB_CONN_MAX_AGE=0: a fresh connection per command
        try:
            if command["op"] == "submit":
                with open(command["photo"], "rb") as fh:
                    data = fh.read()
                ids = []
                for _ in range(int(command["count"])):
                    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
                    ids.append(str(diagnosis_create(owner=owner, upload=upload).pk))
                reply: dict = {"ids": ids}
            elif command["op"] == "sweep":
                reply = diagnoses_sweep(older_than=timedelta(seconds=float(command["older_than"])))
            else:
                reply = {"error": f"unknown op {command['op']!r}"}
        except Exception:  # report to the test, keep serving
            reply = {"error": traceback.format_exc()}
        finally:
            close_old_connections()
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
