"""AI-vs-clinician agreement numbers and the reviewed-cases CSV on a small fixture."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from diagnosis.models import Diagnosis
from diseases.tests.factories import DiseaseFactory
from review.agreement import agreement_stats
from review.tests.factories import CaseFactory
from review.tests.review_helpers import PRIVATE_NOTE, give_feedback

pytestmark = pytest.mark.django_db

# (AI predicted class, clinician verdict, clinician label)
FIXTURE = [
    ("nv", "agree", "nv"),
    ("nv", "agree", "nv"),
    ("nv", "disagree", "mel"),
    ("mel", "agree", "mel"),
    ("bkl", "disagree", "seborrheic-keratosis"),  # a library code outside the 7 classes
    ("bcc", "cannot_tell", "other"),
]


@pytest.fixture
def reviewed(owner: Any, clinician: Any) -> list[Diagnosis]:
    DiseaseFactory(code="seborrheic-keratosis", name_en="Seborrhoeic keratosis")
    cases = []
    for predicted, verdict, label in FIXTURE:
        d = CaseFactory(owner=owner, predicted_class=predicted, model_version="mnv2-abc123")
        give_feedback(
            diagnosis=d,
            author=clinician,
            verdict=verdict,
            diagnosis_code=label,
            diagnosis_other="unclear" if label == "other" else "",
        )
        cases.append(d)
    CaseFactory(owner=owner)  # requested but not reviewed: not counted
    rejected = CaseFactory(owner=owner, status=Diagnosis.Status.REJECTED)
    give_feedback(
        diagnosis=rejected,
        author=clinician,
        verdict="cannot_tell",
        diagnosis_code="other",
        diagnosis_other="retake",
    )
    return cases


def test_agreement_numbers(reviewed: list[Diagnosis]) -> None:
    stats = agreement_stats()
    assert stats.reviewed == 6  # the rejected photo has no AI result to compare
    assert stats.verdicts == {"agree": 3, "disagree": 2, "cannot_tell": 1}
    assert stats.verdict_rate == pytest.approx(3 / 5)
    assert (stats.labelled, stats.label_matches) == (5, 3)
    assert stats.label_rate == pytest.approx(3 / 5)
    matrix = {
        code: dict(zip(stats.col_codes, row, strict=True))
        for code, row in zip(stats.row_codes, stats.matrix, strict=True)
    }
    assert matrix["nv"]["nv"] == 2
    assert matrix["mel"]["nv"] == 1
    assert matrix["mel"]["mel"] == 1
    assert matrix["other"]["bkl"] == 1
    assert sum(map(sum, stats.matrix)) == 5
    rows = {row["code"]: row for row in stats.rows}
    assert rows["nv"]["rate"] == 1.0
    assert rows["mel"]["rate"] == pytest.approx(0.5)
    assert rows["other"]["rate"] == 0
    assert rows["df"]["rate"] is None


def test_agreement_with_no_reviews_has_no_rates(db: Any) -> None:
    stats = agreement_stats()
    assert (stats.reviewed, stats.verdict_rate, stats.label_rate) == (0, None, None)


def test_agreement_page_shows_the_rates(clinician_client: Client, reviewed: list[Diagnosis]) -> None:
    html = clinician_client.get(reverse("clinician:agreement")).content.decode()
    assert 'data-testid="verdict-rate" dir="ltr">60.0%' in html
    assert 'data-testid="label-rate" dir="ltr">60.0%' in html
    assert 'data-testid="reviewed-count">6<' in html


def test_csv_export_contents(staff_client: Client, reviewed: list[Diagnosis]) -> None:
    response = staff_client.get(reverse("clinician:agreement_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    first = rows[0]
    assert first["diagnosis_id"] == str(reviewed[0].pk)
    assert first["model_version"] == "mnv2-abc123"
    assert first["ai_predicted_class"] == "nv"
    assert float(first["prob_nv"]) == pytest.approx(0.7)
    assert float(first["prob_mel"]) == pytest.approx(0.2)
    assert (first["verdict"], first["clinician_label"]) == ("agree", "nv")
    assert [r["clinician_label"] for r in rows] == [label for _p, _v, label in FIXTURE]
    # No private note and no personal data in the export.
    assert PRIVATE_NOTE not in text
    assert "owner@example.com" not in text
    assert "Olivia" not in text


def test_a_damaged_file_never_reaches_the_queue(owner: Any, clinician: Any) -> None:
    """A file the worker could not decode leaves no photo: nothing for a clinician to look at
    (the patient is asked to send it again), so it is not reviewable."""
    from diagnosis.selectors import diagnosis_reviewable_for_user
    from review.selectors import review_queue

    damaged = CaseFactory(
        owner=owner, status=Diagnosis.Status.REJECTED, image="", thumbnail="", ood_reason="damaged"
    )
    readable = CaseFactory(owner=owner, status=Diagnosis.Status.REJECTED, ood_reason="not_lesion")
    assert list(diagnosis_reviewable_for_user(user=clinician)) == [readable]
    assert damaged not in review_queue(user=clinician)
