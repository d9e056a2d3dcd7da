"""A labelled corpus from the Presidio team's own sentence templates, spoken as written.

Every other corpus here comes from ``samples/generate.py``: one generator's phrasing,
with values spoken the way it chose to speak them. This one takes its sentences from
the templates presidio-research publishes for evaluating PII detection (bank and card
requests, chat lines, signatures, addresses, prose about people), fills each with fake
values in the written forms a fake-data library produces ("4095260993934932",
"(602) 555-0147", "GB33BUKB20201555555555", "1987-03-04", "833 Hale Ferry, Port Linda,
AZ 85004"), and gives the filled text to the synthesiser as it stands: how it reads a
number, a date or an address is its own choice, as in an evaluation nobody here wrote::

    pip download --no-deps presidio-evaluator==0.3.2 -d /tmp/pe
    unzip -j /tmp/pe/presidio_evaluator-0.3.2-py3-none-any.whl \\
        'presidio_evaluator/data_generator/raw_data/templates.txt' -d /tmp/pe
    python benchmarks/template_corpus.py --templates /tmp/pe/templates.txt --seed N --out /tmp/tpl
    python benchmarks/audio_leak.py --manifest /tmp/tpl/manifest.jsonl --labels /tmp/tpl/labels.jsonl --tag T
    python benchmarks/detection.py --labels /tmp/tpl/labels.jsonl --tag T

The templates file is not copied into this repository; ``--templates`` reads it where
it was unpacked. The folder written (``manifest.jsonl``, ``labels.jsonl``, ``clips/``,
``corpus.json``) has the layout of ``samples/eval``, so every benchmark that takes
``--manifest`` and ``--labels`` runs on it, and ``revoice_corpus.py`` re-voices it.

What is labelled: the placeholders that name the kinds of PII this pipeline removes:
a person's name in any of its forms (``PERSON``), an address or a street
(``STREET_ADDRESS``), a card number, a phone number, an e-mail, an IBAN, a US SSN and a
date of birth. A driver's licence is labelled ``US_DRIVER_LICENSE``, a kind the
benchmarks cannot recover from a transcript, so it counts in no figure. Cities,
countries, organisations, nationalities, jobs, ages, years, dates and times, zip codes,
web addresses and IP addresses are filled but not labelled: the pipeline does not remove
them, so a clip holding only those is PII-free here. Each template is spoken once (or
``--per-template`` times, by different voices), in an espeak-ng voice and speed drawn
from the seed; labels record both, so ``audio_leak.py`` can take exact word times, and a
``dev``/``heldout`` split as the generator draws one.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.voices import speak  # noqa: E402
from samples.generate import (  # noqa: E402
    EVAL_VOICES,
    GB_VOICES,
    TARGET_MIN_S,
    Fakes,
    assign_splits,
    encode,
    make_accounts,
    manifest_row,
    write_jsonl,
)

# Names and places unlike the generator's own lists, so no value is one a rule was drawn from.
FIRST_NAMES = ("James", "Linda", "Robert", "Patricia", "Ahmed", "Mei", "Carlos", "Ingrid",
               "Tyrone", "Siobhan", "Dmitri", "Amara", "Kenji", "Lucia", "Brandon", "Aisha",
               "Gareth", "Beatriz", "Wojciech", "Tamsin", "Rashid", "Colleen", "Anders", "Ngozi")
LAST_NAMES = ("Johnson", "Williams", "Garcia", "Martinez", "Anderson", "Nguyen", "Schmidt",
              "O'Brien", "Kaur", "Rossi", "Jackson", "Murphy", "Kim", "Novotny", "Adeyemi",
              "Larsen", "Fairbanks", "Holloway", "Pemberton", "Vasquez", "Ashworth", "Ferreira")
PREFIXES = ("Mr.", "Mrs.", "Ms.", "Dr.")
STREET_SUFFIXES = ("Ferry", "Dam", "Crossing", "Ridge", "Mills", "Plaza", "Street", "Avenue",
                   "Road", "Lane", "Court", "Glens", "Harbor", "Parkway", "Square", "Trail")
CITY_PARTS = (("Port ", ""), ("Lake ", ""), ("North ", ""), ("", "burgh"), ("", "ville"),
              ("", "side"), ("East ", ""), ("", "ton"))
STATES = ("AZ", "NY", "TX", "OH", "WA", "GA", "MN", "OR")
COUNTRIES = ("Portugal", "Canada", "Kenya", "Japan", "Ireland", "Chile", "Norway", "India")
ORGANIZATIONS = ("Northwind Traders", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella Corp",
                 "Acme Bank", "Tailspin Toys")
NATIONALITIES = ("Portuguese", "Canadian", "Kenyan", "Japanese", "Irish", "Chilean", "Norwegian")
NATION_WOMEN = ("Portuguese woman", "Canadian", "Kenyan", "Irishwoman")
NATION_PLURALS = ("Canadians", "Kenyans", "Norwegians", "Chileans")
JOBS = ("accountant", "nurse", "software engineer", "teacher", "electrician", "pharmacist")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DOMAINS = ("example.com", "example.org", "example.net", "mail.example.co.uk")

#: Placeholder -> the entity type it is labelled with (unlabelled placeholders are absent).
LABELS: Dict[str, str] = {
    **{name: "PERSON" for name in (
        "person", "name", "first_name", "last_name", "name_male", "name_female",
        "first_name_male", "first_name_female", "first_name_nonbinary", "last_name_male",
        "last_name_female")},
    "address": "STREET_ADDRESS", "street_name": "STREET_ADDRESS",
    "credit_card_number": "CREDIT_CARD", "phone_number": "PHONE_NUMBER", "email": "EMAIL_ADDRESS",
    "iban": "IBAN_CODE", "ssn": "US_SSN", "date_of_birth": "DATE_OF_BIRTH",
    "us_driver_license": "US_DRIVER_LICENSE",
}

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Filled:
    """A filled template: its text and labels (``samples/eval`` label items)."""

    text: str
    pii: List[dict]


class TemplateValues:
    """Fake values in the written forms a fake-data library gives, drawn from one RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fakes = Fakes(rng)
        # The unlabelled placeholders' makers, built once.
        self._fillers: Dict[str, Callable[[], str]] = {
            "city": self.city, "country": lambda: rng.choice(COUNTRIES),
            "organization": lambda: rng.choice(ORGANIZATIONS),
            "nationality": lambda: rng.choice(NATIONALITIES),
            "nation_woman": lambda: rng.choice(NATION_WOMEN),
            "nation_plural": lambda: rng.choice(NATION_PLURALS),
            "job": lambda: rng.choice(JOBS), "age": lambda: str(rng.randint(18, 90)),
            "year": lambda: str(rng.randint(1950, 2023)), "day_of_week": lambda: rng.choice(DAYS),
            "date_time": lambda: f"{MONTHS[rng.randint(0, 11)]} {rng.randint(1, 28)}, {rng.randint(2000, 2024)}",
            "zipcode": self.zipcode, "postcode": self.postcode, "state_abbr": lambda: rng.choice(STATES),
            "building_number": self.building_number, "secondary_address": self.secondary_address,
            "url": lambda: f"https://www.{rng.choice(DOMAINS)}/{rng.choice(('about', 'photos', 'files'))}",
            "ip_address": lambda: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
            "prefix": lambda: rng.choice(PREFIXES), "prefix_male": lambda: rng.choice(("Mr.", "Dr.")),
            "prefix_female": lambda: rng.choice(("Mrs.", "Ms.", "Dr.")),
        }

    def first_name(self) -> str:
        return self.rng.choice(FIRST_NAMES)

    def last_name(self) -> str:
        return self.rng.choice(LAST_NAMES)

    def person(self) -> str:
        return f"{self.first_name()} {self.last_name()}"

    def street_name(self) -> str:
        stem = self.first_name() if self.rng.random() < 0.3 else self.last_name()
        return f"{stem} {self.rng.choice(STREET_SUFFIXES)}"

    def building_number(self) -> str:
        return str(self.rng.randint(1, 99999) if self.rng.random() < 0.5 else self.rng.randint(1, 999))

    def secondary_address(self) -> str:
        return f"{self.rng.choice(('Apt.', 'Suite'))} {self.rng.randint(1, 999)}"

    def city(self) -> str:
        before, after = self.rng.choice(CITY_PARTS)
        return f"{before}{self.last_name() if after else self.first_name()}{after}"

    def zipcode(self) -> str:
        return f"{self.rng.randint(1001, 99950):05d}"

    def postcode(self) -> str:
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        area = "".join(self.rng.choice("BLMSNEW") for _ in range(self.rng.randint(1, 2)))
        return f"{area}{self.rng.randint(1, 20)} {self.rng.randint(1, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"

    def address(self) -> str:
        street = f"{self.building_number()} {self.street_name()}"
        if self.rng.random() < 0.3:
            street += f" {self.secondary_address()}"
        return f"{street}, {self.city()}, {self.rng.choice(STATES)} {self.zipcode()}"

    def credit_card_number(self) -> str:
        number, _brand = self.fakes.credit_card()
        if self.rng.random() < 0.3 and len(number) == 16:
            return " ".join(number[i:i + 4] for i in range(0, 16, 4))
        return number

    def phone_number(self) -> str:
        digits = self.fakes.us_phone()
        area, exchange, line = digits[:3], digits[3:6], digits[6:]
        return self.rng.choice((
            f"{area}-{exchange}-{line}", f"({area}){exchange}-{line}", f"({area}) {exchange}-{line}",
            f"{area}.{exchange}.{line}", f"+1-{area}-{exchange}-{line}",
            f"{area}-{exchange}-{line}x{self.rng.randint(100, 9999)}"))

    def email(self) -> str:
        first, last = self.first_name().lower(), self.last_name().lower().replace("'", "")
        user = self.rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{self.rng.randint(1, 99)}"))
        return f"{user}@{self.rng.choice(DOMAINS)}"

    def iban(self) -> str:
        return self.fakes.iban()

    def ssn(self) -> str:
        digits = self.fakes.us_ssn()
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"

    def date_of_birth(self) -> Tuple[str, str]:
        """(written, ISO) of a birth date 18 to 90 years back."""
        year, month, day = self.rng.randint(1936, 2007), self.rng.randint(1, 12), self.rng.randint(1, 28)
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        written = self.rng.choice((iso, f"{month:02d}/{day:02d}/{year}", f"{MONTHS[month - 1]} {day}, {year}"))
        return written, iso

    def us_driver_license(self) -> str:
        return self.rng.choice("ABCDEFGHJKLMNPRSTW") + self.fakes.digits(7)

    def filler(self, name: str) -> Optional[str]:
        """A value for a placeholder that is not labelled; None for an unknown one."""
        maker = self._fillers.get(name)
        return maker() if maker else None

    def labelled(self, name: str) -> Tuple[str, str]:
        """(written value, label value) of a labelled placeholder."""
        if name == "date_of_birth":
            return self.date_of_birth()
        if name in ("last_name", "last_name_male", "last_name_female"):
            value = self.last_name()
        elif name in ("first_name", "first_name_male", "first_name_female", "first_name_nonbinary"):
            value = self.first_name()
        elif name in ("person", "name", "name_male", "name_female"):
            value = self.person()
        else:
            value = getattr(self, name)()
        return value, value


