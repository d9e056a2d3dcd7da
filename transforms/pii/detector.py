"""Find PII in an ASR transcript: normalise the speech, run Presidio, map spans back.

Heavy to build (spaCy model, Presidio registry), cheap to call: build one
:class:`PiiDetector` per worker process (``DoFn.setup``) and call :meth:`detect`
for every transcript.
"""

from __future__ import annotations

from typing import FrozenSet, Iterable, List, Optional, Sequence, Tuple

import regex as re
from presidio_analyzer import (
    AnalyzerEngine,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer import pattern_recognizer as presidio_pattern_recognizer
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from voicescrub.schemas.records import PiiSpan
from voicescrub.transforms.pii.config import (
    CODED_RECOGNIZERS,
    DIGIT_SEQUENCE,
    PiiConfig,
    expand_lexicon,
    thaw,
)
from voicescrub.transforms.pii.context_enhancer import NearestContextEnhancer
from voicescrub.transforms.pii.failsafe.words import (
    STRIP,
    Word,
    sentences,
    word_index,
    words_of,
)
from voicescrub.transforms.pii.iban_prefix import IbanPrefixExtender
from voicescrub.transforms.pii.name_lists import NAME_LIST, NameLists
from voicescrub.transforms.pii.recognizers import (
    DigitRunFailsafeRecognizer,
    SpelledCodeRecognizer,
    SpokenCreditCardRecognizer,
    SpokenIbanRecognizer,
    SpokenStreetAddressRecognizer,
)
from voicescrub.transforms.pii.spoken_normaliser import NormalisedText, normalise
from voicescrub.transforms.pii.value_slot import ValueSlots

#: A clock time as the model writes one ("8:15", "17.42", "0815"): a service that leaves then.
_CLOCK_TIME = re.compile(r"(?:[01]?\d|2[0-3])[:.]?[0-5]\d")
#: Digits of a normalised text.
_DIGITS = re.compile(r"\d+")
#: A sentence ends between two numbers ("7. Then at 2"); "19.40" is one number.
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
#: A possessive ending ("Maria's", "United’s").
_POSSESSIVE_END = re.compile(r"(?:['’]s|s['’])$")
#: Words of letters only: "code-1945" holds "code".
_LETTERS = re.compile(r"[^\W\d_]+")
#: Most words between two numbers of a first transcript that a second listen may write as one
#: ("24 to 17" as "24-17", "19 hundred and 80" as "1980").
_SAME_NUMBER_GAP_WORDS = 3
#: spaCy components Presidio does not use: skipping them keeps detect() fast.
_UNUSED_SPACY_PIPES = ("parser",)


def _build_nlp_engine(config: PiiConfig):
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": config.language, "model_name": config.spacy_model}],
            "ner_model_configuration": {
                "model_to_presidio_entity_mapping": {"PERSON": "PERSON", "PER": "PERSON"},
                "low_confidence_score_multiplier": 0.4,
                "low_score_entity_names": [],
                "labels_to_ignore": [],
            },
        }
    )
    engine = provider.create_engine()
    for nlp in getattr(engine, "nlp", {}).values():
        for pipe in _UNUSED_SPACY_PIPES:
            if pipe in nlp.pipe_names:
                nlp.disable_pipe(pipe)
    return engine


def never_skip_a_pattern() -> None:
    """Presidio skips a pattern whose match runs past ``REGEX_TIMEOUT_SECONDS`` (60 s) and
    goes on, which would release a clip with one rule unread. Its patterns run without
    that limit here; the pipeline bounds a clip's whole detection instead and dead-letters
    the clip over it (``--clip-timeout-s``, :mod:`voicescrub.transforms.runtime.deadline`)."""
    presidio_pattern_recognizer.REGEX_TIMEOUT_SECONDS = None


