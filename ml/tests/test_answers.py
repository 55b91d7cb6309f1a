"""The patient's answers: validation, encoding (unknown = zeros) and the two metadata formats."""

from __future__ import annotations

import numpy as np
import pytest

from ml.answers import ENCODED_SIZE, Answers, encode, from_metadata_row, group_slices, read_metadata


def test_no_answers_encode_as_zeros_and_every_group_has_its_own_slots():
    assert not encode(None).any() and not encode(Answers()).any()
    assert encode(None).shape == (ENCODED_SIZE,)
    slices = group_slices()
    assert sum(s.stop - s.start for s in slices.values()) == ENCODED_SIZE
    yes, no = encode(Answers(bleeds=True)), encode(Answers(bleeds=False))
    assert yes[slices["bleeds"]].tolist() == [1.0, 0.0] and no[slices["bleeds"]].tolist() == [0.0, 1.0]
    assert np.count_nonzero(yes) == 1


@pytest.mark.parametrize(
    "bad", [{"sex": "other"}, {"body_site": "elbow"}, {"fitzpatrick": 7}, {"age": -1}, {"age": 200}]
)
def test_out_of_range_answers_are_refused(bad):
    with pytest.raises(ValueError):
        Answers(**bad)


def test_round_trip_ignores_unknown_keys():
    answers = Answers(age=52, sex="male", itches=False, duration="years")
    assert Answers.from_dict({**answers.to_dict(), "colour": "red"}) == answers
    assert answers.answered() == ("age", "sex", "itches")


def test_pad_ufes_row_maps_region_and_treats_unk_and_empty_as_unknown():
    row = {"img_id": "PAT_1_2_3.png", "age": "65", "gender": "FEMALE", "region": "FOREARM",
           "fitspatrick": "2.0", "itch": "True", "grew": "UNK", "hurt": "", "changed": "False",
           "bleed": "True", "elevation": "False"}  # fmt: skip
    answers = from_metadata_row(row)
    assert answers == Answers(age=65, sex="female", body_site="upper extremity", fitzpatrick=2,
                              itches=True, grew=None, hurts=None, changed=False, bleeds=True,
                              raised=False)  # fmt: skip


def test_ham10000_row_gives_age_sex_and_site_only():
    row = {"image_id": "ISIC_1", "age": "", "sex": "male", "localization": "lower extremity"}
    assert from_metadata_row(row) == Answers(sex="male", body_site="lower extremity")
    assert from_metadata_row({**row, "localization": "unknown"}).body_site is None


def test_read_metadata_keys_rows_by_file_stem(tmp_path):
    path = tmp_path / "metadata.csv"
    path.write_text("img_id,age,region,itch\nPAT_9_1_5.png,40,NOSE,False\n")
    assert read_metadata(path) == {"PAT_9_1_5": Answers(age=40, body_site="face", itches=False)}
