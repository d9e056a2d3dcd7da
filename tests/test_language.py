"""Locales and language packs: which clips a run can hear (transforms/language/packs.py)."""

from __future__ import annotations

import pytest
from voicescrub.transforms.language.packs import (
    ENGLISH,
    LanguageConfigError,
    LanguagePack,
    check_pattern,
    locale_coverage,
    locale_matches,
    normalise_locale,
)


@pytest.mark.parametrize("raw, expected", [
    ("en-US", "en-US"), ("en_us", "en-US"), ("EN-gb", "en-GB"), ("en", "en"),
    ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"), ("de-CH-1996", "de-CH-1996"),
])
def test_locales_are_normalised_to_bcp47_case(raw: str, expected: str) -> None:
    assert normalise_locale(raw) == expected


@pytest.mark.parametrize("raw", ["", "e", "english!", "en--US", "en US", "12-US"])
def test_a_malformed_locale_is_not_normalised(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_locale(raw)


@pytest.mark.parametrize("locale, pattern, matches", [
    ("en-US", "en-*", True), ("en", "en-*", True), ("en_gb", "en-*", True),
    ("en-IN", "en-*", True), ("es-US", "en-*", False), ("eng", "en-*", False),
    ("en-US", "en-US", True), ("en_us", "en-US", True), ("en-GB", "en-US", False),
    ("en", "en-US", False), ("en-US", "en", True), ("en", "en", True), ("en-AU", "en_*", True),
    ("es-ES", "en", False),
])
def test_locale_patterns(locale: str, pattern: str, matches: bool) -> None:
    assert locale_matches(locale, pattern) is matches


def test_the_english_pack_hears_every_english_locale_and_nothing_else() -> None:
    coverage = locale_coverage(ENGLISH)
    for locale in ("en-US", "en-GB", "en-AU", "en-IN", "en"):
        assert coverage.accepts(locale)
    # Near misses: other languages of the same regions, and what is not a locale at all.
    for locale in ("es-US", "es-ES", "de-DE", "fr-CA", "hi-IN", "ro-RO", "pt-BR", "not a locale"):
        assert not coverage.accepts(locale)


def test_locales_narrow_what_a_run_accepts() -> None:
    coverage = locale_coverage(ENGLISH, ["en-US", " en_gb "])
    assert coverage.accepted == ("en-US", "en-GB")
    assert coverage.accepts("en-US") and coverage.accepts("en-GB")
    assert not coverage.accepts("en-AU") and not coverage.accepts("en")


@pytest.mark.parametrize("locales", [["es-ES"], ["en-US", "de-DE"], ["fr-*"], ["es"], ["*"], [""],
                                     ["en-"]])
def test_locales_a_pack_cannot_hear_are_a_configuration_error(locales) -> None:
    with pytest.raises(LanguageConfigError):
        locale_coverage(ENGLISH, locales)


def test_a_language_wildcard_needs_a_pack_wildcard() -> None:
    regional = LanguagePack(name="British English", asr_language="en", locales=("en-GB",))
    assert locale_coverage(regional, ["en-GB"]).accepts("en-GB")
    with pytest.raises(LanguageConfigError):
        locale_coverage(regional, ["en-*"])


def test_patterns_are_normalised() -> None:
    assert check_pattern("EN-*") == "en-*"
    assert check_pattern("en_*") == "en-*"
    assert check_pattern("en") == "en-*"  # a language alone: every locale of it
    assert check_pattern("en_us") == "en-US"
    assert locale_coverage(ENGLISH, ["en"]).accepts("en-GB")