def build_registry(config: PiiConfig) -> RecognizerRegistry:
    """The recognizers this detector runs: YAML-declared patterns plus the coded ones.

    The fail-safe (:class:`DigitRunFailsafeRecognizer`) is not in the registry: it needs to
    know how each run was spoken, so :meth:`PiiDetector.detect` hands Presidio a copy bound
    to the transcript as an ad-hoc recognizer.

    :param config: PII settings.
    """
    language = config.language
    registry = RecognizerRegistry(supported_languages=[language])
    registry.add_recognizer(SpacyRecognizer(supported_language=language, supported_entities=["PERSON"]))
    coded = config.coded_recognizers or {name: None for name in CODED_RECOGNIZERS}
    for name, context in coded.items():
        words = sorted(context) if context is not None else None
        if name == "SpokenCreditCardRecognizer":
            registry.add_recognizer(SpokenCreditCardRecognizer(context=words, supported_language=language))
        elif name == "SpokenIbanRecognizer":
            registry.add_recognizer(SpokenIbanRecognizer(context=words, supported_language=language))
        elif name == "SpelledCodeRecognizer":
            registry.add_recognizer(SpelledCodeRecognizer(context=words, supported_language=language))
        elif name == "SpokenStreetAddressRecognizer":
            registry.add_recognizer(SpokenStreetAddressRecognizer(
                unit_words=config.digit_run_failsafe.quantity_words,
                number_words=config.spoken_forms.number_words, supported_language=language))
    for definition in config.recognizers:
        spec = thaw(definition)
        spec.setdefault("supported_language", language)
        # Case matters in our patterns (names are capitalised); they opt in to (?i) themselves.
        spec["global_regex_flags"] = re.DOTALL | re.MULTILINE
        registry.add_recognizer(PatternRecognizer.from_dict(spec))
    return registry


#: A word that can be part of a name: capitalised letters, an apostrophe or a hyphen inside.
_NAME_WORD = re.compile(r"[A-Z][a-z]+(?:['\-][A-Za-z]+)?")


class PiiDetector:
    """Detects PII in transcripts as they were spoken.

    :param config: PII settings (see :func:`voicescrub.transforms.pii.config.load_pii_config`).
    """

    def __init__(self, config: PiiConfig) -> None:
        never_skip_a_pattern()
        self.config = config
        self._entities = list(config.entities)
        self._priority = {entity: rank for rank, entity in enumerate(config.type_priority)}
        context = config.context
        months = expand_lexicon("{{months}}", config.lexicon) if "months" in config.lexicon else ""
        self._failsafe = DigitRunFailsafeRecognizer(config.digit_run_failsafe, supported_language=config.language,
                                                    month_names=months,
                                                    range_words=config.spoken_forms.range_words)
        self._iban_prefix = IbanPrefixExtender(config.iban_prefix)
        # A wake word is never part of a name either ("Hi Alexa").
        self._not_a_name = config.person_deny_words | config.wake_words
        self._name_lists = NameLists(config.name_list_words, self._not_a_name)
        forms = config.spoken_forms
        self._value_slots = ValueSlots(config.value_slots, forms.number_words | frozenset(forms.repeats))
        # spaCy's small model tags "Convert five" as a name; a number word is trimmed like a numeral.
        self._number_words = forms.number_words
        self._analyzer = AnalyzerEngine(
            registry=build_registry(config),
            nlp_engine=_build_nlp_engine(config),
            supported_languages=[config.language],
            default_score_threshold=config.score_threshold,
            context_aware_enhancer=NearestContextEnhancer(
                context_similarity_factor=context.similarity_factor,
                min_score_with_context_similarity=context.min_score_with_context,
                context_prefix_count=context.prefix_words,
                context_suffix_count=context.suffix_words,
                context_matching_mode="whole_word",
                distance_penalty=context.distance_penalty,
            ),
        )

    def detect(self, text: str, *, relisten: bool = False, banking_clip: bool = False) -> List[PiiSpan]:
        """Find PII spans in a transcript.

        :param text: the transcript (``Transcript.text``).
        :param relisten: ``text`` is the audit's re-transcription of scrubbed audio, where
            Whisper writes the tone as stray words: the words after a value's cue are then not
            redacted for want of a value (:mod:`voicescrub.transforms.pii.value_slot`), and a name spaCy
            found with no capital letter ("reset my bin", "nx nx") is not taken, since Whisper
            capitalises the names it hears; nor is one made of single letters only ("F. F. F.
            I. F."), which is how tiny.en writes the 1 kHz tone itself.
        :param banking_clip: the clip is known to hold banking or government PII (found in its
            first transcript): its digit runs are read in the clip-level banking mode even when
            ``text`` kept no banking word. A re-listen can hear what the first transcript
            dropped ("... [tone]. It's time of year 929." for "..., expiry oh nine twenty nine")
            while the cue went under the tone.
        :return: spans on ``text`` offsets, snapped to whole words, sorted by position;
            spans of different types may overlap (the caller merges them).
            A banking span right after a spoken IBAN prefix ("DB64, K-W-H-L") is widened
            over it and typed ``IBAN_CODE`` (see :mod:`voicescrub.transforms.pii.iban_prefix`).
        """
        if not text or not text.strip():
            return []
        normalised = normalise(text, self.config.spoken_forms)
        failsafe = self._failsafe.bind(normalised, banking_clip=banking_clip)
        results = self._analyzer.analyze(
            text=normalised.text,
            language=self.config.language,
            entities=self._entities,
            score_threshold=self.config.score_threshold,
            ad_hoc_recognizers=[failsafe],
        )
        results = self._judged_as_digits(normalised.text, results, failsafe, banking_clip)
        spans = [self._to_span(normalised, result) for result in results if result.end > result.start]
        if relisten:
            spans = [s for s in (_without_tone_words(text, s) for s in spans) if s is not None]
        spans = [self._trim_person(text, s) for s in spans]
        spans = [s for s in spans if not self._is_denied_person(text, s)]
        # The names listed with a name found ("Vasquez and [Kim]"), held to the same tests.
        spans = [s for s in self._name_lists.extend(text, spans)
                 if s.recognizer != NAME_LIST or not self._is_denied_person(text, s)]
        if relisten:
            spans = [s for s in spans if not _tone_heard_as_name(text, s)]
        # The country code and bank code of a dictated IBAN, written apart from its digits.
        spans = self._iban_prefix.extend(text, spans)
        spans = self._resolve(spans)
        if not relisten:
            spans = self._value_slots.complete(text, spans)
        return sorted(spans, key=lambda s: (s.char_start, s.char_end, s.entity_type))

    def _judged_as_digits(self, normalised: str, results: List[RecognizerResult],
                          failsafe: DigitRunFailsafeRecognizer, banking_clip: bool) -> List[RecognizerResult]:
        """Drop the results of ``judged_as_digits_outside_banking`` types whose number the
        words around it make a quantity, a listed number or a sum, when the transcript carries
        no banking context."""
        types = self.config.judged_as_digits_outside_banking
        if not types or banking_clip or not any(r.entity_type in types for r in results):
            return results
        if failsafe.has_banking_context(normalised):
            return results
        return [r for r in results if r.entity_type not in types
                or not failsafe.harmless_at(normalised, r.start, r.end)]

    def heard_anew(self, first: str, second: str, spans: Sequence[PiiSpan]) -> List[PiiSpan]:
        """What a second listen found that its first listen did not hear.

        A clip whose first transcript had nothing found is heard once more, because the speech
        model garbles dictated values past detection. A second hearing adds to the first where
        it hears other digits or a cue the first missed. A number it writes with the same digits
        as the first ("19.40" and "1940", "24 to 17" and "24-17") is the same hearing, judged
        again with less around it (a packed, greedy listen): the first transcript judged those
        digits with their words and let them through.

        So a span only the digit-run fail-safe found is dropped when all of these hold: the
        first transcript holds its digits, as one number or as two numbers of one sentence at
        most ``_SAME_NUMBER_GAP_WORDS`` words apart; it has fewer than ``min_digits`` digits
        and was not read out a digit or two at a time (``min_dictated_pieces``); and the second
        listen carries no banking context and no ``code_words`` entry, not even glued to a
        number ("code-1945"). Every other span is kept. The caller asks only about a listen of
        a clip nothing was found or heard in, and neither listen asking for a value.

        :param first: the clip's first transcript.
        :param second: the second listen's transcript, which ``spans`` are on.
        :param spans: what :meth:`detect` found in ``second``.
        """
        alone = [s for s in spans if s.entity_type == DIGIT_SEQUENCE and s.recognizer == self._failsafe.name]
        if not alone or not first.strip():
            return list(spans)
        forms = self.config.spoken_forms
        heard_again = normalise(second, forms)
        policy = self.config.digit_run_failsafe
        if self._failsafe.has_banking_context(heard_again.text) or policy.code_words.intersection(
                _LETTERS.findall(second.lower())):
            return list(spans)
        heard = _numbers_heard(normalise(first, forms).text)
        runs = heard_again.digit_runs

        def same_hearing(span: PiiSpan) -> bool:
            inside = [r for r in runs if r.char_start < span.char_end and span.char_start < r.char_end]
            digits = "".join(r.digits for r in inside)
            return (bool(inside) and digits in heard and len(digits) < policy.min_digits
                    and all(r.dictated < policy.min_dictated_pieces for r in inside))

        return [s for s in spans if s not in alone or not same_hearing(s)]

    def has_banking_context(self, text: str) -> bool:
        """Whether a transcript carries banking context anywhere, as the digit-run fail-safe
        reads it (words, phrases and sound-alikes, ASR damage included).

        :param text: the transcript (``Transcript.text``).
        """
        if not text.strip():
            return False
        return self._failsafe.has_banking_context(normalise(text, self.config.spoken_forms).text)

    def contains_critical_pii(self, spans: Iterable[PiiSpan]) -> bool:
        """Whether any span is a banking or government ID.

        :param spans: spans from :meth:`detect`.
        """
        return contains_critical_pii(spans, self.config)

    def _is_denied_person(self, text: str, span: PiiSpan) -> bool:
        if span.entity_type != "PERSON":
            return False
        words = [w.strip(STRIP).lower() for w in text[span.char_start : span.char_end].split()]
        # A name has no number inside it: spaCy's small model tags "Convert 5000 feet" as a person.
        # (A number at the edge, "Nathan Berso 8", was trimmed off by _trim_person.)
        if any(_is_number(w, self._number_words) for w in words):
            return True
        return all(w in self._not_a_name or any(ch.isdigit() for ch in w) or self._is_verb(w)
                   for w in words) or (len(words) == 1 and self._opens_sentence(text, span.char_start)) \
            or self._is_unit_of_a_quantity(text, span, words) or self._is_travel_destination(text, span, words) \
            or self._is_weather_place(text, span, words) or self._is_named_place(span, words)

    def _is_named_place(self, span: PiiSpan, words: Sequence[str]) -> bool:
        """A name spaCy found of two or more words whose last is a ``place_head_words`` entry
        names a place or a team ("Manchester Airport", "Gatwick South Terminal", "Leeds
        United"); no one's name ends in one. A name a request pays or calls ("Pay Grace City")
        is a recognizer's with a cue, and stays."""
        if len(words) < 2 or span.recognizer != SpacyRecognizer.__name__:
            return False
        last = _POSSESSIVE_END.sub("", words[-1])
        return last in self.config.place_head_words

    def _is_unit_of_a_quantity(self, text: str, span: PiiSpan, words: Sequence[str]) -> bool:
        """A span made only of unit words right after a number or another unit is the unit of a
        quantity ("72 degrees Fahrenheit", "350 Fahrenheit"), whatever scientist it is named after."""
        units = self.config.digit_run_failsafe.quantity_words
        if not words or not all(w in units for w in words):
            return False
        before = text[: span.char_start].split()
        previous = before[-1].strip(STRIP).lower() if before else ""
        return _is_number(previous, self._number_words) or previous in units

    def _is_travel_destination(self, text: str, span: PiiSpan, words: Sequence[str]) -> bool:
        """A span of one or two words that a request travels to is a place, not a name: spaCy's
        small model tags "the next train to Manchester", "the 8:15 to Manchester" and "the drive
        from Paris to Lyon" as names. It follows a ``destination_words`` entry ("to") that follows
        a ``travel_words`` entry ("train", "directions"), "the" and a clock time (the service
        that leaves then; "my 3:30" is an appointment) or a capitalised place after "from" in a
        sentence with a ``travel_words`` entry; its sentence addresses no one and it is no
        possessive (:meth:`_unaddressed_place`)."""
        config = self.config
        if not config.destination_words or not 1 <= len(words) <= 2:
            return False
        place = self._unaddressed_place(text, span)
        if place is None:
            return False
        spoken, at, first, last = place
        if at < 2 or spoken[at - 1][2] not in config.destination_words:
            return False
        leaving, earlier = spoken[at - 2], spoken[at - 3][2] if at >= 3 else ""
        return (leaving[2] in config.travel_words
                or (earlier == "the" and bool(_CLOCK_TIME.fullmatch(leaving[2])))
                or (earlier == "from" and text[leaving[0] : leaving[1]].lstrip(STRIP)[:1].isupper()
                    and any(w in config.travel_words for _, _, w in spoken[first : last + 1])))

    def _is_weather_place(self, text: str, span: PiiSpan, words: Sequence[str]) -> bool:
        """A span of one or two words that a weather question asks about is a place, not a
        name: spaCy's small model tags "will it rain in Perth" and "the weather like in Glasgow"
        as names. The span is spaCy's (a name a recognizer found by its cue stays). It follows a
        ``weather_place_words`` entry ("in") right after a ``weather_words`` entry, or after a
        ``weather_link_words`` entry that follows one ("weather like in"). "For" and "at" are
        no such words: "the weather for Gemma tomorrow, she's got her driving test" and "will
        it rain at Max Holden" name people. It closes its phrase: the transcript ends, or
        punctuation or a function, closing or time word other than a joining word follows it
        ("rain in Ryan Cooper's garden", the apostrophe lost, names a person; places or people
        joined by "and" stay names). Its sentence addresses no one and it is no possessive
        (:meth:`_unaddressed_place`)."""
        config = self.config
        if not config.weather_words or span.recognizer != SpacyRecognizer.__name__ or not 1 <= len(words) <= 2:
            return False
        place = self._unaddressed_place(text, span)
        if place is None:
            return False
        spoken, at, first, _ = place
        following = at + len(words)
        if following < len(spoken) and not re.search(r"[,.;:!?]", text[span.char_end : spoken[following][0]]):
            policy = config.digit_run_failsafe
            closing = (policy.function_words | policy.closing_words | policy.time_cue_words) - policy.coordinating_words
            if spoken[following][2] not in closing:
                return False
        before = at - 1
        if before <= first:
            return False
        head = before - 1
        if spoken[head][2] in config.weather_link_words and head > first:
            head -= 1  # "the weather like in Leeds"
        return spoken[before][2] in config.weather_place_words and spoken[head][2] in config.weather_words

    def _unaddressed_place(self, text: str, span: PiiSpan) -> Optional[Tuple[List[Word], int, int, int]]:
        """For a span that may name a place: the transcript's words and the indexes of the
        span's first word and of its sentence's first and last words. None when the span is a
        possessive ("the bus to Maria's") or its sentence pays, sends to or contacts someone (an
        ``addressing_words`` entry: "send the train times to Lucas")."""
        if (re.match(r"['’](?:s\b|\s|$)", text[span.char_end :])
                or _POSSESSIVE_END.search(text[span.char_start : span.char_end])):
            return None
        spoken = words_of(text)
        at = word_index(spoken, span.char_start)
        if at is None:
            return None
        first, last, _ = next(s for s in sentences(text, spoken) if s[0] <= at <= s[1])
        if any(w in self.config.addressing_words for _, _, w in spoken[first : last + 1]):
            return None
        return spoken, at, first, last

    def _is_verb(self, word: str) -> bool:
        """An imperative with a hyphenated pronoun ("réveille-moi"), in a language whose pack lists them."""
        return "-" in word and word.rsplit("-", 1)[1] in self.config.verb_clitics

    def _opens_sentence(self, text: str, start: int) -> bool:
        """The word at ``start`` opens a sentence as a verb does: its object follows it
        ("Ouvre mon livre", "Convertis 150 dollars"; ``opening_verb_objects``)."""
        objects = self.config.opening_verb_objects
        if not objects:
            return False
        before = text[:start].rstrip()
        words = text[start:].split(None, 2)
        if (before and before[-1] not in ".!?") or len(words) < 2 or words[0].endswith(","):
            return False
        following = words[1].strip(STRIP).lower()
        return following in objects or following[:1].isdigit()

    def _trim_person(self, text: str, span: PiiSpan) -> PiiSpan:
        """Take numbers and command words off the edges of a PERSON span and cut it at a number
        ("Nathan Berso 8" -> "Nathan Berso", "Add Dana Quill" -> "Dana Quill")."""
        if span.entity_type != "PERSON":
            return span
        words = _span_words(text, span)

        def core(word: Tuple[int, int]) -> str:
            return text[word[0] : word[1]].strip(STRIP)

        while words and _is_number(core(words[0]), self._number_words):
            words.pop(0)
        # A name ends where a number starts: "Naomi Dubois 2 6 5 Triple 5" (a phone number spaCy
        # took into the name, the ASR's "Triple" inside it) is "Naomi Dubois".
        first_number = next((i for i, w in enumerate(words) if _is_number(core(w), self._number_words)), len(words))
        words = words[:first_number]
        # A command word at the edge is not part of the name; a span with a number inside, or
        # made only of command words, is dropped later (_is_denied_person): left as it is.
        deny = self._not_a_name
        if not any(_is_number(core(w), self._number_words) for w in words) and not all(core(w).lower() in deny for w in words):
            while words and core(words[-1]).lower() in deny:
                words.pop()
            while words and core(words[0]).lower() in deny:
                words.pop(0)
        if not words:
            return span
        # spaCy's small model often tags only the surname ("Add Hector [Delgado]"): capitalised
        # words right before the span, up to two, neither command words nor closing a clause
        # ("Password, [Rivet]"), are the rest of the name.
        before = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[: words[0][0]])]
        for _ in range(2):
            if not before or not _NAME_WORD.fullmatch(text[before[-1][0] : before[-1][1]]):
                break
            if core(before[-1]).lower() in deny:
                break
            words.insert(0, before.pop())
        if (words[0][0], words[-1][1]) == (span.char_start, span.char_end):
            return span
        start, end = snap_to_words(text, words[0][0], words[-1][1])
        return PiiSpan(span.entity_type, start, end, span.score, span.recognizer)

    @staticmethod
    def _to_span(normalised: NormalisedText, result: RecognizerResult) -> PiiSpan:
        start, end = normalised.to_original(result.start, result.end)
        start, end = snap_to_words(normalised.original, start, end)
        recognizer = (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "unknown")
        return PiiSpan(result.entity_type, start, end, round(float(result.score), 4), str(recognizer))

    def _resolve(self, spans: Sequence[PiiSpan]) -> List[PiiSpan]:
        """Keep the best claim on each stretch of words.

        A fail-safe ``DIGIT_SEQUENCE`` span inside a specific entity's span is dropped
        (the run was claimed); otherwise the higher score (then the type listed first
        in ``type_priority``) wins, and a span lying inside a better one is dropped.
        """
        specific = [s for s in spans if s.entity_type != DIGIT_SEQUENCE]
        kept_failsafe = [
            s
            for s in spans
            if s.entity_type == DIGIT_SEQUENCE
            and not any(o.char_start <= s.char_start and s.char_end <= o.char_end for o in specific)
        ]
        ranked = sorted(
            specific + kept_failsafe,
            key=lambda s: (-s.score, self._priority.get(s.entity_type, len(self._priority)), s.char_start - s.char_end),
        )
        kept: List[PiiSpan] = []
        for span in ranked:
            if any(k.char_start <= span.char_start and span.char_end <= k.char_end for k in kept):
                continue
            kept.append(span)
        return kept


