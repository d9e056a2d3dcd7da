"""Language packs and locales: what a run can hear, and which clips it must refuse.

Plain Python, no Beam. A clip is scrubbed only when a language pack of the run
covers its manifest ``locale``: the pack names the language the ASR decodes in
and the PII detection reads. A clip of any other locale is dead-lettered before
its audio is read (``transforms/stages/check_locale.py``), so it never costs a
transcription and never reaches reviewers.

A pack is a folder: ``transforms/language/<code>/`` for the packs shipped (``en``,
``fr``), or any folder of the same shape. Its ``pack.yaml`` names the language, the
locales it hears, its PII config (with the recognizer files that config names, beside
it) and how the language says numbers and e-mail addresses (``spoken``, read by
:mod:`voicescrub.transforms.pii.spoken_normaliser`). Nothing of one language lives
outside its folder; ``docs/language-packs.md`` says how to write one.

A run has one ASR model and one PII configuration, so it runs one pack
(``--language-pack``); ``--locales`` narrows the locales it accepts to those the
deployment covers.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Tuple

import yaml
from voicescrub.schemas.settings import SettingsError
from voicescrub.transforms.pii.spoken_normaliser import SpokenForms
from voicescrub.transforms.runtime.errors import ScrubError

#: The folder that holds the packs shipped with the package, one folder per language code.
PACKS_DIR = os.path.dirname(os.path.abspath(__file__))
#: The pack a run uses unless ``--language-pack`` names another.
DEFAULT_PACK = "en"


class UnsupportedLocale(ScrubError):
    """The clip's locale is not covered by any language pack of the run."""


class LanguageConfigError(ValueError):
    """A ``--locales`` or ``--language-pack`` setting names a locale no pack of the run
    covers, or a pack that cannot be read; the message is one line."""


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
    :param pii_config: the path of the PII config its detection reads.
    :param spoken_forms: how the language says numbers and e-mail addresses.
    """

    name: str
    asr_language: str
    locales: Tuple[str, ...]
    pii_config: str = ""
    spoken_forms: SpokenForms = field(default_factory=SpokenForms)

    def covers(self, locale: str) -> bool:
        return any(locale_matches(locale, pattern) for pattern in self.locales)


def shipped_packs() -> Tuple[str, ...]:
    """The codes of the packs shipped with the package (``en``, ``fr``)."""
    return tuple(sorted(entry for entry in os.listdir(PACKS_DIR)
                        if os.path.isfile(os.path.join(PACKS_DIR, entry, "pack.yaml"))))


def pack_folder(name: str) -> str:
    """The folder of the pack ``name``: a shipped pack's code, or a folder's path.

    :raises LanguageConfigError: when neither holds a ``pack.yaml``.
    """
    folder = os.path.join(PACKS_DIR, name) if re.fullmatch(r"[a-z]{2,3}", name) else name
    if not os.path.isfile(os.path.join(folder, "pack.yaml")):
        raise LanguageConfigError(
            f"--language-pack: no pack.yaml there (the packs shipped are {', '.join(shipped_packs())}, "
            "or give a pack folder's path)")
    return folder


def _text(raw: Any, key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LanguageConfigError(f"pack.yaml: '{key}' must be text")
    return value.strip()


def load_pack(name: str = DEFAULT_PACK) -> LanguagePack:
    """Read a language pack.

    :param name: a shipped pack's code (``en``, ``fr``) or the path of a pack folder.
    :raises LanguageConfigError: in one line, naming the setting, when the pack is malformed.
    """
    folder = pack_folder(name)
    try:
        with open(os.path.join(folder, "pack.yaml"), encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError):
        raise LanguageConfigError("pack.yaml cannot be read as UTF-8 text") from None
    except yaml.YAMLError:
        raise LanguageConfigError("pack.yaml is not valid YAML") from None
    if not isinstance(raw, dict):
        raise LanguageConfigError("pack.yaml must be a mapping")
    unknown = sorted(set(raw) - {"name", "asr_language", "locales", "pii_config", "spoken"})
    if unknown:
        raise LanguageConfigError("pack.yaml holds a key that is not a pack setting")
    locales = raw.get("locales")
    if not isinstance(locales, list) or not locales or not all(isinstance(p, str) for p in locales):
        raise LanguageConfigError("pack.yaml: 'locales' must be a non-empty list of locale patterns")
    try:
        patterns = tuple(check_pattern(p) for p in locales)
    except LanguageConfigError:
        raise LanguageConfigError("pack.yaml: 'locales' holds something that is not a locale") from None
    pii_config = os.path.join(folder, _text(raw, "pii_config"))
    if not os.path.isfile(pii_config):
        raise LanguageConfigError("pack.yaml: 'pii_config' names no file in the pack's folder")
    try:
        forms = SpokenForms.from_mapping(raw.get("spoken"))
    except SettingsError as error:
        raise LanguageConfigError(f"pack.yaml: {error}") from None
    if sorted(set(forms.units.values())) != list(range(10)):
        raise LanguageConfigError("pack.yaml: 'spoken.units' must name every digit from 0 to 9")
    return LanguagePack(name=_text(raw, "name"), asr_language=_text(raw, "asr_language"),
                        locales=patterns, pii_config=pii_config, spoken_forms=forms)


#: The default pack: English in any region, heard by an English Whisper model.
ENGLISH = load_pack(DEFAULT_PACK)

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