def speakable(template: str) -> str:
    """A template line as a sentence to speak: its escaped line breaks become commas, and
    characters no synthesiser reads (stray replacement characters, quoting marks) go; a
    placeholder written with single braces is read as one."""
    text = re.sub(r"(?<!\{)\{(\w+)\}(?!\})", r"{{\1}}", template)
    text = text.replace("\\n", ", ").replace("\\,", ",").replace("\ufffd", ",")
    text = re.sub(r"(^|, )\s*(?:>|\?{3})\s*", r"\1", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(?:,\s*){2,}", ", ", text)
    return text.strip(" ,")


def fill(template: str, values: TemplateValues) -> Filled:
    """``template`` with every placeholder filled; labels with exact character offsets.

    A building number right before a street name joins the street's label: the two are
    one address."""
    text, pii, position = "", [], 0
    for match in _PLACEHOLDER.finditer(template):
        text += template[position:match.start()]
        position = match.end()
        name = match.group(1)
        if name in LABELS:
            value, label_value = values.labelled(name)
            start = len(text)
            text += value
            pii.append({"entity_type": LABELS[name], "value": label_value, "spoken": value,
                        "start": start, "end": len(text)})
            continue
        filler = values.filler(name)
        if filler is None:
            raise ValueError(f"unknown placeholder {name!r}")
        text += filler
    text += template[position:]
    return Filled(text, _join_building_numbers(text, pii))


def _join_building_numbers(text: str, pii: List[dict]) -> List[dict]:
    joined = []
    for item in pii:
        if item["entity_type"] == "STREET_ADDRESS":
            number = re.search(r"(\d+) $", text[:item["start"]])
            if number:
                start = number.start(1)
                item = dict(item, start=start, value=text[start:item["end"]], spoken=text[start:item["end"]])
        joined.append(item)
    return joined


def read_templates(path: Path) -> List[str]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [speakable(line) for line in lines if line.strip()]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", type=Path, required=True,
                        help="presidio-research's raw_data/templates.txt")
    parser.add_argument("--out", type=Path, required=True, help="the corpus folder to write")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--per-template", type=int, default=1, help="voices each template is spoken in")
    args = parser.parse_args(argv)
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install espeak-ng sox libsox-fmt-all", file=sys.stderr)
            return 2
    if args.per_template < 1:
        parser.error("--per-template must be at least 1")
    templates = read_templates(args.templates)
    rng = random.Random(f"{args.seed}:templates")
    values = TemplateValues(rng)
    accounts = make_accounts(rng, 24)
    (args.out / "clips").mkdir(parents=True, exist_ok=True)
    labels, manifest = [], []
    with tempfile.TemporaryDirectory(prefix="voicescrub-templates-") as tmp:
        for number, template in enumerate(templates, start=1):
            for voice in rng.sample(EVAL_VOICES, min(args.per_template, len(EVAL_VOICES))):
                filled = fill(template, values)
                uid = f"t{number:03d}{voice.replace('+', '').replace('-', '')}"
                speed = rng.randrange(140, 190, 5)
                wav = Path(tmp) / "clip.wav"
                duration = speak(filled.text, f"espeak:{voice}", str(wav), speed)
                rel = f"clips/{uid}.opus"
                encode(wav, args.out / rel, "opus16k", pad_to=TARGET_MIN_S)
                locale = "en-GB" if voice in GB_VOICES else "en-US"
                labels.append({"utterance_id": uid, "audio": rel, "text": filled.text, "voice": voice,
                               "speed": speed, "locale": locale,
                               "duration_s": round(max(duration, TARGET_MIN_S), 3),
                               "pii_free": not filled.pii, "pii": filled.pii, "template": number})
                manifest.append(manifest_row(rng, accounts, uid, rel, locale))
            if number % 50 == 0:
                print(f"templates: {number}/{len(templates)}", flush=True)
    assign_splits(labels, random.Random(f"{args.seed}:split"))
    write_jsonl(args.out / "labels.jsonl", labels)
    write_jsonl(args.out / "manifest.jsonl", manifest)
    (args.out / "corpus.json").write_text(json.dumps(
        {"generator": "benchmarks/template_corpus.py", "templates": len(templates),
         "seed": args.seed, "per_template": args.per_template, "synthesiser": "espeak-ng"},
        indent=1) + "\n", encoding="utf-8")
    print(f"templates: {len(labels)} clips -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
