"""A real Celery worker for the fault drills, with an optional slow model step.

    python -m diagnosis.tests.drill_worker -Q inference,default -c 1 -n drill@localhost

With DRILL_TASK_DELAY=<seconds> every prediction sleeps that long first, so a drill can
act while a task is genuinely in flight (row claimed "running", message unacknowledged).
With DRILL_POISON_SIZE=<w>x<h> a photo of exactly that size kills the pool process that
analyses it (SIGKILL, as a decoder segfault or the OOM killer would), every time.
Everything else is the product's own worker: same app, settings, task and services.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    delay = float(os.environ.get("DRILL_TASK_DELAY", "0") or 0)
    if delay > 0:
        from ml import predictor

        original = predictor.Predictor.predict

        def slow_predict(
            self: predictor.Predictor, image: object, answers: object = None
        ) -> predictor.Prediction:
            time.sleep(delay)
            return original(self, image, answers)  # type: ignore[arg-type]

        predictor.Predictor.predict = slow_predict  # type: ignore[method-assign]

    poison = os.environ.get("DRILL_POISON_SIZE", "")
    if poison:
        import signal

        from ml import predictor

        size = tuple(int(n) for n in poison.split("x"))
        unpoisoned = predictor.Predictor.predict

        def deadly_predict(
            self: predictor.Predictor, image: object, answers: object = None
        ) -> predictor.Prediction:
            if getattr(image, "size", None) == size:
                os.kill(os.getpid(), signal.SIGKILL)
            return unpoisoned(self, image, answers)  # type: ignore[arg-type]

        predictor.Predictor.predict = deadly_predict  # type: ignore[method-assign]

    from portal.celery import app

    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
