"""How far to trust a result: the kind of photo, the model's measured reliability for it, whether
answering helped; rejected photos told apart; cautious risk wording; the same facts in the API."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from diagnosis.models import Diagnosis
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import DERMOSCOPY_RELIABILITY, PHONE_RELIABILITY
from diagnosis.trust import answers_helped, parse_reliability, trust_for

pytestmark = pytest.mark.django_db


def phone_result(owner: Any, **fields: Any) -> Diagnosis:
    values = {"domain": "phone", "domain_probability": 0.93, "reliability": PHONE_RELIABILITY, **fields}
    return DiagnosisFactory(owner=owner, **values)


def page(client: Client, diagnosis: Diagnosis, **headers: Any) -> str:
    return client.get(diagnosis.get_absolute_url(), **headers).content.decode()


def test_the_result_says_which_kind_of_photo_and_how_reliable_the_model_is_on_it(
    owner_client: Client, owner: Any
) -> None:
    html = page(owner_client, phone_result(owner))
    assert 'data-testid="trust"' in html and 'data-domain="phone"' in html
    assert "ordinary phone photo (93% sure)" in html
    assert "Tested on 170 phone photos it had not learned from (118 of them" in html
    # Without answers used: the without-answers figures (90% sent to urgent, 50% of others too).
    assert "sent 90% of the cancerous or precancerous spots to “urgent”, and also 50% of the other" in html
    # The patient did not answer, and answers measurably help on phone photos.
    assert "Answering the questions would probably have helped" in html
    assert "named correctly 64% of the time with answers, 60% without" in html


def test_with_answers_used_the_with_answers_figures_are_stated(owner_client: Client, owner: Any) -> None:
    html = page(
        owner_client, phone_result(owner, answers={"grew": True, "age": 40}, answers_used=["age", "grew"])
    )
    assert "sent 93% of the cancerous or precancerous spots" in html
    assert "Your answers were used: on this kind of photo they helped" in html
    assert "named correctly 64% of the time with answers, 60% without" in html


def test_when_answers_did_not_help_it_says_so(owner_client: Client, owner: Any) -> None:
    flat = copy.deepcopy(PHONE_RELIABILITY)
    flat["with_answers"] = dict(flat["without_answers"])
    html = page(owner_client, phone_result(owner, reliability=flat))
    assert "answering the questions did not measurably improve the result" in html


def test_without_a_with_answers_measurement_it_says_it_was_not_measured(
    owner_client: Client, owner: Any
) -> None:
    html = page(
        owner_client,
        DiagnosisFactory(
            owner=owner, domain="dermoscopy", domain_probability=0.81, reliability=DERMOSCOPY_RELIABILITY
        ),
    )
    assert "dermatoscope image" in html and "(81% sure)" in html
    assert "Tested on 1507 dermatoscope images" in html
    assert "has not been measured for this kind of photo" in html


def test_a_model_without_domain_head_or_reliability_says_less_and_invents_nothing(
    owner_client: Client, owner: Any
) -> None:
    html = page(owner_client, DiagnosisFactory(owner=owner, answers={"grew": True}))
    assert "does not say which kind of photo" in html
    assert "Tested on" not in html
    # It answered, but this model has no answers input.
    assert "does not use your answers" in html


@pytest.mark.parametrize(
    "broken",
    [
        {"images": "many"},
        {"images": 10, "malignant": 20, "without_answers": PHONE_RELIABILITY["without_answers"]},
        {"images": 10, "malignant": 2, "without_answers": {"urgent_sensitivity": 1.7}},
        ["not", "a", "dict"],
    ],
)
def test_malformed_reliability_metadata_is_ignored_not_shown(
    owner_client: Client, owner: Any, broken: Any
) -> None:
    diagnosis = phone_result(owner, reliability=broken)
    html = page(owner_client, diagnosis)
    assert "Tested on" not in html and "ordinary phone photo" in html
    api = APIClient()
    api.force_authenticate(owner)
    assert api.get(reverse("api:diagnosis-detail", kwargs={"pk": diagnosis.pk})).json()["reliability"] is None


def test_answers_helped_needs_a_real_gain() -> None:
    reliability = parse_reliability(PHONE_RELIABILITY)
    assert reliability is not None and answers_helped(reliability) is True
    worse = copy.deepcopy(PHONE_RELIABILITY)
    worse["with_answers"]["urgent_sensitivity"] = 0.85  # better balance, but misses more cancers
    assert answers_helped(parse_reliability(worse)) is False  # type: ignore[arg-type]
    assert answers_helped(parse_reliability(DERMOSCOPY_RELIABILITY)) is None  # type: ignore[arg-type]


def test_trust_is_only_for_finished_results(owner: Any) -> None:
    queued = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    assert trust_for(queued).reliability_sentence == ""


def test_the_reliability_sentence_is_in_arabic(owner_client: Client, owner: Any) -> None:
    html = page(owner_client, phone_result(owner), HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in html
    assert "عند اختباره على 170 صورة هاتف" in html and "Tested on" not in html
    assert "إلى أي حد يمكن الوثوق بهذه النتيجة" in html


def test_the_api_gives_the_same_facts(owner: Any) -> None:
    diagnosis = phone_result(owner, answers={"grew": True}, answers_used=["grew"])
    api = APIClient()
    api.force_authenticate(owner)
    body = api.get(reverse("api:diagnosis-detail", kwargs={"pk": diagnosis.pk})).json()
    assert body["domain"] == "phone" and body["domain_probability"] == pytest.approx(0.93)
    assert body["answers_used"] == ["grew"]
    assert body["reliability"]["images"] == 170 and body["reliability"]["answers_helped"] is True
    assert body["reliability"]["with_answers"]["urgent_sensitivity"] == pytest.approx(0.93)
    assert body["trust"]["reliability_sentence"].startswith("Tested on 170 phone photos")


# --- risk wording -----------------------------------------------------------------------------


def test_routine_never_says_benign(owner_client: Client, owner: Any) -> None:
    for tier in ("routine", "monitor"):
        html = page(owner_client, DiagnosisFactory(owner=owner, risk_tier=tier, top3=[["df", 0.8]]))
        alert = html[html.index('data-testid="risk-tier"') :][:800]
        assert "benign" not in alert.lower(), tier
    routine = page(owner_client, DiagnosisFactory(owner=owner, risk_tier="routine"))
    assert "does not rule anything out" in routine


# --- rejected photos --------------------------------------------------------------------------


def rejected(owner: Any, reason: str, **fields: Any) -> Diagnosis:
    return DiagnosisFactory(
        owner=owner,
        status=Diagnosis.Status.REJECTED,
        ood_flag=True,
        ood_score=9.0,
        ood_reason=reason,
        **fields,
    )


def test_not_a_single_spot_offers_a_clinician_and_the_library(owner_client: Client, owner: Any) -> None:
    diagnosis = rejected(owner, "not_lesion", review_requested=False)
    html = page(owner_client, diagnosis)
    assert 'data-kind="not_single_spot"' in html and "does not look like a single spot" in html
    assert "a rash" in html
    assert reverse("diagnosis:request_review", kwargs={"pk": diagnosis.pk}) in html
    assert reverse("diseases:list") in html and 'data-testid="library-link"' in html
    assert 'data-testid="top3"' not in html


def test_not_a_single_spot_with_review_already_asked_says_so(owner_client: Client, owner: Any) -> None:
    html = page(owner_client, rejected(owner, "not_lesion", review_requested=True))
    assert 'data-testid="review-asked"' in html and 'data-testid="request-review"' not in html


@pytest.mark.parametrize(
    ("reason", "detail"),
    [
        ("blurry", "blurred"),
        ("too_dark", "too dark"),
        ("too_bright", "too bright"),
        ("no_detail", "almost no detail"),
        ("noise", "grainy"),
        ("some_new_code", ""),
    ],
)
def test_photo_quality_problems_are_told_apart_from_not_a_spot(
    owner_client: Client, owner: Any, reason: str, detail: str
) -> None:
    html = page(owner_client, rejected(owner, reason))
    assert 'data-kind="photo_quality"' in html and "not sharp, bright or close enough" in html
    assert detail in html
    assert "does not look like a single spot" not in html and 'data-testid="library-link"' not in html


def test_the_api_tells_the_rejection_kinds_apart(owner: Any) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    for reason, kind in (("not_lesion", "not_single_spot"), ("too_dark", "photo_quality"), ("", "")):
        body = api.get(reverse("api:diagnosis-detail", kwargs={"pk": rejected(owner, reason).pk})).json()
        assert (body["ood_reason"], body["rejection_kind"]) == (reason, kind)


def test_asking_for_review_after_a_rejection(owner_client: Client, owner: Any) -> None:
    diagnosis = rejected(owner, "not_lesion", review_requested=False)
    url = reverse("diagnosis:request_review", kwargs={"pk": diagnosis.pk})
    assert owner_client.get(url).status_code == 405
    response = owner_client.post(url)
    assert response.status_code == 302 and response["Location"] == diagnosis.get_absolute_url()
    diagnosis.refresh_from_db()
    assert diagnosis.review_requested


@pytest.mark.parametrize("who", ["other_client", "clinician_client", "client"])
def test_nobody_else_can_ask_for_review_of_someone_elses_photo(
    request: pytest.FixtureRequest, owner: Any, who: str
) -> None:
    diagnosis = rejected(owner, "not_lesion", review_requested=False)
    response = request.getfixturevalue(who).post(
        reverse("diagnosis:request_review", kwargs={"pk": diagnosis.pk})
    )
    assert response.status_code == (302 if who == "client" else 404)
    if who == "client":
        assert reverse("account_login") in response["Location"]
    diagnosis.refresh_from_db()
    assert not diagnosis.review_requested


def test_clinicians_see_why_the_model_refused_a_photo(clinician_client: Client, owner: Any) -> None:
    diagnosis = rejected(owner, "not_lesion", review_requested=True)
    html = clinician_client.get(reverse("clinician:case", kwargs={"pk": diagnosis.pk})).content.decode()
    assert 'data-testid="case-rejection-reason"' in html and "does not look like a single spot" in html
