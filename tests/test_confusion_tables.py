"""ASR confusion tables: data keyed by model family, applied only while that model is in use."""

from __future__ import annotations

import json
import os
import pickle

import pytest
import yaml
from voicescrub.transforms.asr.whisper import BUNDLED_MODEL, model_family
from voicescrub.transforms.pii.asr_confusions import (
    LIST_MEANINGS,
    ConfusionTableError,
    load_table,
    resolve_table,
    shipped_families,
    unfitted,
)
from voicescrub.transforms.pii.config import (
    DEFAULT_CONFIG_PATH,
    PiiConfigError,
    config_from_dict,
    load_pii_config,
)
from voicescrub.transforms.pii.detector import PiiDetector

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_EN = os.path.join(ROOT, "transforms", "pii", "asr_confusions", "tiny.en.yaml")


def _shipped_raw() -> dict:
    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def with_table():
    return load_pii_config(asr_model=BUNDLED_MODEL)


@pytest.fixture(scope="module")
def without_table():
    return load_pii_config(asr_model="large-v3")


@pytest.mark.parametrize(
    "model, family",
    [
        (BUNDLED_MODEL, "tiny.en"),
        ("tiny.en", "tiny.en"),
        ("large-v3", "large-v3"),
        ("/models/faster-whisper-tiny.en", "tiny.en"),
        ("/models/faster-whisper-tiny.en/", "tiny.en"),
        ("gs://bucket/models/whisper-base.en", "base.en"),
        ("/models/distil-large-v3", "distil-large-v3"),
    ],
)
def test_model_family_names_the_table(model: str, family: str) -> None:
    assert model_family(model) == family


def test_the_shipped_table_fits_the_shipped_config(with_table) -> None:
    table = load_table(TINY_EN)
    assert "tiny.en" in shipped_families()
    assert len(table.confusions) >= 20
    # Every entry joins only lists that hold what it means, and every one has a reason.
    assert unfitted(table, with_table) == ()
    assert all(len(c.reason.split()) >= 3 for c in table.confusions)
    assert all(set(c.lists) <= set(LIST_MEANINGS) for c in table.confusions)


def test_every_shipped_entry_was_measured_more_than_once_across_voices() -> None:
    table = load_table(TINY_EN)
    unmeasured = [c for c in table.confusions if c.measured is None]
    assert len(unmeasured) == 0
    assert all(c.measured.count >= 2 and c.measured.voices >= 2 for c in table.confusions)
    assert all(c.measured.count <= c.measured.spoken for c in table.confusions)


def test_the_table_is_applied_only_for_its_model(with_table, without_table) -> None:
    assert with_table.confusion_table == "tiny.en"
    assert without_table.confusion_table == "none"
    table = load_table(TINY_EN)
    policy_on, policy_off = with_table.digit_run_failsafe, without_table.digit_run_failsafe
    for confusion in table.confusions:
        if "banking_context_words" in confusion.lists:
            assert confusion.heard in policy_on.banking_context_words
            assert confusion.heard not in policy_off.banking_context_words
        if "banking_sound_alikes" in confusion.lists:
            assert confusion.heard in policy_on.banking_sound_alikes
            assert confusion.heard not in policy_off.banking_sound_alikes
        if "iban_cue_words" in confusion.lists:
            assert confusion.heard in with_table.iban_prefix.cue_words
            assert confusion.heard not in without_table.iban_prefix.cue_words
        if "digit_homophones" in confusion.lists:
            assert confusion.heard in with_table.spoken_forms.digit_homophones
            assert confusion.heard not in without_table.spoken_forms.digit_homophones
    # The config's own words stay in both.
    assert {"pin", "iban", "account"} <= policy_off.banking_context_words
    assert pickle.loads(pickle.dumps(with_table)) == with_table


def test_a_context_confusion_joins_every_recognizer_whose_context_holds_its_meaning(
        with_table, without_table) -> None:
    table = load_table(TINY_EN)
    context_entries = [c for c in table.confusions if "context" in c.lists]
    assert context_entries
    joined = 0
    for on, off in zip(with_table.recognizers, without_table.recognizers):
        off_context = {str(w).lower() for w in off.get("context", ())}
        on_context = {str(w).lower() for w in on.get("context", ())}
        for confusion in context_entries:
            if confusion.means in off_context:
                assert confusion.heard in on_context
                joined += 1
            else:
                # Near miss: a recognizer that does not look for the meaning is not taught it.
                assert confusion.heard not in on_context or confusion.heard in off_context
    assert joined >= len(context_entries)


