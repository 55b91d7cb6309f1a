"""The review models moved apps without touching their rows: a database migrated up to
the last schema before the move keeps its feedback, claims and audit log, and the
permissions on them follow the models to the review app."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("diagnosis", "0004_framing_answers_trust"), ("review", None)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_rows_and_permissions_survive_the_move_to_the_review_app() -> None:
    executor = MigrationExecutor(connection)
    old = executor.migrate(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="doc@example.com", is_clinician=True)
    patient = old.get_model("accounts", "User").objects.create(email="pat@example.com")
    diagnosis = old.get_model("diagnosis", "Diagnosis").objects.create(owner=patient, image="x.jpg")
    feedback = old.get_model("diagnosis", "Feedback").objects.create(
        diagnosis=diagnosis,
        author=user,
        verdict="agree",
        diagnosis_code="nv",
        urgency="routine",
        message="Fine.",
    )
    old.get_model("diagnosis", "FeedbackVersion").objects.create(
        feedback=feedback,
        number=1,
        author=user,
        verdict="agree",
        diagnosis_code="nv",
        urgency="routine",
        message="Fine.",
    )
    old.get_model("diagnosis", "CaseAccessLog").objects.create(
        user=user, user_email=user.email, diagnosis=diagnosis, diagnosis_ref=str(diagnosis.pk), action="view"
    )
    content_types = old.get_model("contenttypes", "ContentType")
    moved_type: Any = content_types.objects.get_or_create(app_label="diagnosis", model="feedback")[0]

    executor = MigrationExecutor(connection)  # a fresh graph, as `manage.py migrate` would build
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType

    from review.models import CaseAccessLog, Feedback, FeedbackVersion

    moved = Feedback.objects.get(pk=feedback.pk)
    assert (moved.diagnosis_id, moved.message, moved.author_id) == (diagnosis.pk, "Fine.", user.pk)
    assert FeedbackVersion.objects.filter(feedback=moved).count() == 1
    assert CaseAccessLog.objects.filter(diagnosis_id=diagnosis.pk).count() == 1
    ContentType.objects.clear_cache()
    assert ContentType.objects.get(pk=moved_type.pk).app_label == "review"
    assert ContentType.objects.get_for_model(Feedback).pk == moved_type.pk
