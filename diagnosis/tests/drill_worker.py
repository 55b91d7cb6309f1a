"""A real Celery worker for the fault drills, with an optional slow model step.

    python -m diagnosis.tests.drill_worker -Q inference,default -c 1 -n drill@localhost

With DRILL_TASK_DELAY=<seconds> every prediction sleeps that long first, so a drill can
act while a task is genuinely in flight (row claimed "running", message unacknowledged).
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

        def slow_predict(self: predictor.Predictor, image: object) -> predictor.Prediction:
            time.sleep(delay)
            return original(self, image)  # type: ignore[arg-type]

        predictor.Predictor.predict = slow_predict  # type: ignore[method-assign]

    from portal.celery import app

    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
