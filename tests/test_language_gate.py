"""Fail closed on speech the models cannot hear, on real speech (tests/audio/*.flac).

Foreign-language clips read card, account and phone numbers; English clips are
ordinary requests. The English-only model writes the foreign ones as English
words it is unsure of, a loop or one of its stock phrases: every one must be
refused, by the ASR stage (a loop) or by the understanding gate, and every
English one must pass. The pipeline test runs the whole job on a manifest
mixing them, with true and with false locales.
"""

from __future__ import annotations

import json
import os
from typing import List

import pytest
from production_support import SAMPLES, job_args, read_table_rows
from voicescrub.transforms.asr.whisper import AsrSettings, transcribe_batch
from voicescrub.transforms.language.understanding import DEFAULT_GATE, speech_evidence

from tests.conftest import speech_clip_path, speech_clip_pcm

FOREIGN = ("es_card", "de_account", "fr_phone", "it_card", "pl_account")
ENGLISH = ("timer", "keyword_giraffe", "keyword_umbrella", "keyword_volcano", "card_spoken",
           "card_words")


@pytest.mark.parametrize("pack", [True, False], ids=["packed", "alone"])
def test_foreign_speech_is_refused_and_english_speech_passes(whisper_model, pack: bool) -> None:
    names = FOREIGN + ENGLISH
    outcomes = transcribe_batch(whisper_model, [speech_clip_pcm(n) for n in names],
                                AsrSettings(pack=pack))
    refused: List[bool] = []
    for name, outcome in zip(names, outcomes):
        if outcome.transcript is None:
            refused.append(True)  # the ASR stage dead-letters it: decoding looped
            continue
        evidence = speech_evidence(outcome.transcript, speech_clip_pcm(name))
        refused.append(DEFAULT_GATE.refuses(evidence) is not None)
    assert refused[:len(FOREIGN)] == [True] * len(FOREIGN)
    assert refused[len(FOREIGN):] == [False] * len(ENGLISH)


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    """The job on English sample clips, foreign clips with their own locale, and foreign
    clips whose manifest claims English."""
    from voicescrub.pipeline.run import run

    folder = tmp_path_factory.mktemp("mixed")
    with open(os.path.join(SAMPLES, "manifest.jsonl"), encoding="utf-8") as handle:
        sample = {e["utterance_id"]: e for e in map(json.loads, handle) if e}
    lines = []
    for uid in ("s03", "s13"):  # a timer and a light: English, nothing to redact
        lines.append(dict(sample[uid], audio_uri=os.path.join(SAMPLES, sample[uid]["audio_uri"])))
    template = sample["s01"]
    for uid, name, locale in (("x-es", "es_card", "es-ES"), ("x-de", "de_account", "de-DE"),
                              ("x-fr", "fr_phone", "fr-FR"), ("x-hi", "it_card", "es-US"),
                              ("m-es", "es_card", "en-US"), ("m-de", "de_account", "en-GB"),
                              ("m-fr", "fr_phone", "en-US"), ("m-it", "it_card", "en-US"),
                              ("m-pl", "pl_account", "en_us")):
        lines.append(dict(template, utterance_id=uid, audio_uri=speech_clip_path(name),
                          locale=locale))
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    summary = run(job_args(str(manifest), str(folder / "out"), str(folder / "keyring")))
    return {"summary": summary,
            "rows": {r["utterance_id"]: r for r in read_table_rows(str(folder / "out" / "utterances"))},
            "dead": {r["utterance_id"]: r for r in read_table_rows(str(folder / "out" / "dead_letter"))}}


def test_only_the_english_clips_are_released(mixed_run) -> None:
    assert set(mixed_run["rows"]) == {"s03", "s13"}
    assert mixed_run["summary"].all_accounted_for
    assert len(mixed_run["dead"]) == 9


def test_a_locale_no_pack_covers_is_refused_before_its_audio_is_read(mixed_run) -> None:
    for uid in ("x-es", "x-de", "x-fr", "x-hi"):
        dead = mixed_run["dead"][uid]
        assert (dead["stage"], dead["error_type"]) == ("language", "UnsupportedLocale")
    assert mixed_run["summary"].dead_lettered_by_reason[("language", "UnsupportedLocale")] == 4


