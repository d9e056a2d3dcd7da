"""Places read as people: how often the detector redacts a town as a name, and keeps real names.

    python benchmarks/place_names.py                 # writes results/place_names.json
    python benchmarks/place_names.py --tag base      # writes results/place_names_base.json

spaCy's small model tags many towns as people ("the forecast for Exeter"). The detector
drops a PERSON span in the shapes where a request names a place: where it travels to, where
a weather question asks about (``docs/pii-detection.md``, person trimming). This benchmark
measures those shapes over many places rather than the few that any corpus holds, and checks
the other side: names in the same kinds of sentence that the guards must keep (a sentence
that addresses someone, a possessive, a name after a word that names no place).

Every place of ``PLACES`` fills the place slot of every ``PLACE_SENTENCES`` template; every
name of ``NAMES`` fills the name slot of every ``NAME_SENTENCES`` template (each with a place
where one is asked for). A slot counts as redacted when a PERSON span overlaps it. Writes,
per family of templates and overall: slots, slots redacted as a PERSON and their share. The
places and names are public or made up: the sentences may be listed.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.results_file import provenance, write_result  # noqa: E402

#: Towns and cities of English-speaking countries and beyond, large and small.
PLACES = (
    "Aberdeen", "Bath", "Belfast", "Birmingham", "Bradford", "Brighton", "Bristol", "Cambridge",
    "Canterbury", "Cardiff", "Carlisle", "Chester", "Derby", "Dundee", "Durham", "Edinburgh",
    "Exeter", "Glasgow", "Gloucester", "Hull", "Inverness", "Ipswich", "Lancaster", "Leeds",
    "Leicester", "Lincoln", "Liverpool", "Manchester", "Newcastle", "Norwich", "Nottingham",
    "Oxford", "Plymouth", "Portsmouth", "Preston", "Reading", "Salisbury", "Sheffield",
    "Southampton", "Stirling", "Swansea", "Truro", "Wells", "Winchester", "Worcester", "York",
    "Dublin", "Cork", "Galway", "Limerick", "Boston", "Denver", "Seattle", "Austin", "Houston",
    "Phoenix", "Atlanta", "Chicago", "Dallas", "Miami", "Orlando", "Portland", "Nashville",
    "Memphis", "Savannah", "Charleston", "Raleigh", "Tucson", "Fresno", "Omaha", "Tulsa",
    "Madison", "Jackson", "Cleveland", "Dayton", "Toronto", "Vancouver", "Calgary",
    "Ottawa", "Halifax", "Sydney", "Melbourne", "Perth", "Adelaide", "Brisbane", "Hobart",
    "Darwin", "Auckland", "Wellington", "Christchurch", "Paris", "Lyon", "Marseille", "Berlin",
    "Munich", "Hamburg", "Madrid", "Seville", "Valencia", "Lisbon", "Porto", "Rome", "Milan",
    "Naples", "Florence", "Vienna", "Prague", "Krakow", "Oslo", "Bergen", "Stockholm",
    "Copenhagen", "Helsinki", "Geneva", "Zurich", "Athens", "Mumbai", "Delhi", "Tokyo", "Osaka",
)

#: Made-up people, first name and surname, of several origins.
NAMES = (
    "Maria Lopez", "Tom Hughes", "Sarah Bennett", "James Okafor", "Priya Sharma", "Liam Walsh",
    "Chloe Martin", "Daniel Kowalski", "Aisha Rahman", "Ben Carter", "Grace Thornton",
    "Kevin Chen", "Elena Delgado", "Rajesh Patel", "Fiona MacLeod", "Owen Price", "Hannah Fischer",
    "Marcus Reid", "Sofia Rossi", "Ethan Brooks", "Naomi Dubois", "Oliver Grant", "Zoe Harper",
    "Samuel Adeyemi", "Lucy Fraser", "Mateo Garcia", "Amelia Cole", "Ryan Doyle", "Isla Murray",
    "Noah Schmidt",
)

#: Requests whose slot ({place}, and {other} where two are named) is a place.
PLACE_SENTENCES: Tuple[Tuple[str, str], ...] = (
    ("weather", "What's the weather like in {place} today?"),
    ("weather", "Give me the forecast for {place} this weekend."),
    ("weather", "Is it going to rain in {place} tomorrow afternoon?"),
    ("weather", "How much snow is forecast for {place} overnight?"),
    ("weather", "What time is sunset in {place} on Friday?"),
    ("weather", "Will it be windy at {place} for the race?"),
    ("weather", "Compare the forecast for {other} and {place}."),
    ("travel", "When is the next train to {place}?"),
    ("travel", "Get me directions to {place} avoiding tolls."),
    ("travel", "How long is the drive from {other} to {place}?"),
)

#: Requests whose slot ({name}) is a person the guards must keep ({place} is a place).
NAME_SENTENCES: Tuple[Tuple[str, str], ...] = (
    ("addressed", "Text {name} the forecast for {place}."),
    ("addressed", "Send the train times to {name}."),
    ("addressed", "Call {name} if it rains in {place}."),
    ("possessive", "What's the forecast for {name}'s wedding?"),
    ("possessive", "Will it rain at {name}'s barbecue on Saturday?"),
    ("no place word", "Is it sunny enough for a walk with {name}?"),
    ("no place word", "Remind me to take an umbrella when I meet {name}."),
    ("another sentence", "What's the forecast? I'm seeing {name} at noon."),
)


def _redacted(detector, text: str, start: int, end: int) -> bool:
    return any(s.entity_type == "PERSON" and s.char_start < end and s.char_end > start
               for s in detector.detect(text))


def _fill(template: str, slot: str, value: str, place: str, other: str) -> Tuple[str, int, int]:
    """``template`` with ``value`` in ``slot`` and the rest filled; the value's offsets."""
    marker = "{" + slot + "}"
    head, tail = template.split(marker, 1)
    fields = {"place": place, "other": other, "name": value}
    head = head.format(**fields)
    return head + value + tail.format(**fields), len(head), len(head) + len(value)