def _span_words(text: str, span: PiiSpan) -> List[Tuple[int, int]]:
    """The ``(start, end)`` offsets in ``text`` of each whitespace-separated word of ``span``."""
    return [(m.start() + span.char_start, m.end() + span.char_start)
            for m in re.finditer(r"\S+", text[span.char_start:span.char_end])]


def _without_tone_words(text: str, span: PiiSpan) -> Optional[PiiSpan]:
    """A PERSON span from spaCy's NER in a re-listen, without the censored words at its edges
    ("F**k F**k Reminds" -> "Reminds"; ``None`` when nothing else is left): Whisper writes a
    bleep as the censored word it stood for in its training data, no name has asterisks in it,
    and the tone's words often have no time to place them by. What is left is judged as any
    name ("F**k Smith" -> "Smith", a surname the bleep missed)."""
    if span.entity_type != "PERSON" or span.recognizer != SpacyRecognizer.__name__:
        return span
    words = _span_words(text, span)
    while words and "*" in text[words[0][0]:words[0][1]]:
        words.pop(0)
    while words and "*" in text[words[-1][0]:words[-1][1]]:
        words.pop()
    if not words:
        return None
    if (words[0][0], words[-1][1]) == (span.char_start, span.char_end):
        return span
    start, end = snap_to_words(text, words[0][0], words[-1][1])
    return PiiSpan(span.entity_type, start, end, span.score, span.recognizer)