def test_foreign_speech_claiming_english_is_refused_as_not_understood(mixed_run) -> None:
    reasons = {(mixed_run["dead"][uid]["stage"], mixed_run["dead"][uid]["error_type"])
               for uid in ("m-es", "m-de", "m-fr", "m-it", "m-pl")}
    assert reasons <= {("understanding", "Unintelligible"), ("transcribe", "AsrError")}
    for uid in ("m-es", "m-de", "m-fr", "m-it", "m-pl"):
        assert mixed_run["dead"][uid]["error_message"]  # a reason, in fixed words


def test_the_bundled_model_cannot_name_a_language(whisper_model) -> None:
    from voicescrub.transforms.asr.whisper import is_multilingual

    # So the understanding gate, not language detection, guards the default path.
    assert not is_multilingual(whisper_model)


def test_speech_a_multilingual_model_heard_in_another_language_is_a_language_dead_letter() -> None:
    """What ``CheckSpeech`` does with the language a multilingual model detected (set by
    ``voicescrub.transforms.asr.whisper.transcribe_batch``; no such model is installable offline here)."""
    import dataclasses

    from voicescrub.schemas.records import Clip, ManifestEntry
    from voicescrub.transforms.language.packs import ENGLISH
    from voicescrub.transforms.language.understanding import DEFAULT_GATE
    from voicescrub.transforms.runtime.clip_stage import DEAD_LETTER
    from voicescrub.transforms.stages.check_speech import CheckSpeechFn

    from tests.test_understanding import plain

    entry = ManifestEntry(utterance_id="u1", account_id="a", device_id="d", recorded_at_us=0,
                          audio_uri="/x.flac", locale="en-US", manifest="m.jsonl", line=1)
    pcm = speech_clip_pcm("timer")
    heard = plain("please set a timer for ten minutes")
    fn = CheckSpeechFn(ENGLISH, DEFAULT_GATE)
    for detected, refused in (("", False), ("en", False), ("es", True)):
        transcript = dataclasses.replace(heard, detected_language=detected)
        (out,) = list(fn.process(Clip(entry=entry, pcm16=pcm, transcript=transcript)))
        if refused:
            assert out.tag == DEAD_LETTER
            assert (out.value.stage, out.value.error_type) == ("language", "ForeignSpeech")
        else:
            assert isinstance(out, Clip)


def test_a_multilingual_model_detects_each_clips_language_on_its_own_audio() -> None:
    """``transcribe_batch``'s detection step, with a stand-in for a multilingual model
    (none is installable offline here): each clip gets the language heard in its own
    audio, and a clip whose detection fails fails alone."""
    import numpy as np
    from voicescrub.schemas.records import Transcript
    from voicescrub.transforms.asr.whisper import (
        ClipOutcome,
        _with_detected_language,
        is_multilingual,
    )

    class MultilingualModel:
        model = type("Ct2", (), {"is_multilingual": True})()

        def detect_language(self, audio):  # loud audio "is" Spanish, quiet audio fails
            if float(np.abs(audio).max()) < 0.1:
                raise RuntimeError("no speech to detect")
            return "es", 0.97, [("es", 0.97)]

    model = MultilingualModel()
    assert is_multilingual(model)
    heard = ClipOutcome(Transcript(text="hola", words=()), route="packed")
    loud = (np.ones(16000) * 20000).astype(np.int16)
    quiet = np.ones(16000, dtype=np.int16)
    assert _with_detected_language(model, loud, heard).transcript.detected_language == "es"
    failed = _with_detected_language(model, quiet, heard)
    assert failed.transcript is None and isinstance(failed.error, RuntimeError)


def test_second_listen_figures_count_refused_clips_by_how_their_listens_agree() -> None:
    from benchmarks.language_gate import agreement_figures

    unsure, few = "the ASR was unsure of its words", "far fewer words than its speech"
    records = [
        {"refused": unsure, "listen_agreement": 1.0, "refused_second": unsure},
        {"refused": unsure, "listen_agreement": 0.8, "refused_second": None},
        {"refused": few, "listen_agreement": 0.4, "refused_second": few},
        {"refused": None, "listen_agreement": 0.9, "refused_second": None},
    ]
    figures = agreement_figures(records)
    assert figures["clips"] == 4 and figures["refused_clips"] == 3
    assert figures["refused_at_least"] == {"0.5": 2, "0.8": 2, "1.0": 1}
    assert figures["refused_also_on_second_listen"] == 2
    assert sorted(figures["refused_agreement_by_reason"]) == sorted([unsure, few])
    assert figures["agreement"]["max"] == 1.0 and figures["agreement"]["min"] == 0.4
