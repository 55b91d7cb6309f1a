from __future__ import annotations

import pytest

from diseases.selectors import disease_for_code
from diseases.tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db


def test_disease_for_code_returns_published_page():
    mel = DiseaseFactory(code="mel")

    assert disease_for_code("mel") == mel


def test_disease_for_code_ignores_unpublished_and_unknown_codes():
    DiseaseFactory(code="bkl", published=False)

    assert disease_for_code("bkl") is None
    assert disease_for_code("nope") is None
    assert disease_for_code("") is None
