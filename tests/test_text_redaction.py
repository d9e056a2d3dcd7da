import pytest
from voicescrub.schemas.records import PiiSpan
from voicescrub.transforms.pii.text_redaction import redact_text


def span(kind, start, end, score=0.9, recognizer="r"):
    return PiiSpan(kind, start, end, score, recognizer)


def test_single_entity_is_replaced_and_offsets_point_at_the_placeholder():
    text = "my card is 4111 1111 1111 1111 thanks"
    redacted, groups = redact_text(text, [span("CREDIT_CARD", 11, 30)])
    assert redacted == "my card is [CREDIT_CARD] thanks"
    assert len(groups) == 1
    g = groups[0]
    assert redacted[g.redacted_start:g.redacted_end] == "[CREDIT_CARD]"
    assert (g.source_start, g.source_end) == (11, 30)


def test_span_inside_a_token_widens_to_the_whole_token():
    text = "number 4,111,111,111 ok"
    redacted, groups = redact_text(text, [span("DIGIT_SEQUENCE", 10, 13)])
    assert redacted == "number [DIGIT_SEQUENCE] ok"
    assert "111" not in redacted


def test_overlapping_spans_merge_and_the_critical_type_wins():
    text = "call 4111 1111 1111 1111 now"
    spans = [span("PHONE_NUMBER", 5, 19, score=0.95), span("CREDIT_CARD", 5, 24, score=0.6)]
    redacted, groups = redact_text(text, spans, critical_entities={"CREDIT_CARD"})
    assert redacted == "call [CREDIT_CARD] now"
    assert len(groups) == 1
    assert groups[0].score == 0.95
    assert groups[0].recognizer == "r"


def test_same_type_pieces_separated_by_punctuation_become_one_placeholder():
    text = "ssn 417, 33, 9026 please"
    spans = [span("US_SSN", 4, 7), span("US_SSN", 9, 11), span("US_SSN", 13, 17)]
    redacted, groups = redact_text(text, spans)
    assert redacted == "ssn [US_SSN] please"
    assert len(groups) == 1


def test_different_types_separated_by_a_word_stay_apart():
    text = "John Smith card 4111111111111111"
    spans = [span("PERSON", 0, 10), span("CREDIT_CARD", 16, 32)]
    redacted, groups = redact_text(text, spans)
    assert redacted == "[PERSON] card [CREDIT_CARD]"
    assert [g.entity_type for g in groups] == ["PERSON", "CREDIT_CARD"]
    for g in groups:
        assert redacted[g.redacted_start:g.redacted_end] == f"[{g.entity_type}]"


@pytest.mark.parametrize("spans", [[], [span("X", 5, 5)], [span("X", 50, 60)]])
def test_empty_or_out_of_range_spans_change_nothing(spans):
    assert redact_text("nothing to see", spans) == ("nothing to see", [])
