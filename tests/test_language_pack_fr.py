"""The French language pack (transforms/language/fr/): spoken French numbers, the pack's
wiring into a run, and its detection on the French transcript sets of samples/fr_text/.

Failures print offsets, counts and row ids, never a value.
"""

from __future__ import annotations

import json
import os

import pytest
from voicescrub.pipeline.options import parse_job_args
from voicescrub.transforms.language.packs import ENGLISH, LanguageConfigError, load_pack
from voicescrub.transforms.pii.spoken_normaliser import normalise

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = os.path.join(ROOT, "samples", "fr_text")


@pytest.fixture(scope="module")
def french():
    return load_pack("fr")


# (spoken French as Whisper writes it, the digits a listener hears)
@pytest.mark.parametrize("text, digits", [
    ("quatre-vingt-dix-sept", ["97"]),
    ("quatre vingt dix sept", ["97"]),          # the parts of one number written apart
    ("soixante-douze", ["72"]),                 # a tens word takes a teen
    ("soixante et onze", ["71"]),               # and a connector
    ("vingt et un", ["21"]),
    ("septante-cinq", ["75"]),                  # Belgian and Swiss tens
    ("dix-sept", ["17"]),
    ("mille neuf cent quatre-vingt-six", ["1986"]),
    ("deux mille vingt-sept", ["2027"]),
    ("zéro six, douze, trente-quatre", ["061234"]),
    ("zéro cent quatre-vingt-huit", ["0188"]),  # a zero is said alone
    ("zéro quinze, cent vingt-huit", ["015128"]),  # a comma ends a number: never 1528
    ("double zéro sept", ["007"]),
    # Near misses: "et" joins only a tens word to its unit; an article is one digit alone.
    ("entre 10 et 15 minutes", ["10", "15"]),
    ("deux et trois", ["2", "3"]),
    ("quarante quinze", ["4015"]),              # only soixante and quatre-vingt take a teen
    ("quatre, vingt, trois", ["4203"]),         # parts of one word never join across a pause
    ("soixante, douze", ["6012"]),
    ("un rendez-vous demain", ["1"]),
])
def test_spoken_french_numbers(french, text: str, digits) -> None:
    assert [run.digits for run in normalise(text, french.spoken_forms).digit_runs] == digits


@pytest.mark.parametrize("text, digits", [
    ("twenty ten", ["2010"]),                     # a year said as two numbers, not 30
    ("My card ends triple, nine eight.", ["9998"]),  # a repeat word keeps its digit over a comma
    ("nine hundred, eleven", ["911"]),            # English reads across a comma, as it always did
    ("zero hundred", ["0100"]),                   # a zero is said alone: its digit is kept
])
def test_english_keeps_its_own_number_grammar(text: str, digits) -> None:
    assert [r.digits for r in normalise(text, ENGLISH.spoken_forms).digit_runs] == digits


def test_english_has_no_french_numbers() -> None:
    assert [r.digits for r in normalise("soixante-douze", ENGLISH.spoken_forms).digit_runs] == []


@pytest.mark.parametrize("text, address", [
    ("c'est thomas point bernard arobase yahoo point fr", "thomas.bernard@yahoo.fr"),
    ("écris à pierre underscore vidal arobase hotmail point ch", "pierre_vidal@hotmail.ch"),
])
def test_spoken_french_email(french, text: str, address: str) -> None:
    normalised = normalise(text, french.spoken_forms)
    assert address in normalised.text
    assert normalised.text.count("@") == 1


