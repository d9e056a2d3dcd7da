"""Helpers of the per-recognizer test files (tests/test_recognizer_*.py).

A recognizer file's tests assert on the spans *it* produced: through the whole detector
(``found_by``: after context, threshold and overlaps), or, for a recognizer whose matches
another one usually outranks (spaCy's names), on its own patterns (``matched_by``).
"""

from __future__ import annotations

from typing import Callable, List, Sequence, Tuple

import pytest
from presidio_analyzer import PatternRecognizer
from voicescrub.transforms.pii.config import PiiConfig, thaw
from voicescrub.transforms.pii.detector import PiiDetector
from voicescrub.transforms.pii.spoken_normaliser import normalise


def found_by(detector: PiiDetector, text: str, recognizer: str) -> List[Tuple[str, int, int]]:
    """``(type, start, end)`` of the detector's spans on ``text`` that ``recognizer`` found
    (offsets, never the words: a failing test prints no value)."""
    return [(s.entity_type, s.char_start, s.char_end) for s in detector.detect(text)
            if s.recognizer.split("+")[0] == recognizer]


def span_of(text: str, value: str, entity: str) -> Tuple[str, int, int]:
    """``(entity, start, end)`` of ``value``'s first occurrence in ``text``."""
    start = text.index(value)
    return entity, start, start + len(value)


def matched_by(config: PiiConfig, text: str, recognizer: str) -> List[Tuple[int, int]]:
    """``(start, end)`` in ``text`` of what ``recognizer``'s own patterns match, scores aside."""
    spec = next(thaw(r) for r in config.recognizers if r["name"] == recognizer)
    spec.setdefault("supported_language", config.language)
    normalised = normalise(text, config.spoken_forms)
    found = PatternRecognizer.from_dict(spec).analyze(normalised.text, [spec["supported_entity"]])
    return [normalised.to_original(r.start, r.end) for r in found]


def assert_catches(detector: PiiDetector, text: str, value: str, recognizer: str, entity: str) -> None:
    """``recognizer``'s own patterns match inside or around ``value`` and the detector redacts
    exactly ``value`` as ``entity``."""
    expected = span_of(text, value, entity)
    _, start, end = expected
    assert any((s <= start and end <= e) or (start <= s and e <= end)
               for s, e in matched_by(detector.config, text, recognizer))
    assert expected in [(s.entity_type, s.char_start, s.char_end) for s in detector.detect(text)]


def recognizer_tests(recognizer: str, entity: str, catches: Sequence[Tuple[str, str]],
                     near_misses: Sequence[str], detector: str = "pii_detector") -> Tuple[Callable, Callable]:
    """The two parametrised tests of one recognizer's file: ``test_catches, test_near_misses =
    recognizer_tests(...)`` at module level.

    :param detector: the fixture of the detector whose pack holds the recognizer
        (``pii_detector``: English; ``fr_detector``: French).
    """

    @pytest.mark.parametrize("text, value", catches)
    def test_catches(request, text: str, value: str) -> None:
        assert_catches(request.getfixturevalue(detector), text, value, recognizer, entity)

    @pytest.mark.parametrize("text", near_misses)
    def test_near_misses(request, text: str) -> None:
        assert found_by(request.getfixturevalue(detector), text, recognizer) == []

    return test_catches, test_near_misses
