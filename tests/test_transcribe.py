"""Packed transcription with the real model, and the Transcribe stage's contract."""

from __future__ import annotations

from typing import List, Tuple

import numpy as np
import pytest
from voicescrub.schemas.records import Clip, ManifestEntry
from voicescrub.transforms.asr.packing import long_clip_pieces
from voicescrub.transforms.asr.whisper import AsrSettings, transcribe_batch
from voicescrub.transforms.audio.codec import decode_to_pcm16

from tests.conftest import speech_clip_path

# Distinctive words a tiny model hears reliably; each clip says exactly one.
KEYWORDS = ("giraffe", "umbrella", "volcano")


def pcm_of(path: str) -> np.ndarray:
    with open(path, "rb") as handle:
        return decode_to_pcm16(handle.read(), max_duration_s=60.0)


@pytest.fixture
def three_clips() -> List[np.ndarray]:
    """Three requests, each naming one of ``KEYWORDS`` (``tests/audio/keyword_<k>.flac``)."""
    return [pcm_of(speech_clip_path(f"keyword_{keyword}")) for keyword in KEYWORDS]


def hears_keyword(outcome, index: int) -> bool:
    """Whether an outcome's transcript holds keyword ``index``; a bool, so a failing
    assertion shows no transcript."""
    return outcome.transcript is not None and KEYWORDS[index] in outcome.transcript.text.lower()


@pytest.mark.parametrize("beam_size, window_batch_size", [(2, 8), (1, 1)])
def test_packed_clips_each_get_their_own_keyword_and_no_other(whisper_model, three_clips,
                                                              beam_size, window_batch_size):
    settings = AsrSettings(beam_size=beam_size, window_batch_size=window_batch_size, pack=True)
    outcomes = transcribe_batch(whisper_model, three_clips, settings)
    assert len(outcomes) == 3
    for own, (outcome, pcm) in enumerate(zip(outcomes, three_clips)):
        assert outcome.transcript is not None
        text = outcome.transcript.text.lower()
        hits = [KEYWORDS.index(k) for k in KEYWORDS if k in text]
        assert hits == [own], f"clip {own}: keyword hits at {hits}"
        duration = len(pcm) / 16000
        for word in outcome.transcript.words:
            assert 0.0 <= word.start_s <= word.end_s <= duration
            assert outcome.transcript.text[word.char_start:word.char_end] == word.text
    # The three short clips share one window unless a split was ambiguous.
    assert sum(o.route == "packed" for o in outcomes) >= 2


def test_packing_off_gives_every_clip_its_own_window(whisper_model, three_clips):
    outcomes = transcribe_batch(whisper_model, three_clips, AsrSettings(beam_size=1, pack=False))
    assert [o.route for o in outcomes] == ["alone"] * 3
    for own, outcome in enumerate(outcomes):
        assert [KEYWORDS.index(k) for k in KEYWORDS if k in outcome.transcript.text.lower()] == [own]


def joined(clips: List[np.ndarray], pause_s: float = 0.6) -> Tuple[np.ndarray, List[float]]:
    """The clips end to end with ``pause_s`` of silence between them, and each one's start."""
    pause = np.zeros(int(pause_s * 16000), dtype=np.int16)
    starts, parts, cursor = [], [], 0
    for clip in clips:
        starts.append(cursor / 16000)
        parts += [clip, pause]
        cursor += len(clip) + len(pause)
    return np.concatenate(parts[:-1]), starts


def keyword_times(transcript) -> List[Tuple[int, float]]:
    """(keyword, word middle in seconds) of each keyword the transcript holds, in text order."""
    return [(KEYWORDS.index(k), (w.start_s + w.end_s) / 2) for w in transcript.words
            for k in KEYWORDS if k in w.text.lower()]


