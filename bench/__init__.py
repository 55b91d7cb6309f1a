"""`make bench`: benchmarks of the serving path against a seed-style baseline (see bench/run.py)."""

from __future__ import annotations

import os

# In-process measurements must run like a worker process: one compute thread, pinned before
# numpy loads (the product does the same in portal/celery.py).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