def _tone_heard_as_name(text: str, span: PiiSpan) -> bool:
    """A PERSON span from spaCy's NER that a re-listen makes of the tone or the words around it:
    one without a capital letter ("bin", "f**k nx"; Whisper capitalises the names it hears), or
    one made of single letters only ("F. F. F. F. I. I. F.", the tone written as letters: taken
    as a name, it would dead-letter a clip whose card or account was bleeped cleanly)."""
    if span.entity_type != "PERSON" or span.recognizer != SpacyRecognizer.__name__:
        return False
    words = [w.strip(STRIP) for w in text[span.char_start:span.char_end].split()]
    return not any(ch.isupper() for w in words for ch in w) or all(len(w) <= 1 for w in words)


def _numbers_heard(normalised: str) -> FrozenSet[str]:
    """The digits of every number of a normalised transcript, alone and joined with the next
    number of its sentence when at most ``_SAME_NUMBER_GAP_WORDS`` words apart ("at 19.40"
    gives "19", "40" and "1940")."""
    runs = list(_DIGITS.finditer(normalised))
    heard = {run.group() for run in runs}
    for run, following in zip(runs, runs[1:]):
        between = normalised[run.end() : following.start()]
        words = [w for w in between.split() if any(ch.isalnum() for ch in w)]
        if len(words) <= _SAME_NUMBER_GAP_WORDS and not _SENTENCE_END.search(between):
            heard.add(run.group() + following.group())
    return frozenset(heard)


def _is_number(word: str, number_words: FrozenSet[str]) -> bool:
    """A numeral or a spoken number word ("five"): never part of a name."""
    if word.lower() in number_words:
        return True
    return bool(word) and word.replace(",", "").replace(".", "").replace("-", "").isdigit()


def snap_to_words(text: str, start: int, end: int) -> Tuple[int, int]:
    """Widen a span to whole whitespace-separated words, without their edge punctuation.

    Text and audio redaction work on words, so a span must never cut one in half.

    :param text: the original transcript.
    :param start: span start.
    :param end: span end (exclusive).
    """
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    while start < end - 1 and text[start] in STRIP:
        start += 1
    while end > start + 1 and text[end - 1] in STRIP:
        end -= 1
    return start, end


def contains_critical_pii(spans: Iterable[PiiSpan], config: PiiConfig) -> bool:
    """Whether any span is of a critical (banking or government-ID) type.

    :param spans: detected spans.
    :param config: PII settings naming the critical types.
    """
    return any(span.entity_type in config.critical_entities for span in spans)