def test_a_clip_longer_than_a_window_is_heard_in_pieces_on_its_own_clock(whisper_model, three_clips):
    long, starts = joined(three_clips)
    settings = AsrSettings(beam_size=1, pack=True, pack_window_s=4.0)
    outcomes = transcribe_batch(whisper_model, [long, three_clips[0]], settings)
    assert [o.route for o in outcomes] == ["long", "alone"]
    transcript = outcomes[0].transcript
    assert [k for k, _ in keyword_times(transcript)] == [0, 1, 2]
    for keyword, middle in keyword_times(transcript):  # each heard where its clip lies
        assert starts[keyword] <= middle <= starts[keyword] + len(three_clips[keyword]) / 16000
    for word in transcript.words:
        assert transcript.text[word.char_start:word.char_end] == word.text
        assert 0.0 <= word.start_s <= word.end_s <= len(long) / 16000
    assert len({w.segment for w in transcript.words}) == len(transcript.segments) >= 3


def test_a_piece_left_without_words_is_cut_at_its_pause_and_heard_again(
        whisper_model, three_clips, monkeypatch):
    import voicescrub.transforms.asr.whisper as asr
    from voicescrub.transforms.asr.packing import ClipWords

    long, starts = joined(three_clips)
    start, end = long_clip_pieces(long, 6.0)[0]
    assert start == 0 and end > len(three_clips[0]) + len(three_clips[1])  # the first two clips
    real = asr._decode_windows
    emptied = []

    def decode(model, pcm_clips, plans, settings):  # the first piece comes back without words
        splits, language = real(model, pcm_clips, plans, settings)
        for index, plan in enumerate(plans):
            if any(len(pcm_clips[m]) == end and np.shares_memory(pcm_clips[m], long)
                   for m in plan.members):
                emptied.append(index)
                splits[index] = [ClipWords(())] * len(plan.members)
        return splits, language

    monkeypatch.setattr(asr, "_decode_windows", decode)
    monkeypatch.setattr(asr, "MIN_SPLIT_PIECE_S", 1.0)
    outcome = transcribe_batch(whisper_model, [long], AsrSettings(beam_size=5, pack_window_s=6.0))[0]
    assert emptied
    assert outcome.route == "long"
    assert [k for k, _ in keyword_times(outcome.transcript)] == [0, 1, 2]
    for keyword, middle in keyword_times(outcome.transcript):  # the halves' words on the clip's clock
        assert starts[keyword] <= middle <= starts[keyword] + len(three_clips[keyword]) / 16000


def test_a_long_clip_fails_when_a_piece_fails_even_cut_again_and_fails_alone(
        whisper_model, three_clips, monkeypatch):
    import voicescrub.transforms.asr.whisper as asr

    long, _ = joined(three_clips)
    first = long[:len(three_clips[0])]
    real = asr._decode_windows

    def decode(model, pcm_clips, plans, settings):  # any window holding the first clip's audio
        if any(np.shares_memory(pcm_clips[m], first) for plan in plans for m in plan.members):
            raise RuntimeError("fixed text")
        return real(model, pcm_clips, plans, settings)

    monkeypatch.setattr(asr, "_decode_windows", decode)
    monkeypatch.setattr(asr, "MIN_SPLIT_PIECE_S", 1.0)
    outcomes = transcribe_batch(whisper_model, [long, three_clips[2]],
                                AsrSettings(beam_size=1, pack_window_s=6.0))
    assert outcomes[0].transcript is None and outcomes[0].route == "long"
    assert isinstance(outcomes[0].error, RuntimeError)
    heard = hears_keyword(outcomes[1], 2)
    assert heard


def test_replicas_decode_at_once_and_give_the_same_transcripts_as_one(whisper_model, three_clips):
    # Two windows per CTranslate2 batch and one clip per window: with two
    # streams the batches run side by side, and each window's words must not
    # depend on that (the pipeline's rows would differ between machines).
    def words(workers: int):
        settings = AsrSettings(beam_size=2, pack=False, window_batch_size=2, workers=workers)
        return [[(w.text, w.start_s, w.end_s) for w in o.transcript.words]
                for o in transcribe_batch(whisper_model, three_clips, settings)]

    one, two = words(1), words(2)
    assert all(clip for clip in one)
    assert one == two


def test_tasks_run_side_by_side_in_order_and_keep_their_own_errors():
    import threading

    from voicescrub.transforms.asr.whisper import _run_tasks

    both_started = threading.Barrier(2, timeout=10)

    def meet(value):
        both_started.wait()  # only passes if the two tasks run at the same time
        return value

    def fail():
        raise ValueError("fixed text")

    results = _run_tasks([lambda: meet(1), lambda: meet(2), fail, lambda: 4], streams=2)
    assert results[:2] == [1, 2] and results[3] == 4
    assert isinstance(results[2], ValueError)
    assert _run_tasks([lambda: 5, fail], streams=1)[0] == 5