def measure(detector, sentences: Sequence[Tuple[str, str]], slot: str,
            values: Sequence[str]) -> Dict[str, Dict[str, object]]:
    """Per family and overall: slots filled and slots a PERSON span overlaps."""
    counts: Dict[str, List[int]] = {}
    for index, value in enumerate(values):
        # The other place of a sentence is another place of the list, in turn.
        place, other = PLACES[(index + 7) % len(PLACES)], PLACES[(index + 31) % len(PLACES)]
        for family, template in sentences:
            text, start, end = _fill(template, slot, value, place, other)
            hit = _redacted(detector, text, start, end)
            for key in (family, "all"):
                slots, redacted = counts.setdefault(key, [0, 0])
                counts[key] = [slots + 1, redacted + int(hit)]
    return {key: {"slots": slots, "redacted_as_person": redacted,
                  "share": round(redacted / slots, 4) if slots else None}
            for key, (slots, redacted) in sorted(counts.items())}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="", help="write results/place_names_TAG.json instead")
    args = parser.parse_args(argv)
    result: Dict[str, object] = provenance("place_names.py", list(sys.argv[1:] if argv is None else argv))

    from voicescrub.transforms.pii.config import load_pii_config
    from voicescrub.transforms.pii.detector import PiiDetector

    detector = PiiDetector(load_pii_config())
    places = measure(detector, PLACE_SENTENCES, "place", sorted(set(PLACES)))
    names = measure(detector, NAME_SENTENCES, "name", NAMES)
    result.update(places_redacted_as_people=places, names_kept=names,
                  targets={"places": "as few redacted as possible",
                           "names": "every name redacted that base redacts"})
    print("| places (a town read as a person) | slots | redacted as PERSON |\n|---|---|---|")
    for family, figure in places.items():
        print(f"| {family} | {figure['slots']} | {figure['redacted_as_person']} ({100 * figure['share']:.1f} %) |")
    print("\n| names (a person the guards keep) | slots | redacted as PERSON |\n|---|---|---|")
    for family, figure in names.items():
        print(f"| {family} | {figure['slots']} | {figure['redacted_as_person']} ({100 * figure['share']:.1f} %) |")
    path = write_result(f"place_names{'_' + args.tag if args.tag else ''}.json", result)
    print(f"\nwritten: {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