def _rows(name: str):
    with open(os.path.join(SETS, name), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _covered(text: str, spans, value: str) -> bool:
    start = text.index(value)
    return all(any(s <= k < e for s, e in spans) for k in range(start, start + len(value)) if text[k].isalnum())


@pytest.mark.parametrize("which", ["dev", "heldout"])
def test_french_sets_are_redacted(fr_detector, which: str) -> None:
    """The pack's bar: at least 95 % of the values of each set redacted, every banking and
    government value among them."""
    missed, total, banking_missed = [], 0, []
    for row in _rows(f"pii_{which}.jsonl"):
        spans = [(s.char_start, s.char_end) for s in fr_detector.detect(row["text"])]
        for value in row["pii"]:
            total += 1
            if not _covered(row["text"], spans, value["value"]):
                missed.append(row["id"])
                if value["type"] not in ("PERSON", "EMAIL_ADDRESS", "PASSWORD", "STREET_ADDRESS",
                                         "DATE_OF_BIRTH", "PHONE_NUMBER"):
                    banking_missed.append(row["id"])
    assert total >= 60
    assert len(missed) <= 0.05 * total, missed
    assert banking_missed == []


def test_french_requests_without_pii_keep_their_numbers(fr_detector) -> None:
    flagged = [row["id"] for row in _rows("harmless_dev.jsonl")
               if {s.entity_type for s in fr_detector.detect(row["text"])} - {"PERSON"}]
    assert len(_rows("harmless_dev.jsonl")) >= 20
    assert flagged == []


def test_french_card_is_critical(fr_detector) -> None:
    text = "Ma carte c'est 4970 1012 3456 7893, le cryptogramme 123."
    spans = fr_detector.detect(text)
    assert {s.entity_type for s in spans} >= {"CREDIT_CARD", "CARD_CVV"}
    assert fr_detector.contains_critical_pii(spans)


def _job(*flags):
    return parse_job_args(["--manifest", "m.jsonl", "--output", "out", *flags])[0]


def test_a_run_hears_the_pack_it_names() -> None:
    config = _job("--language-pack", "fr", "--asr-model", "large-v3", "--locales", "fr-CA,fr-BE")
    assert config.coverage.pack.name == "French" and config.coverage.accepted == ("fr-CA", "fr-BE")
    assert config.asr.language == "fr" and config.pii.language == "fr"
    assert config.coverage.accepts("fr-ca") and not config.coverage.accepts("en-US")
    english = _job()
    assert english.coverage.pack.name == "English" and english.pii.language == "en"


@pytest.mark.parametrize("flags, says", [
    (("--language-pack", "fr"), "multilingual"),             # tiny.en hears English only
    (("--language-pack", "xx"), "pack.yaml"),
    (("--locales", "fr-FR"), "no language pack"),            # outside the English pack
    (("--language-pack", "fr", "--asr-model", "large-v3", "--locales", "en"), "no language pack"),
])
def test_a_run_that_cannot_hear_its_locales_fails_in_one_line(flags, says: str) -> None:
    with pytest.raises(SystemExit) as stop:
        _job(*flags)
    assert says in str(stop.value) and "\n" not in str(stop.value)


@pytest.mark.parametrize("pack_yaml", [
    b"name: X\nasr_language: xx\nlocales: [xx-*]\npii_config: pii_config.yaml\nspoken: {units: {un: one}}\n",
    b"name: X\nasr_language: xx\nlocales: [xx-*]\npii_config: pii_config.yaml\nspoken: {}\n",
    b"name: X\nasr_language: xx\nlocales: [xx-*]\npii_config: absent.yaml\n",
    b"name: X\nlocales: [not a locale]\n",
    b"\xff\xfe not utf-8",
    b"name: [unclosed",
])
def test_a_malformed_pack_fails_in_one_line(tmp_path, pack_yaml: bytes) -> None:
    (tmp_path / "pii_config.yaml").write_text("language: xx\nentities: [PERSON]\n", encoding="utf-8")
    (tmp_path / "pack.yaml").write_bytes(pack_yaml)
    with pytest.raises(LanguageConfigError) as error:
        load_pack(str(tmp_path))
    assert str(error.value).startswith(("pack.yaml", "--language-pack")) and "\n" not in str(error.value)


def test_a_pack_folder_elsewhere_reads_like_a_shipped_one(tmp_path, fr_detector) -> None:
    import shutil

    from voicescrub.transforms.pii.config import load_pii_config
    from voicescrub.transforms.pii.detector import PiiDetector

    folder = tmp_path / "fr"
    shutil.copytree(os.path.join(ROOT, "transforms", "language", "fr"), folder)
    shutil.copytree(os.path.join(ROOT, "transforms", "language", "en", "recognizers"), tmp_path / "en" / "recognizers")
    copied = PiiDetector(load_pii_config(pack=load_pack(str(folder))))
    text = "Mon numéro c'est le 06 47 83 21 90, et mon mail claire.moreau@orange.fr."
    assert [(s.entity_type, s.char_start, s.char_end) for s in copied.detect(text)] == [
        (s.entity_type, s.char_start, s.char_end) for s in fr_detector.detect(text)]


@pytest.mark.parametrize("text, name", [
    ("Marc habite à Lyon depuis deux ans.", "Marc"),       # a name opening a sentence, then its verb
    ("Camille à l'appareil, je rappelle pour ma carte.", "Camille"),
])
def test_a_name_opening_a_sentence_stays_a_name(fr_detector, text: str, name: str) -> None:
    start = text.index(name)
    spans = fr_detector.detect(text)
    assert any(s.entity_type == "PERSON" and s.char_start <= start < s.char_end for s in spans)


@pytest.mark.parametrize("text", [
    "Ouvre mon livre numérique à la page 213.",
    "Convertis 150 dollars en euros.",
    "Réveille-moi demain à 7 heures.",
])
def test_an_opening_verb_is_not_a_name(fr_detector, text: str) -> None:
    assert [s for s in fr_detector.detect(text) if s.entity_type == "PERSON"] == []