def test_empty_audio_is_an_empty_transcript(whisper_model):
    outcomes = transcribe_batch(whisper_model, [np.zeros(0, np.int16)], AsrSettings(pack=True))
    assert outcomes[0].transcript is not None and outcomes[0].transcript.words == ()


def test_a_failed_window_retries_each_clip_alone_and_fails_only_the_bad_ones(
        whisper_model, three_clips, monkeypatch):
    import voicescrub.transforms.asr.whisper as asr

    poisoned = len(three_clips[1])
    real = asr._decode_windows

    def decode(model, pcm_clips, plans, settings):  # fails any window holding clip 1
        if any(len(pcm_clips[m]) == poisoned for plan in plans for m in plan.members):
            raise RuntimeError("boom")
        return real(model, pcm_clips, plans, settings)

    monkeypatch.setattr(asr, "_decode_windows", decode)
    outcomes = transcribe_batch(whisper_model, three_clips, AsrSettings(beam_size=1, pack=True))
    assert [o.transcript is not None for o in outcomes] == [True, False, True]
    assert isinstance(outcomes[1].error, RuntimeError)
    assert all(o.route == "fallback:window_failed" for o in outcomes)
    assert [KEYWORDS.index(k) for k in KEYWORDS if k in outcomes[2].transcript.text.lower()] == [2]


def test_looped_flags_repetition_and_spares_ordinary_requests():
    from voicescrub.transforms.asr.whisper import looped

    assert looped(" ".join(["N"] * 41))
    assert looped("the the the the the the the the the the the the the the the the")
    assert not looped("")
    assert not looped("set a timer for twenty five minutes and remind me to call mum at six")
    assert not looped("1 2 3 4 5 6 7 8 9 0")


def _tamper_with_clip(monkeypatch, clip_samples: int, tamper) -> list:
    """Make every window decode hand the clip of ``clip_samples`` samples through
    ``tamper(words, shared, settings) -> words`` (``shared``: other clips in its window);
    return the list of ``settings`` of the decodes that held it, filled as they happen."""
    import dataclasses

    import voicescrub.transforms.asr.whisper as asr

    real = asr._decode_windows
    decodes = []

    def decode(model, pcm_clips, plans, settings):
        splits, language = real(model, pcm_clips, plans, settings)
        for plan, split in zip(plans, splits):
            for position, member in enumerate(plan.members):
                if len(pcm_clips[member]) == clip_samples:
                    decodes.append(settings)
                    words = tamper(split[position].words, len(plan.members) > 1, settings)
                    split[position] = dataclasses.replace(split[position], words=words)
        return splits, language

    monkeypatch.setattr(asr, "_decode_windows", decode)
    return decodes


@pytest.mark.parametrize("loops_when", ["shared", "greedy", "always"])
def test_a_looping_clip_is_decoded_again_and_fails_if_it_still_loops(
        whisper_model, three_clips, monkeypatch, loops_when):
    import voicescrub.transforms.asr.whisper as asr
    from voicescrub.transforms.asr.packing import WindowWord

    def loop(words, shared, settings):
        if shared or loops_when == "always" or (loops_when == "greedy" and settings.beam_size == 1):
            return tuple(WindowWord(" N", 0.1 * k, 0.1 * k + 0.05, 0.5, 0) for k in range(30))
        return words

    decodes = _tamper_with_clip(monkeypatch, len(three_clips[1]), loop)
    outcomes = transcribe_batch(whisper_model, three_clips, AsrSettings(beam_size=1, pack=True))
    assert outcomes[1].route == "fallback:looped"
    if loops_when == "always":  # a window of its own loops too, even at beam 5: fail closed
        assert outcomes[1].transcript is None and isinstance(outcomes[1].error, asr.AsrError)
    else:
        assert outcomes[1].transcript is not None and not asr.looped(outcomes[1].transcript.text)
        heard = hears_keyword(outcomes[1], 1)
        assert heard
    # Shared window, then alone greedy, then (if that looped) alone at the retry beam.
    beams = [settings.beam_size for settings in decodes]
    assert beams == ([1, 1] if loops_when == "shared" else [1, 1, asr.LOOP_RETRY_BEAM_SIZE])
    assert all(o.transcript is not None for o in (outcomes[0], outcomes[2]))


