"""benchmarks/template_corpus.py: filling the Presidio team's sentence templates with labelled fake values."""

from __future__ import annotations

import random

import pytest

from benchmarks.template_corpus import TemplateValues, fill, speakable


def values() -> TemplateValues:
    return TemplateValues(random.Random(7))


@pytest.mark.parametrize("template", [
    "My credit card {{credit_card_number}} has been lost. My name is {{person}}.",
    "Please call me at {{phone_number}} or email {{email}}, my IBAN is {{iban}}",
    "{{first_name}}: I was born on {{date_of_birth}}, SSN {{ssn}}",
])
def test_every_label_covers_exactly_its_value(template: str) -> None:
    filled = fill(template, values())
    assert "{{" not in filled.text
    assert len(filled.pii) == template.count("{{")
    for item in filled.pii:
        assert filled.text[item["start"]:item["end"]] == item["spoken"]


def test_a_building_number_joins_the_street_it_comes_before() -> None:
    filled = fill("The restaurant is at {{building_number}} {{street_name}}", values())
    (street,) = filled.pii
    assert street["entity_type"] == "STREET_ADDRESS"
    assert filled.text[street["start"]].isdigit() and street["end"] == len(filled.text)


def test_unlabelled_placeholders_are_filled_but_not_labelled() -> None:
    filled = fill("I work for {{organization}} in {{city}}, {{country}}, since {{year}}", values())
    assert filled.pii == [] and "{" not in filled.text


def test_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(ValueError):
        fill("Hello {{favourite_colour}}", values())


def test_a_template_line_becomes_a_sentence_to_speak() -> None:
    assert speakable(r"{{name}}\n\n{{organization}}\n> {{address}}") == "{{name}}, {{organization}}, {{address}}"
    assert speakable("The corner of {street_name} and {street_name}") == \
        "The corner of {{street_name}} and {{street_name}}"
