"""Celery app. Broker is Redis; JSON only; model work goes to the ``inference`` queue."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
# One compute thread per process, set before anything imports numpy: OpenBLAS sizes its
# thread pool when numpy loads, which happens at Django setup in the worker's parent process,
# before the pool forks (so a worker_process_init hook is too late). With the default pool,
# each prediction's small OOD matrix product burned ~25 ms CPU in idle BLAS threads (0.4 ms
# single-threaded); worker processes, not threads, are what scale (see docs/SCALING.md).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["portal"])