def test_a_greedy_decode_that_stops_short_is_decoded_again_at_the_retry_beam(
        whisper_model, three_clips, monkeypatch):
    import voicescrub.transforms.asr.whisper as asr

    def stop_after_the_first_word(words, shared, settings):
        return words[:1] if settings.beam_size == 1 else words

    decodes = _tamper_with_clip(monkeypatch, len(three_clips[1]), stop_after_the_first_word)
    outcomes = transcribe_batch(whisper_model, three_clips,
                                AsrSettings(beam_size=1, pack=True, timestamp_tokens=True))
    # Shared window (speech left without words), alone greedy (the same), then alone at the
    # retry beam without timestamp tokens, which hears the whole clip.
    assert outcomes[1].route == "fallback:uncovered"
    assert [(d.beam_size, d.timestamp_tokens) for d in decodes] == [
        (1, True), (1, True), (asr.LOOP_RETRY_BEAM_SIZE, False)]
    heard = hears_keyword(outcomes[1], 1)
    assert heard
    assert all(o.transcript is not None for o in (outcomes[0], outcomes[2]))


@pytest.mark.parametrize("short_when", ["without timestamp tokens", "always"])
def test_a_clip_alone_that_stops_short_at_the_retry_beam_gets_the_other_view_then_fails(
        whisper_model, three_clips, monkeypatch, short_when):
    import voicescrub.transforms.asr.whisper as asr

    def stop_after_the_first_word(words, shared, settings):
        return words[:1] if short_when == "always" or not settings.timestamp_tokens else words

    decodes = _tamper_with_clip(monkeypatch, len(three_clips[1]), stop_after_the_first_word)
    outcomes = transcribe_batch(whisper_model, three_clips, AsrSettings(pack=True))
    # Shared window, alone at the first pass's beam (both without timestamp tokens), then
    # alone with them: a last view before the clip is failed rather than released half heard.
    assert outcomes[1].route == "fallback:uncovered"
    beam = AsrSettings().beam_size
    assert [(d.beam_size, d.timestamp_tokens) for d in decodes] == [(beam, False), (beam, False), (beam, True)]
    if short_when == "always":
        assert outcomes[1].transcript is None and isinstance(outcomes[1].error, asr.AsrError)
    else:
        heard = hears_keyword(outcomes[1], 1)
        assert heard
    assert all(o.transcript is not None for o in (outcomes[0], outcomes[2]))


def entry(index: int) -> ManifestEntry:
    return ManifestEntry(utterance_id=f"u{index}", account_id="a", device_id="d", recorded_at_us=0,
                         audio_uri=f"/x/{index}.wav", locale="en-US", manifest="m.jsonl", line=index)


@pytest.mark.parametrize("pack", [True, False])
def test_transcribe_stage_passes_clips_and_dead_letters_failures(whisper_model, three_clips, pack):
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.util import assert_that, equal_to
    from voicescrub.transforms.runtime.clip_stage import DEAD_LETTER
    from voicescrub.transforms.runtime.models import SharedModels
    from voicescrub.transforms.stages.transcribe import Transcribe

    clips = [Clip(entry=entry(i), pcm16=pcm) for i, pcm in enumerate(three_clips)]
    clips.append(Clip(entry=entry(3), pcm16=None))  # no audio: must dead-letter, not crash
    with TestPipeline() as p:
        out = (p | beam.Create(clips)
               | Transcribe(AsrSettings(beam_size=1, pack=pack), SharedModels(), clips_per_batch=8))
        assert_that(out.clips | "Ids" >> beam.Map(lambda c: (c.entry.utterance_id,
                                                             c.asr_model, c.transcript is not None)),
                    equal_to([(f"u{i}", "faster-whisper/tiny.en", True) for i in range(3)]),
                    label="clips")
        assert_that(out[DEAD_LETTER] | "Dl" >> beam.Map(lambda d: (d.utterance_id, d.stage)),
                    equal_to([("u3", "transcribe")]), label="dead")
