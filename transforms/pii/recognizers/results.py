"""One way for a coded recognizer to report a span, attributed to itself."""

from __future__ import annotations

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult


def attributed_result(recognizer: EntityRecognizer, entity_type: str, start: int, end: int,
                      score: float) -> RecognizerResult:
    """A result carrying the recognizer's name and id in its metadata, which the
    context enhancer (``transforms/pii/context_enhancer.py``) reads to find the
    recognizer's context words."""
    return RecognizerResult(
        entity_type=entity_type,
        start=start,
        end=end,
        score=score,
        analysis_explanation=AnalysisExplanation(recognizer=recognizer.name, original_score=score),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )
