"""What one speech model writes for the words detection relies on: confusion tables.

A small Whisper model mishears the cue words of a request in its own, repeatable
ways: tiny.en writes "bin" for a spoken "PIN", "count number" for "account number",
"item" for "IBAN", "not" for the "dot" of an e-mail address. Those are facts
about the model, not about English, so they live in one table per model family,
``transforms/pii/asr_confusions/<family>.yaml``, and are applied only while that
model makes the transcripts. A larger model gets no tiny.en word read as a cue.

Each entry says what the model writes (``heard``), what the speaker said
(``means``), which of the detector's word lists it joins (``lists``), why it is
there (``reason``), and how often it was measured (``measured``, written by
``benchmarks/asr_confusions.py``). An entry joins a list only where its meaning is
already in that list, so a table can make the detector hear a mishearing as the
word it stands for, never teach it a cue it did not have.

Plain Python, no Presidio, no Beam.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Tuple

import yaml
from voicescrub.schemas.settings import FrozenMapping, freeze, phrases, thaw

if TYPE_CHECKING:  # the config imports this module to apply its table
    from voicescrub.transforms.pii.config import PiiConfig

#: Where the shipped tables live, one file per model family.
TABLES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "asr_confusions")

#: ``asr_confusions`` values that are not a table: pick by the run's model, or use none.
AUTO, NONE = "auto", "none"

_FAMILY = re.compile(r"\A[a-z0-9][a-z0-9._-]{0,63}\Z")


class ConfusionTableError(ValueError):
    """A confusion table that cannot be read or does not fit the config; one line."""


@dataclass(frozen=True)
class Measured:
    """How often an entry was seen (``benchmarks/asr_confusions.py``).

    :param count: times the model wrote ``heard`` for ``means``.
    :param spoken: times ``means`` was said.
    :param voices: distinct voices it was seen from.
    """

    count: int
    spoken: int
    voices: int


@dataclass(frozen=True)
class Confusion:
    """One mishearing: the model writes ``heard`` where the speaker said ``means``."""

    heard: str
    means: str
    lists: Tuple[str, ...]
    reason: str
    measured: Optional[Measured] = None


@dataclass(frozen=True)
class ConfusionTable:
    """A model family's confusions.

    :param family: the family name (``tiny.en``): the file's name and what
        ``asr.whisper.model_family`` returns for the models it covers.
    """

    family: str
    confusions: Tuple[Confusion, ...]


def _banking_terms(config: "PiiConfig") -> frozenset:
    policy = config.digit_run_failsafe
    return policy.banking_context_words | frozenset(policy.banking_context_phrases)


def _context_words(config: "PiiConfig") -> frozenset:
    found = set()
    for recognizer in config.recognizers:
        found.update(str(word).lower() for word in recognizer.get("context", ()))
    return frozenset(found)


def _digit_words(config: "PiiConfig") -> frozenset:
    return frozenset(word for word, value in config.spoken_forms.units.items() if value <= 9)


#: Every list a confusion can join: the words its ``means`` must be among for the
#: entry to fit (the meaning the heard form stands in for).
LIST_MEANINGS: Dict[str, Callable[["PiiConfig"], Any]] = {
    # Strong banking context: lowers the digit bar of the runs around it.
    "banking_context_words": lambda c: c.digit_run_failsafe.banking_context_words,
    # Weak banking context: puts the clip in banking mode only.
    "banking_sound_alikes": _banking_terms,
    "value_statement_words": lambda c: c.digit_run_failsafe.value_statement_words,
    "iban_cue_words": lambda c: frozenset(c.iban_prefix.cue_words),
    # The context words of every recognizer whose context holds ``means``.
    "context": _context_words,
    "digit_homophones": _digit_words,
    "run_lead_ins": lambda c: c.spoken_forms.run_lead_ins,
    "email_separators": lambda c: frozenset(c.spoken_forms.email_separators),
}


def _text(raw: Any, what: str) -> str:
    if not isinstance(raw, str) or not raw.split():
        raise ConfusionTableError(f"each confusion needs a non-empty '{what}'")
    return " ".join(raw.lower().split())


def _measured(raw: Any) -> Optional[Measured]:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(raw) != {"count", "spoken", "voices"}:
        raise ConfusionTableError("'measured' must give count, spoken and voices")
    values = [raw[key] for key in ("count", "spoken", "voices")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise ConfusionTableError("'measured' counts must be whole numbers of 0 or more")
    return Measured(*values)


def _confusion(raw: Any) -> Confusion:
    if not isinstance(raw, Mapping):
        raise ConfusionTableError("each confusion must be a mapping")
    unknown = set(raw) - {"heard", "means", "lists", "reason", "measured"}
    if unknown:
        raise ConfusionTableError("a confusion holds a key that is not heard, means, lists, reason "
                                  "or measured")
    lists = raw.get("lists")
    if not isinstance(lists, list) or not lists or not all(isinstance(n, str) for n in lists):
        raise ConfusionTableError("each confusion needs 'lists': the word lists it joins")
    bad = sorted(set(lists) - set(LIST_MEANINGS))
    if bad:
        raise ConfusionTableError(f"'{bad[0]}' is not a list a confusion can join "
                                  f"(one of: {', '.join(LIST_MEANINGS)})")
    return Confusion(_text(raw.get("heard"), "heard"), _text(raw.get("means"), "means"),
                     tuple(lists), _text(raw.get("reason"), "reason"), _measured(raw.get("measured")))


def load_table(path: str) -> ConfusionTable:
    """Read and check one table file (``<family>.yaml``).

    :raises ConfusionTableError: in one line.
    """
    family = os.path.basename(path)
    family = family[:-5] if family.endswith(".yaml") else family
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except OSError:
        raise ConfusionTableError(f"no confusion table at {path}") from None
    except yaml.YAMLError:
        raise ConfusionTableError(f"confusion table {family} is not valid YAML") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("confusions"), list):
        raise ConfusionTableError(f"confusion table {family} must hold a 'confusions' list")
    confusions = tuple(_confusion(entry) for entry in raw["confusions"])
    seen = set()
    for confusion in confusions:
        if confusion.heard in seen:
            raise ConfusionTableError(f"confusion table {family} lists one heard form twice")
        seen.add(confusion.heard)
    return ConfusionTable(family, confusions)


def shipped_families() -> Tuple[str, ...]:
    """The model families with a table in the package."""
    return tuple(sorted(name[:-5] for name in os.listdir(TABLES_DIR) if name.endswith(".yaml")))


def resolve_table(choice: str, model_family: str) -> Optional[ConfusionTable]:
    """The table a run uses.

    :param choice: ``auto`` (the table of ``model_family``, or none when the package has
        none for it), ``none``, a family with a shipped table, or a path to a table file.
    :param model_family: the family of the run's speech model
        (``voicescrub.transforms.asr.whisper.model_family``).
    :raises ConfusionTableError: a named family without a table, or a bad file.
    """
    if choice == NONE:
        return None
    if choice == AUTO:
        if model_family not in shipped_families():
            return None
        choice = model_family
    if _FAMILY.match(choice) and not choice.endswith(".yaml"):
        if choice not in shipped_families():
            raise ConfusionTableError(f"no shipped confusion table for '{choice}' (shipped: "
                                      f"{', '.join(shipped_families())}); give a path to a table")
        return load_table(os.path.join(TABLES_DIR, choice + ".yaml"))
    return load_table(choice)


def unfitted(table: ConfusionTable, config: "PiiConfig") -> Tuple[Tuple[str, str], ...]:
    """``(heard, list)`` of every entry naming a list that does not hold its meaning: those
    pairs are left out when the table is applied to ``config``."""
    return tuple((c.heard, name) for c in table.confusions for name in c.lists
                 if c.means not in LIST_MEANINGS[name](config))


def _with_context(recognizers: tuple, additions: Mapping[str, Tuple[str, ...]]) -> tuple:
    """The recognizers with each heard form added to every context that holds its meaning."""
    updated = []
    for recognizer in thaw(recognizers):
        context = recognizer.get("context")
        if context:
            lowered = {str(word).lower() for word in context}
            extra = [heard for means, forms in additions.items() if means in lowered
                     for heard in forms if heard not in lowered]
            recognizer = {**recognizer, "context": list(context) + extra}
        updated.append(recognizer)
    return freeze(updated)


def apply_table(config: "PiiConfig", table: Optional[ConfusionTable]) -> "PiiConfig":
    """``config`` with ``table``'s confusions joined to their lists (``None``: unchanged,
    but for the name of the table in use). An entry joins a list only where the list
    holds its meaning: a config that does not look for a cue is not taught its
    mishearings (see :func:`unfitted`).
    """
    if table is None:
        return dataclasses.replace(config, confusion_table=NONE)
    left_out = set(unfitted(table, config))

    def meaning_of(name: str) -> Dict[str, str]:
        return {c.heard: c.means for c in table.confusions
                if name in c.lists and (c.heard, name) not in left_out}

    def heard_in(name: str) -> Tuple[str, ...]:
        return tuple(meaning_of(name))

    policy = config.digit_run_failsafe
    policy = dataclasses.replace(
        policy,
        banking_context_words=policy.banking_context_words | frozenset(heard_in("banking_context_words")),
        banking_sound_alikes=phrases([*policy.banking_sound_alikes, *heard_in("banking_sound_alikes")]),
        value_statement_words=policy.value_statement_words | frozenset(heard_in("value_statement_words")))
    iban = dataclasses.replace(
        config.iban_prefix,
        cue_words=phrases([*config.iban_prefix.cue_words, *heard_in("iban_cue_words")]))
    context: Dict[str, Tuple[str, ...]] = {}
    for heard, means in meaning_of("context").items():
        context[means] = context.get(means, ()) + (heard,)
    separators = config.spoken_forms.email_separators
    forms = config.spoken_forms.adding(
        digit_homophones=FrozenMapping({heard: str(config.spoken_forms.units[means])
                                        for heard, means in meaning_of("digit_homophones").items()}),
        run_lead_ins=frozenset(heard_in("run_lead_ins")),
        email_separators=FrozenMapping({heard: separators[means]
                                        for heard, means in meaning_of("email_separators").items()}))
    return dataclasses.replace(
        config, digit_run_failsafe=policy, iban_prefix=iban, spoken_forms=forms,
        recognizers=_with_context(config.recognizers, context), confusion_table=table.family)