@pytest.mark.parametrize(
    "text, banking_with_table, banking_without",
    [
        ("what's the bin on my card", True, True),  # "card" is a banking word for both
        ("the sword code is on the letter", True, False),  # "sort code" heard as "sword code"
        ("what is the see me on the back", True, False),  # "CVV" heard as "see me"
        ("my iber starts with a country code", True, False),  # "IBAN" heard as "iber"
        # Near misses: words that only contain a heard form, or are another word.
        ("the binder report is ready", False, False),
        ("a sword fight on the letter", False, False),
        ("a countless number of times", False, False),
    ],
)
def test_banking_context_from_a_model_confusion(text: str, banking_with_table: bool,
                                                banking_without: bool, with_table, without_table) -> None:
    assert PiiDetector(with_table).has_banking_context(text) is banking_with_table
    assert PiiDetector(without_table).has_banking_context(text) is banking_without


def test_asr_confusions_none_and_a_named_family_or_file(tmp_path) -> None:
    raw = _shipped_raw()
    assert config_from_dict({**raw, "asr_confusions": "none"}).confusion_table == "none"
    assert config_from_dict({**raw, "asr_confusions": "tiny.en"},
                            asr_model="large-v3").confusion_table == "tiny.en"
    table = tmp_path / "my-model.yaml"
    table.write_text(yaml.safe_dump({"confusions": [
        {"heard": "pinto", "means": "pin", "lists": ["banking_sound_alikes"],
         "reason": "a made-up mishearing for the test"}]}))
    config = config_from_dict({**raw, "asr_confusions": str(table)}, asr_model="large-v3")
    assert config.confusion_table == "my-model"
    assert "pinto" in config.digit_run_failsafe.banking_sound_alikes
    assert "bim" not in config.digit_run_failsafe.banking_sound_alikes


def test_an_entry_whose_meaning_the_config_does_not_hold_is_left_out(tmp_path) -> None:
    raw = _shipped_raw()
    raw["iban_prefix"] = {**raw["iban_prefix"], "cue_words": ["international account"]}
    config = config_from_dict(raw)
    assert "iber" not in config.iban_prefix.cue_words
    assert ("iber", "iban_cue_words") in unfitted(load_table(TINY_EN), config)
    # Its other lists still hold "iban", so it joins those.
    assert "iber" in config.digit_run_failsafe.banking_context_words


@pytest.mark.parametrize(
    "entry, problem",
    [
        ({"heard": "bim", "means": "pin", "lists": ["nowhere"], "reason": "r e a"}, "is not a list"),
        ({"heard": "bim", "means": "pin", "lists": ["context"]}, "reason"),
        ({"heard": "", "means": "pin", "lists": ["context"], "reason": "r e a"}, "heard"),
        ({"heard": "bim", "means": "pin", "lists": [], "reason": "r e a"}, "lists"),
        ({"heard": "bim", "means": "pin", "lists": ["context"], "reason": "r e a",
          "measured": {"count": -1, "spoken": 3, "voices": 2}}, "measured"),
        ({"heard": "bim", "means": "pin", "lists": ["context"], "reason": "r e a", "why": 1}, "key"),
    ],
)
def test_a_bad_table_fails_in_one_line(tmp_path, entry: dict, problem: str) -> None:
    table = tmp_path / "bad.yaml"
    table.write_text(yaml.safe_dump({"confusions": [entry]}))
    with pytest.raises(ConfusionTableError) as error:
        load_table(str(table))
    assert problem in str(error.value)
    assert "\n" not in str(error.value)


def test_a_table_that_lists_a_heard_form_twice_is_refused(tmp_path) -> None:
    entry = {"heard": "bim", "means": "pin", "lists": ["context"], "reason": "r e a"}
    table = tmp_path / "twice.yaml"
    table.write_text(yaml.safe_dump({"confusions": [entry, entry]}))
    with pytest.raises(ConfusionTableError):
        load_table(str(table))


def test_an_unknown_family_fails_the_config_in_one_line() -> None:
    with pytest.raises(PiiConfigError) as error:
        config_from_dict({**_shipped_raw(), "asr_confusions": "no-such-model"})
    assert "asr_confusions" in str(error.value) and "\n" not in str(error.value)
    # auto with a model that has no table is not an error: nothing is applied.
    assert resolve_table("auto", "large-v3") is None


def _critical_values_missed(config, rows) -> tuple:
    detector = PiiDetector(config)
    total = missed = 0
    for row in rows:
        covered = set()
        for span in detector.detect(row["text"]):
            covered.update(range(span.char_start, span.char_end))
        for item in row["pii"]:
            if item["entity_type"] not in config.critical_entities:
                continue
            total += 1
            if any(i not in covered for i in range(item["start"], item["end"])
                   if not row["text"][i].isspace()):
                missed += 1
    return total, missed


def test_without_the_table_every_banking_value_of_the_reference_text_is_caught(without_table) -> None:
    """The model-independent floor: the evaluation corpus's own sentences, as a perfect
    recogniser would write them, lose no banking or government value with no confusion table."""
    with open(os.path.join(ROOT, "samples", "eval", "labels.jsonl"), encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    total, missed = _critical_values_missed(without_table, rows)
    assert total >= 100
    assert missed == 0
