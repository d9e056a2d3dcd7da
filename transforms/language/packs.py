"""Language packs and locales: what a run can hear, and which clips it must refuse.

Plain Python, no Beam. A clip is scrubbed only when a language pack of the run
covers its manifest ``locale``: the pack names the language the ASR decodes in
and the PII detection reads. A clip of any other locale is dead-lettered before
its audio is read (``transforms/stages/check_locale.py``), so it never costs a
transcription and never reaches reviewers.

A run has one ASR model and one PII configuration, so it runs one pack;
``--locales`` narrows the locales it accepts to those the deployment covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple

from voicescrub.transforms.runtime.errors import ScrubError


class UnsupportedLocale(ScrubError):
    """The clip's locale is not covered by any language pack of the run."""


class LanguageConfigError(ValueError):
    """A ``--locales`` setting names a locale no pack of the run covers, or is malformed."""


_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_PATTERN = re.compile(r"^[A-Za-z]{2,3}([-_]\*|([-_][A-Za-z0-9]{2,8})+)?$")


def is_locale(text: str) -> bool:
    """Whether ``text`` has the shape of a language tag (``en``, ``en-US``, ``en_gb``)."""
    return bool(_LOCALE.match(text))


def normalise_locale(locale: str) -> str:
    """A locale in BCP 47 case (``en_us`` -> ``en-US``, ``zh-hant-tw`` -> ``zh-Hant-TW``).

    :raises ValueError: when ``locale`` is not a language tag.
    """
    locale = locale.strip()
    if not is_locale(locale):
        raise ValueError("not a locale")
    language, *subtags = re.split(r"[-_]", locale)
    parts = [language.lower()]
    for subtag in subtags:
        if len(subtag) == 4 and subtag.isalpha():
            parts.append(subtag.title())  # script
        elif len(subtag) in (2, 3):
            parts.append(subtag.upper())  # region
        else:
            parts.append(subtag.lower())  # variant
    return "-".join(parts)


def language_of(locale: str) -> str:
    """The primary language subtag of a locale, lower case (``en-GB`` -> ``en``)."""
    return normalise_locale(locale).split("-", 1)[0]


def locale_matches(locale: str, pattern: str) -> bool:
    """Whether ``locale`` falls under ``pattern``.

    A pattern is a locale with a region (``en-GB``: that locale exactly, case and
    ``_`` aside) or a language alone, with or without ``-*`` (``en`` and ``en-*``:
    every locale of that language, bare ``en`` included).
    """
    if pattern.endswith(("-*", "_*")):
        pattern = pattern[:-2]
    if "-" not in pattern and "_" not in pattern:
        return language_of(locale) == language_of(pattern)
    return normalise_locale(locale) == normalise_locale(pattern)


def check_pattern(pattern: str) -> str:
    """``pattern`` normalised: a language alone becomes ``xx-*`` (``EN`` -> ``en-*``,
    ``en_*`` -> ``en-*``), a locale its BCP 47 case (``en_us`` -> ``en-US``).

    :raises LanguageConfigError: when it is neither.
    """
    pattern = pattern.strip()
    if not _PATTERN.match(pattern):
        raise LanguageConfigError(f"--locales: {pattern!r} is not a locale or a language")
    if pattern.endswith(("-*", "_*")):
        pattern = pattern[:-2]
    if "-" not in pattern and "_" not in pattern:
        return language_of(pattern) + "-*"
    return normalise_locale(pattern)


@dataclass(frozen=True)
class LanguagePack:
    """Everything a run needs to hear one language.

    :param name: the pack's name, as ``--locales`` errors and docs refer to it.
    :param asr_language: the Whisper language code the ASR decodes in, and the
        language a multilingual model must detect in a clip.
    :param locales: the locale patterns the pack can hear (see :func:`locale_matches`),
        as :func:`check_pattern` writes them.
    """

    name: str
    asr_language: str
    locales: Tuple[str, ...]

    def covers(self, locale: str) -> bool:
        return any(locale_matches(locale, pattern) for pattern in self.locales)


#: The default pack: English in any region, heard by an English Whisper model and
#: read by the English PII configuration shipped in ``transforms/pii``.
ENGLISH = LanguagePack(name="English", asr_language="en", locales=("en-*",))

@dataclass(frozen=True)
class LocaleCoverage:
    """The locales a run accepts: its pack's, narrowed by ``--locales``.

    :param pack: the run's language pack.
    :param accepted: the patterns a clip's locale must match (a subset of the pack's).
    """

    pack: LanguagePack
    accepted: Tuple[str, ...]

    def accepts(self, locale: str) -> bool:
        try:
            return any(locale_matches(locale, pattern) for pattern in self.accepted)
        except ValueError:
            return False


def _within(pattern: str, pack: LanguagePack) -> bool:
    """Whether every locale ``pattern`` matches is one ``pack`` covers."""
    if pattern.endswith("-*"):
        return any(p.endswith("-*") and language_of(p[:-2]) == language_of(pattern[:-2])
                   for p in pack.locales)
    return pack.covers(pattern)


def locale_coverage(pack: LanguagePack, locales: Optional[Iterable[str]] = None) -> LocaleCoverage:
    """The coverage for ``--locales`` (``None``: everything the pack can hear).

    :raises LanguageConfigError: when a pattern is malformed or falls outside the pack,
        so that a run configured for a language it cannot hear fails before any audio.
    """
    if locales is None:
        return LocaleCoverage(pack, pack.locales)
    accepted = tuple(check_pattern(p) for p in locales if p.strip())
    if not accepted:
        raise LanguageConfigError("--locales names no locale")
    for pattern in accepted:
        if not _within(pattern, pack):
            raise LanguageConfigError(
                f"--locales: no language pack of this run covers {pattern} "
                f"(the {pack.name} pack covers {', '.join(pack.locales)})")
    return LocaleCoverage(pack, accepted)
