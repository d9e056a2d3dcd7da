#!/usr/bin/env python3
"""Generate voicescrub's synthetic audio: the bundled sample and the labelled eval corpus.

Everything under ``samples/`` except this script, ``check.py`` and ``README.md`` is
written by this script. All speech is synthesised by espeak-ng from fake values
drawn from a seeded RNG: no real person, account or card is in it.

How to rerun (from the repository root)::

    apt-get install espeak-ng sox libsox-fmt-all   # TTS, resampling, MP3/FLAC/WAV
    pip install av numpy                           # PyAV for Ogg/Opus (the venv has it)
    python samples/generate.py                     # both parts, default seed
    python samples/generate.py --only bundled      # just samples/{manifest,labels}.jsonl + audio/
    python samples/generate.py --only eval         # just samples/eval/
    python samples/check.py                        # decode, duration, label and checksum checks

Output is deterministic for a given ``--seed`` and the same espeak-ng / sox / PyAV
versions (sox runs with ``-R``; the Ogg muxer runs bit-exact). The committed files
were made with espeak-ng 1.51, SoX 14.4.2 and PyAV 18.1 on Debian 12.

Label format: see ``samples/README.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

HERE = Path(__file__).resolve().parent
DEFAULT_SEED = 20261102

MIN_S, MAX_S = 2.0, 8.0  # every clip's duration must lie in this range
TARGET_MIN_S, TARGET_MAX_S = 2.2, 7.8  # what we aim for, leaving a margin

# --------------------------------------------------------------------------------------
# Spoken forms of numbers
# --------------------------------------------------------------------------------------

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINALS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
            "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
            "twenty first", "twenty second", "twenty third", "twenty fourth", "twenty fifth",
            "twenty sixth", "twenty seventh", "twenty eighth", "twenty ninth", "thirtieth",
            "thirty first"]
MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def digit_word(d: str, zero: str = "oh") -> str:
    return zero if d == "0" else ONES[int(d)]


def say_digits(ds: str, zero: str = "oh", doubles: bool = False) -> str:
    """Digit by digit: '4005' -> 'four oh oh five' (or 'four double oh five')."""
    words: List[str] = []
    i = 0
    while i < len(ds):
        j = i
        while j < len(ds) and ds[j] == ds[i]:
            j += 1
        run = j - i
        w = digit_word(ds[i], zero)
        if doubles and run >= 2:
            while run >= 2:
                if run == 3:
                    words.append("triple " + w)
                    run = 0
                else:
                    words.append("double " + w)
                    run -= 2
            if run == 1:
                words.append(w)
        else:
            words.extend([w] * run)
        i = j
    return " ".join(words)


def say_numerals(ds: str) -> str:
    """Numerals one by one for espeak to read: '4111' -> '4 1 1 1'."""
    return " ".join(ds)


def say_under_100(n: int) -> str:
    if n < 10:
        return ONES[n]
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])


def say_pair(two: str) -> str:
    """Two digits as people say them in a group: '41' -> 'forty one', '05' -> 'oh five'."""
    if two[0] == "0":
        return "oh " + digit_word(two[1])
    return say_under_100(int(two))


def say_pairs(ds: str) -> str:
    """Grouped reading: '4111' -> 'forty one eleven', '731' -> 'seven thirty one'."""
    parts: List[str] = []
    if len(ds) % 2:
        parts.append(digit_word(ds[0]))
        ds = ds[1:]
    parts.extend(say_pair(ds[i:i + 2]) for i in range(0, len(ds), 2))
    return " ".join(parts)


def say_number(n: int) -> str:
    """Cardinal number in words, 0..9999."""
    if n < 100:
        return say_under_100(n)
    if n < 1000:
        rest = n % 100
        return ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + say_under_100(rest))
    rest = n % 1000
    head = say_under_100(n // 1000) + " thousand"
    if rest == 0:
        return head
    if rest < 100:
        return head + " and " + say_under_100(rest)
    return head + " " + say_number(rest)


def say_year(y: int) -> str:
    if 2000 <= y <= 2009:
        return "two thousand" + ("" if y == 2000 else " " + ONES[y - 2000])
    return say_under_100(y // 100) + " " + say_pair(f"{y % 100:02d}")


Style = str  # 'digits' | 'digits_zero' | 'doubles' | 'numerals' | 'pairs'
ALL_STYLES: Tuple[Style, ...] = ("digits", "digits_zero", "doubles", "numerals", "pairs")


def say_group(ds: str, style: Style) -> str:
    if style == "digits":
        return say_digits(ds, "oh")
    if style == "digits_zero":
        return say_digits(ds, "zero")
    if style == "doubles":
        return say_digits(ds, "oh", doubles=True)
    if style == "numerals":
        return say_numerals(ds)
    if style == "pairs":
        return say_pairs(ds)
    raise ValueError(style)


def say_grouped(ds: str, sizes: Sequence[int], style: Style, sep: str = ", ") -> str:
    assert sum(sizes) == len(ds), (sizes, len(ds))
    out, i = [], 0
    for s in sizes:
        out.append(say_group(ds[i:i + s], style))
        i += s
    return sep.join(out)


def spell(letters: str) -> str:
    """Letters for espeak to name one by one. (Callers avoid 'A': espeak reads it as 'uh'.)"""
    return " ".join(letters)


# --------------------------------------------------------------------------------------
# Fake values with valid checksums
# --------------------------------------------------------------------------------------


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


def aba_valid(n: str) -> bool:
    if len(n) != 9 or not n.isdigit():
        return False
    d = [int(c) for c in n]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def iban_valid(iban: str) -> bool:
    s = iban[4:] + iban[:4]
    num = "".join(str(int(c, 36)) for c in s)
    return int(num) % 97 == 1


def iban_with_check(country: str, bban: str) -> str:
    num = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(num) % 97:02d}{bban}"


LETTERS_NO_A = "BCDEFGHJKLMNPRSTUVWXYZ"  # no A (espeak), no I/O/Q (look like digits)


@dataclass
class Fakes:
    rng: random.Random

    def digits(self, n: int, first_nonzero: bool = False) -> str:
        s = "".join(self.rng.choice("0123456789") for _ in range(n))
        if first_nonzero and s[0] == "0":
            s = self.rng.choice("123456789") + s[1:]
        return s

    def credit_card(self) -> Tuple[str, str]:
        """(number, brand). Luhn-valid; Amex is 15 digits, the rest 16."""
        brand, prefix = self.rng.choice([
            ("visa", "4"), ("visa", "4"), ("visa", "4"), ("mastercard", "51"),
            ("mastercard", "53"), ("mastercard", "55"), ("amex", "34"), ("amex", "37"),
            ("discover", "6011")])
        length = 15 if brand == "amex" else 16
        body = prefix + self.digits(length - 1 - len(prefix))
        number = body + luhn_check_digit(body)
        assert luhn_valid(number)
        return number, brand

    def aba(self) -> str:
        prefix = self.rng.choice([f"{i:02d}" for i in list(range(1, 13)) + list(range(21, 33))])
        for _ in range(100):
            body = prefix + self.digits(6)
            d = [int(c) for c in body]
            partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
            n = body + str((10 - partial % 10) % 10)
            if aba_valid(n):
                return n
        raise AssertionError("no ABA")

    def us_ssn(self) -> str:
        while True:
            area = self.rng.randint(1, 899)
            if area == 666:
                continue
            group = self.rng.randint(1, 99)
            serial = self.rng.randint(1, 9999)
            return f"{area:03d}{group:02d}{serial:04d}"

    def iban(self) -> str:
        country = self.rng.choice(["GB", "GB", "NL", "BE", "DE"])
        if country == "GB":
            bban = "".join(self.rng.choice(LETTERS_NO_A) for _ in range(4)) + self.digits(14)
        elif country == "NL":
            bban = "".join(self.rng.choice(LETTERS_NO_A) for _ in range(4)) + self.digits(10)
        elif country == "BE":
            bban = self.digits(12)
        else:
            bban = self.digits(18)
        iban = iban_with_check(country, bban)
        assert iban_valid(iban)
        return iban

    def us_phone(self) -> str:
        """Fictional 555-01xx numbers with a plausible area code."""
        while True:
            area = self.rng.randint(201, 989)
            if area % 100 != 11 and str(area)[1] != "9":
                return f"{area}55501{self.rng.randint(0, 99):02d}"

    def uk_phone(self) -> str:
        """Ofcom's drama range 07700 900000-900999."""
        return f"07700900{self.rng.randint(0, 999):03d}"


FIRST_NAMES = ["Maria", "Kevin", "Priya", "Daniel", "Sofia", "Marcus", "Elena", "Tobias",
               "Grace", "Hector", "Naomi", "Oliver", "Fatima", "Lucas", "Helen", "Rajesh",
               "Wendy", "Victor", "Chloe", "Samuel", "Irene", "Desmond", "Julia", "Omar",
               "Rosa", "Patrick", "Yuki", "Nathan", "Leona", "Felix"]
LAST_NAMES = ["Chen", "Lopez", "Okafor", "Brennan", "Kowalski", "Haddad", "Lindqvist",
              "Moreau", "Patel", "Whitaker", "Novak", "Castillo", "Fitzgerald", "Nakamura",
              "Delgado", "Thornton", "Ivanova", "Mbeki", "Sorensen", "Gallagher", "Ruiz",
              "Hartley", "Petrov", "Quinn", "Dubois", "Keller", "Mendez", "Yamada", "Osei",
              "Winslow"]
STREETS = ["Maple", "Cedar", "Willow", "Harbor", "Juniper", "Birch", "Chestnut", "Lakeview",
           "Sycamore", "Hawthorn", "Magnolia", "Ridgeway", "Orchard", "Foxglove", "Linden",
           "Bramble", "Kingfisher", "Meadow"]
STREET_TYPES = ["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard", "Way",
                "Close", "Crescent"]
# (spoken, written) domains: fictional, or the reserved example domains
DOMAINS = [("example dot com", "example.com"), ("example dot org", "example.org"),
           ("example dot net", "example.net"), ("riverside dental dot net", "riversidedental.net"),
           ("northwind mail dot com", "northwindmail.com"),
           ("bluebird post dot org", "bluebirdpost.org"),
           ("maple leaf mail dot co dot uk", "mapleleafmail.co.uk")]
PW_WORDS = ["blue", "falcon", "river", "copper", "tiger", "maple", "orange", "silver", "rocket",
            "pepper", "winter", "garden", "thunder", "violet", "canyon", "lemon", "harbor",
            "sunset", "marble", "panda"]

# --------------------------------------------------------------------------------------
# Utterances: text assembled from literal parts and PII parts, so spans are exact
# --------------------------------------------------------------------------------------


@dataclass
class P:
    """One PII part of an utterance: its label and what espeak is given to speak it."""

    entity_type: str
    value: str
    spoken: str


Part = Union[str, P]


@dataclass
class Utterance:
    parts: List[Part]
    locale: str = "en-US"

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.spoken for p in self.parts)

    def pii(self) -> List[Dict[str, object]]:
        out, pos = [], 0
        for p in self.parts:
            if isinstance(p, str):
                pos += len(p)
                continue
            out.append({"entity_type": p.entity_type, "value": p.value, "spoken": p.spoken,
                        "start": pos, "end": pos + len(p.spoken)})
            pos += len(p.spoken)
        return out


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Speaker:
    """Makes the spoken PII parts, each in one of several spoken forms."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fake = Fakes(rng)

    def style(self, allowed: Sequence[Style] = ALL_STYLES) -> Style:
        return self.rng.choice(list(allowed))

    # -- cards ------------------------------------------------------------------------
    def credit_card(self) -> Tuple[P, str]:
        number, brand = self.fake.credit_card()
        sizes = [4, 6, 5] if brand == "amex" else [4, 4, 4, 4]
        style = self.style()
        sep = self.rng.choice([", ", " "]) if style != "numerals" else ", "
        return P("CREDIT_CARD", number, say_grouped(number, sizes, style, sep)), brand

    def card_last4(self) -> P:
        d = self.fake.digits(4)
        return P("CARD_LAST4", d, say_group(d, self.style()))

    def card_cvv(self, brand: str = "visa") -> P:
        d = self.fake.digits(4 if brand == "amex" else 3)
        return P("CARD_CVV", d, say_group(d, self.style(("digits", "numerals", "pairs", "doubles"))))

    def card_expiry(self) -> P:
        m, y = self.rng.randint(1, 12), self.rng.randint(27, 31)
        value = f"{m:02d}/{y:02d}"
        form = self.rng.choice(["pairs", "slash", "month", "plain", "numerals"])
        if form == "pairs":
            spoken = f"{say_pair(f'{m:02d}')} {say_pair(str(y))}"
        elif form == "slash":
            spoken = f"{say_pair(f'{m:02d}')} slash {say_pair(str(y))}"
        elif form == "month":
            spoken = f"{MONTHS[m]} twenty {say_pair(str(y))}"
        elif form == "plain":
            spoken = f"{say_under_100(m)} {say_pair(str(y))}"
        else:
            spoken = f"{m:02d}/{y:02d}"
        return P("CARD_EXPIRY", value, spoken)

    def pin(self) -> P:
        d = self.fake.digits(self.rng.choice([4, 4, 4, 6]))
        return P("PIN", d, say_group(d, self.style(("digits", "digits_zero", "doubles", "numerals"))))

    # -- bank accounts ----------------------------------------------------------------
    def us_bank(self) -> P:
        n = self.rng.choice([8, 9, 10, 10, 11, 12, 12, 14, 17])
        d = self.fake.digits(n, first_nonzero=True)
        style = self.style()
        sizes = [3] * (n // 3) + ([n % 3] if n % 3 else [])
        if style == "pairs":
            sizes = [4] * (n // 4) + ([n % 4] if n % 4 else [])
        return P("US_BANK_NUMBER", d, say_grouped(d, sizes, style, self.rng.choice([", ", " "])))

    def aba(self) -> P:
        d = self.fake.aba()
        style = self.style(("digits", "digits_zero", "doubles", "numerals"))
        sep = self.rng.choice([", ", " "])
        return P("ABA_ROUTING_NUMBER", d, say_grouped(d, [3, 3, 3], style, sep))

    def sort_code(self) -> P:
        d = self.fake.digits(6)
        form = self.rng.choice(["pairs", "digits", "doubles", "numerals", "dash"])
        if form == "pairs":
            spoken = say_grouped(d, [2, 2, 2], "pairs")
        elif form == "dash":
            spoken = say_grouped(d, [2, 2, 2], "digits", " dash ")
        else:
            spoken = say_grouped(d, [2, 2, 2], form)
        return P("UK_SORT_CODE", d, spoken)

    def uk_account(self) -> P:
        d = self.fake.digits(8)
        style = self.style()
        sizes = [4, 4] if style == "pairs" else self.rng.choice([[4, 4], [8], [3, 3, 2]])
        return P("UK_BANK_ACCOUNT", d, say_grouped(d, sizes, style, self.rng.choice([", ", " "])))

    def iban(self) -> P:
        iban = self.fake.iban()
        groups = [iban[i:i + 4] for i in range(0, len(iban), 4)]
        style = self.style(("digits", "numerals", "pairs", "doubles"))
        spoken_groups = []
        for g in groups:
            words, run = [], ""
            for ch in g + " ":
                if ch.isdigit():
                    run += ch
                    continue
                if run:
                    words.append(say_group(run, style))
                    run = ""
                if ch.isalpha():
                    words.append(ch)
            spoken_groups.append(" ".join(words))
        return P("IBAN_CODE", iban, ", ".join(spoken_groups))

    # -- government / contact ---------------------------------------------------------
    def ssn(self) -> P:
        d = self.fake.us_ssn()
        style = self.style(("digits", "digits_zero", "doubles", "numerals", "pairs"))
        if style == "pairs":
            spoken = f"{say_group(d[:3], 'digits')}, {say_pair(d[3:5])}, {say_pairs(d[5:])}"
        else:
            spoken = say_grouped(d, [3, 2, 4], style, self.rng.choice([", ", " dash "]))
        return P("US_SSN", d, spoken)

    def phone(self, uk: bool = False) -> P:
        if uk:
            d = self.fake.uk_phone()
            style = self.style(("digits", "doubles", "numerals"))
            return P("PHONE_NUMBER", d, say_grouped(d, [5, 3, 3], style))
        d = self.fake.us_phone()
        style = self.style(("digits", "doubles", "numerals", "digits_zero"))
        return P("PHONE_NUMBER", d, say_grouped(d, [3, 3, 4], style))

    def person(self) -> P:
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        return P("PERSON", name, name)

    def _local_part(self, first: str, last: str) -> Tuple[str, str]:
        """(spoken, written) local part of an email or a username."""
        f, l = first.lower(), last.lower()
        form = self.rng.choice(["initial_dot", "initial", "full_dot", "underscore", "num"])
        if form == "initial_dot":
            return f"{f[0]} dot {l}", f"{f[0]}.{l}"
        if form == "initial":
            return f"{f[0]} {l}", f"{f[0]}{l}"
        if form == "full_dot":
            return f"{f} dot {l}", f"{f}.{l}"
        if form == "underscore":
            return f"{f} underscore {l}", f"{f}_{l}"
        n = f"{self.rng.randint(1, 99):02d}"
        return f"{f[0]} {l} {say_digits(n)}", f"{f[0]}{l}{n}"

    def email(self) -> P:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        spoken_local, local = self._local_part(first, last)
        dspoken, dwritten = self.rng.choice(DOMAINS)
        return P("EMAIL_ADDRESS", f"{local}@{dwritten}".lower(), f"{spoken_local} at {dspoken}")

    def username(self) -> P:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        spoken, written = self._local_part(first, last)
        return P("USERNAME", written.lower(), spoken)

    def password(self) -> P:
        w1, w2 = self.rng.sample(PW_WORDS, 2)
        n = f"{self.rng.randint(10, 99)}"
        form = self.rng.choice(["digits", "pair", "bang", "hash"])
        if form == "digits":
            return P("PASSWORD", f"{w1}{w2}{n}", f"{w1} {w2} {say_digits(n)}")
        if form == "pair":
            return P("PASSWORD", f"{w1}{w2}{n}", f"{w1} {w2} {say_pair(n)}")
        if form == "bang":
            return P("PASSWORD", f"{w1}{w2}{n}!", f"{w1} {w2} {say_digits(n)} exclamation mark")
        return P("PASSWORD", f"{w1}{n}#{w2}", f"{w1} {say_digits(n)} hash {w2}")

    def street_address(self) -> P:
        num = self.rng.choice([self.rng.randint(2, 99), self.rng.randint(100, 999),
                               self.rng.randint(1000, 9999)])
        street = f"{self.rng.choice(STREETS)} {self.rng.choice(STREET_TYPES)}"
        value = f"{num} {street}"
        form = self.rng.choice(["numeral", "numeral", "pairs"])
        spoken = value if form == "numeral" else f"{say_pairs(str(num))} {street}"
        return P("STREET_ADDRESS", value, spoken)

    def date_of_birth(self, uk: bool = False) -> P:
        start = datetime(1948, 1, 1)
        d = start + timedelta(days=self.rng.randint(0, 56 * 365))
        value = d.strftime("%Y-%m-%d")
        form = self.rng.choice(["us", "uk", "numeric", "numerals"])
        if uk and form == "us":
            form = "uk"
        if form == "us":
            spoken = f"{MONTHS[d.month]} {ORDINALS[d.day]}, {say_year(d.year)}"
        elif form == "uk":
            spoken = f"the {ORDINALS[d.day]} of {MONTHS[d.month]}, {say_year(d.year)}"
        elif form == "numeric":
            a, b = (d.day, d.month) if uk else (d.month, d.day)
            spoken = f"{say_pair(f'{a:02d}')}, {say_pair(f'{b:02d}')}, {say_year(d.year)}"
        else:
            spoken = f"{MONTHS[d.month]} {d.day}, {say_year(d.year)}"
        return P("DATE_OF_BIRTH", value, spoken)


# --------------------------------------------------------------------------------------
# Eval corpus scenarios: each returns an Utterance; the plan says how many of each
# --------------------------------------------------------------------------------------

Scenario = Callable[[Speaker, random.Random], Utterance]


def sc_card(s: Speaker, r: random.Random) -> Utterance:
    cc, brand = s.credit_card()
    lead = r.choice(["My card number is ", "Pay the gas bill with card ", "Add a new card, ",
                     "Use my credit card ", "The card number is ", "Charge it to "])
    if r.random() < 0.5:
        return Utterance([lead, cc, r.choice([", expiry ", " expiring ", ", it expires "]),
                          s.card_expiry(), "."])
    return Utterance([lead, cc, "."])


def sc_card_cvv(s: Speaker, r: random.Random) -> Utterance:
    if r.random() < 0.4:
        cc, brand = s.credit_card()
        return Utterance(["Card ", cc, ", security code ", s.card_cvv(brand), "."])
    lead = r.choice(["The security code on the back is ", "My C V V is ", "The CVV is ",
                     "Security code ", "It's asking for the three digit code, it's "])
    tail = r.choice([".", ", please finish the payment.", ", go ahead and book it."])
    return Utterance([lead, s.card_cvv(), tail])


def sc_card_expiry(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["My card expires ", "The expiry date is ", "Expiration date ",
                     "Update the expiry on my Visa to "])
    if r.random() < 0.4:
        return Utterance([lead, s.card_expiry(), " and the code is ", s.card_cvv(), "."])
    return Utterance([lead, s.card_expiry(), "."])


def sc_last4(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["Freeze my card ending in ", "What's the balance on the card ending ",
                     "Block the debit card ending in ", "Is the card ending in ",
                     "Use the card that ends in "])
    tail = {"Is the card ending in ": " still active?"}.get(lead, r.choice([".", ", please."]))
    return Utterance([lead, s.card_last4(), tail])


def sc_pin(s: Speaker, r: random.Random) -> Utterance:
    form = r.choice(["change", "is", "reset"])
    if form == "change":
        return Utterance(["Change my card PIN to ", s.pin(), "."])
    if form == "is":
        return Utterance([r.choice(["My PIN is ", "The pin number is ", "My pin code is "]),
                          s.pin(), "."])
    return Utterance(["Reset my pin, the old one was ", s.pin(), "."])


def sc_us_bank(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["Transfer two hundred dollars to account number ",
                     "My checking account number is ", "Send the refund to account ",
                     "Deposit it into account number "])
    return Utterance([lead, s.us_bank(), "."])


def sc_aba_bank(s: Speaker, r: random.Random) -> Utterance:
    if r.random() < 0.5:
        return Utterance(["Routing number ", s.aba(), ", account number ", s.us_bank(), "."])
    return Utterance(["Set up direct deposit, account ", s.us_bank(), ", routing ", s.aba(), "."])


def sc_aba(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["The routing number is ", "My bank's routing number is ",
                     "Use A B, routing number "])
    return Utterance([lead, s.aba(), "."])


def sc_uk_bank(s: Speaker, r: random.Random) -> Utterance:
    if r.random() < 0.5:
        who = s.person()
        return Utterance(["Pay ", who, " fifty pounds, sort code ", s.sort_code(),
                          ", account number ", s.uk_account(), "."], "en-GB")
    return Utterance(["My sort code is ", s.sort_code(), " and my account number is ",
                      s.uk_account(), "."], "en-GB")


def sc_sort_code(s: Speaker, r: random.Random) -> Utterance:
    return Utterance([r.choice(["The sort code is ", "Sort code ", "It's sort code "]),
                      s.sort_code(), "."], "en-GB")


def sc_uk_account(s: Speaker, r: random.Random) -> Utterance:
    return Utterance([r.choice(["My account number is ", "Move it to account number "]),
                      s.uk_account(), ", please."], "en-GB")


def sc_iban(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["Send fifty euros to ", "My IBAN is ", "Transfer to I B A N ",
                     "The I B A N is ", "IBAN "])
    p = s.iban()
    return Utterance([lead, p, "."], "en-GB" if p.value.startswith("GB") else "en-US")


def sc_ssn(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["My social security number is ", "My social is ", "S S N ",
                     "For the tax form, my social security number is ",
                     "Verify me, my social is "])
    return Utterance([lead, s.ssn(), "."])


def sc_phone(s: Speaker, r: random.Random) -> Utterance:
    uk = r.random() < 0.3
    loc = "en-GB" if uk else "en-US"
    form = r.choice(["call", "save", "mine"])
    if form == "call":
        return Utterance(["Call ", s.person(), " on ", s.phone(uk), "."], loc)
    if form == "save":
        return Utterance(["Save a new contact, ", s.person(), ", ", s.phone(uk), "."], loc)
    return Utterance([r.choice(["My phone number is ", "Call me back on ", "Text me at "]),
                      s.phone(uk), "."], loc)


def sc_email(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["Send the statement to ", "My email is ", "Email the receipt to ",
                     "Change my email address to "])
    return Utterance([lead, s.email(), "."])


def sc_person(s: Speaker, r: random.Random) -> Utterance:
    form = r.choice(["send", "add", "this"])
    if form == "send":
        return Utterance(["Send forty dollars to ", s.person(), " for dinner."])
    if form == "add":
        return Utterance(["Add ", s.person(), " as a payee on my account."])
    return Utterance(["Hi, this is ", s.person(), ", I want to check my balance."])


def sc_address(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["Update my address to ", "Send my new card to ", "I live at ",
                     "My billing address is "])
    return Utterance([lead, s.street_address(), "."])


def sc_dob(s: Speaker, r: random.Random) -> Utterance:
    uk = r.random() < 0.3
    if r.random() < 0.4:
        return Utterance(["I'm ", s.person(), ", date of birth ", s.date_of_birth(uk), "."],
                         "en-GB" if uk else "en-US")
    lead = r.choice(["My date of birth is ", "I was born on ", "My birthday is "])
    return Utterance([lead, s.date_of_birth(uk), "."], "en-GB" if uk else "en-US")


def sc_password(s: Speaker, r: random.Random) -> Utterance:
    if r.random() < 0.4:
        return Utterance(["Log me in, username ", s.username(), ", password ", s.password(), "."])
    lead = r.choice(["My password is ", "Set my new password to ", "The password is "])
    return Utterance([lead, s.password(), "."])


def sc_username(s: Speaker, r: random.Random) -> Utterance:
    lead = r.choice(["My username is ", "Sign in as ", "My user name is "])
    return Utterance([lead, s.username(), "."])


# (scenario, how many) -- gives every banking/government entity >= 8 labels
PLAN: List[Tuple[Scenario, int]] = [
    (sc_card, 14), (sc_card_cvv, 9), (sc_card_expiry, 5), (sc_last4, 10), (sc_pin, 10),
    (sc_us_bank, 6), (sc_aba_bank, 8), (sc_aba, 4), (sc_uk_bank, 8), (sc_sort_code, 3),
    (sc_uk_account, 3), (sc_iban, 12), (sc_ssn, 12), (sc_phone, 10), (sc_email, 9),
    (sc_person, 7), (sc_address, 8), (sc_dob, 8), (sc_password, 8), (sc_username, 6),
]


def pii_free(r: random.Random) -> Utterance:
    """A request full of harmless numbers: timers, temperatures, sums, tracks, times."""
    n = r.randint
    templates = [
        lambda: f"Set a timer for {say_under_100(n(2, 90))} minutes.",
        lambda: f"Set a timer for {n(2, 45)} minutes and {n(2, 59)} seconds.",
        lambda: f"Remind me in {say_under_100(n(2, 12))} hours to water the plants.",
        lambda: f"Set the thermostat to {say_under_100(n(16, 78))} degrees.",
        lambda: f"Turn the oven to {say_number(r.choice([180, 200, 350, 375, 400, 425]))} degrees.",
        lambda: f"What is {say_under_100(n(2, 99))} times {say_under_100(n(2, 20))}?",
        lambda: f"What's {n(10, 999)} plus {n(10, 999)}?",
        lambda: f"What's {say_number(n(100, 999))} divided by {say_under_100(n(2, 12))}?",
        lambda: f"Play track {say_under_100(n(1, 24))} from the album.",
        lambda: f"Skip to track number {n(1, 30)}.",
        lambda: f"Wake me up at {say_under_100(n(5, 9))} {r.choice(['fifteen', 'thirty', 'forty five', 'oh five'])} tomorrow.",
        lambda: f"Set an alarm for {say_under_100(n(1, 12))} {r.choice(['a m', 'p m', 'o clock'])}.",
        lambda: f"How many days until the end of {say_year(r.choice([2026, 2027, 2030]))}?",
        lambda: f"Who won the world cup in {say_year(r.choice([1966, 1986, 1998, 2002, 2010, 2014]))}?",
        lambda: f"Add {say_under_100(n(2, 24))} eggs and {say_under_100(n(2, 6))} lemons to my shopping list.",
        lambda: f"Convert {say_under_100(n(2, 10))} cups to milliliters.",
        lambda: f"Turn the volume up to {say_under_100(n(10, 99))} percent.",
        lambda: f"How far is {say_under_100(n(5, 99))} kilometers in miles?",
        lambda: f"Dim the living room lights to {say_under_100(n(10, 90))} percent.",
        lambda: f"What's the weather going to be like at {say_under_100(n(1, 12))} tomorrow?",
        lambda: f"Start a {say_under_100(n(5, 60))} minute workout playlist.",
        lambda: f"How many ounces are in {say_under_100(n(2, 12))} pounds?",
        lambda: f"Snooze for {say_under_100(n(5, 20))} minutes.",
        lambda: f"Play episode {say_under_100(n(1, 40))} of season {say_under_100(n(1, 9))}.",
        lambda: f"What was the score of the game, was it {n(1, 9)} to {n(0, 8)}?",
        lambda: f"Preheat the oven and set a timer for {say_under_100(n(20, 75))} minutes.",
        lambda: f"Move my {say_under_100(n(1, 12))} o'clock meeting to {say_under_100(n(1, 12))} thirty.",
        lambda: f"Roll {say_under_100(n(2, 6))} dice with {say_under_100(r.choice([6, 8, 12, 20]))} sides.",
        lambda: f"How long do I boil an egg for, {say_under_100(n(6, 12))} minutes?",
        lambda: f"Set the fan to speed {say_under_100(n(1, 5))}.",
        lambda: f"What is {say_under_100(n(10, 90))} percent of {say_number(r.choice([200, 250, 300, 800]))}?",
        lambda: f"Read me chapter {say_under_100(n(1, 40))} of my audiobook.",
        lambda: f"Count down from {say_under_100(n(10, 60))}.",
        lambda: f"How many calories are in {say_under_100(n(2, 6))} slices of toast?",
    ]
    return Utterance([r.choice(templates)()])


# --------------------------------------------------------------------------------------
# Audio: espeak-ng -> WAV -> sox (rate/channels/padding) -> container
# --------------------------------------------------------------------------------------

EVAL_VOICES = ["en-us", "en-us+m3", "en-us+f2", "en-gb", "en-gb+f3", "en+m7"]
GB_VOICES = ["en-gb", "en-gb+f3", "en+m7"]
US_VOICES = ["en-us", "en-us+m3", "en-us+f2"]


def run(cmd: Sequence[str]) -> None:
    subprocess.run(list(cmd), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wav_duration(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / float(w.getframerate())


def synth(text: str, voice: str, speed: int, out_wav: Path) -> float:
    run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out_wav), text])
    return wav_duration(out_wav)


def synth_in_range(text: str, voice: str, speed: int, out_wav: Path) -> Tuple[Optional[int], float]:
    """Synthesise, nudging the speed within 130..190 wpm to land in the duration range.

    Returns (speed used, duration) or (None, duration) when no speed fits.
    """
    dur = synth(text, voice, speed, out_wav)
    while dur > TARGET_MAX_S and speed < 190:
        speed = min(190, speed + 10)
        dur = synth(text, voice, speed, out_wav)
    while dur < TARGET_MIN_S and speed > 130:
        speed = max(130, speed - 10)
        dur = synth(text, voice, speed, out_wav)
    if dur > TARGET_MAX_S:
        return None, dur
    return speed, dur


def sox(src: Path, dst: Path, rate: int, channels: int, extra: Sequence[str] = (),
        pad_to: Optional[float] = None, effects: Sequence[str] = ()) -> None:
    eff = list(effects)
    if pad_to is not None:
        dur = wav_duration(src)
        if dur < pad_to:
            eff += ["pad", "0", f"{pad_to - dur:.3f}"]
    run(["sox", "-R", "-V1", str(src), "-r", str(rate), "-c", str(channels), *extra, str(dst),
         *eff])


def encode_opus(src_wav: Path, dst: Path, bitrate: int) -> None:
    """Ogg/Opus via PyAV (sox cannot write Opus). Bit-exact muxing keeps it deterministic."""
    import av  # noqa: PLC0415  (only this step needs PyAV)
    import numpy as np  # noqa: PLC0415

    with wave.open(str(src_wav)) as w:
        rate, ch, n = w.getframerate(), w.getnchannels(), w.getnframes()
        pcm = np.frombuffer(w.readframes(n), dtype="<i2")
    layout = "mono" if ch == 1 else "stereo"
    out = av.open(str(dst), "w", format="ogg", container_options={"fflags": "+bitexact"})
    try:
        st = out.add_stream("libopus", rate=rate)
        st.layout = layout
        st.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout=layout)
        frame.sample_rate = rate
        frame.pts = 0
        for pkt in st.encode(frame):
            out.mux(pkt)
        for pkt in st.encode(None):
            out.mux(pkt)
    finally:
        out.close()


def encode(src_wav: Path, dst: Path, fmt: str, pad_to: Optional[float] = None) -> None:
    """Write ``dst`` in one of the sample formats from an espeak WAV."""
    tmp = dst.with_suffix(".tmp.wav")
    try:
        if fmt == "wav22k":  # 16-bit PCM, 22.05 kHz mono
            sox(src_wav, dst, 22050, 1, ["-b", "16", "-e", "signed-integer"], pad_to)
        elif fmt == "wav8k":  # telephone-band 16-bit PCM, 8 kHz mono
            sox(src_wav, dst, 8000, 1, ["-b", "16", "-e", "signed-integer"], pad_to)
        elif fmt == "flac44k_stereo":
            sox(src_wav, dst, 44100, 2, ["-b", "16", "-C", "8"], pad_to)
        elif fmt == "mp3":
            sox(src_wav, dst, 22050, 1, ["-C", "48"], pad_to)
        elif fmt == "opus48k":
            sox(src_wav, tmp, 48000, 1, ["-b", "16"], pad_to)
            encode_opus(tmp, dst, 40000)
        elif fmt == "opus16k":
            sox(src_wav, tmp, 16000, 1, ["-b", "16"], pad_to)
            encode_opus(tmp, dst, 32000)
        elif fmt == "flac16k":
            sox(src_wav, dst, 16000, 1, ["-b", "16", "-C", "8"], pad_to)
        else:
            raise ValueError(fmt)
    finally:
        if tmp.exists():
            tmp.unlink()


# --------------------------------------------------------------------------------------
# Manifest identities: accounts, devices, times
# --------------------------------------------------------------------------------------

HEX = "0123456789ABCDEF"
ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def make_accounts(rng: random.Random, n: int, devices_per: Tuple[int, int] = (1, 2)
                  ) -> List[Tuple[str, List[str]]]:
    """[(account_id, [device_id, ...])]: distinctive fake IDs, all at least 13 characters."""
    seen = set()
    out = []
    while len(out) < n:
        acct = f"acct-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        if acct in seen:
            continue
        seen.add(acct)
        devs = []
        for _ in range(rng.randint(*devices_per)):
            dev = "dev-SN-" + "".join(rng.choice(ALNUM) for _ in range(6))
            if dev not in seen:
                seen.add(dev)
                devs.append(dev)
        out.append((acct, devs))
    return out


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def random_time(rng: random.Random, start: datetime, days: int) -> datetime:
    return start + timedelta(seconds=rng.randint(0, days * 86400 - 1))


WEEKS_START = datetime(2026, 11, 2, tzinfo=timezone.utc)  # Monday of ISO week 2026-W45


def write_jsonl(path: Path, rows: Sequence[Dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------
# Part 1: the bundled sample (samples/manifest.jsonl, samples/labels.jsonl, samples/audio/)
# --------------------------------------------------------------------------------------


def build_bundled(seed: int, out_dir: Path, work: Path) -> None:
    rng = random.Random(f"{seed}:bundled")
    s = Speaker(rng)
    audio = out_dir / "audio"
    if audio.exists():
        shutil.rmtree(audio)
    audio.mkdir(parents=True)

    card: Dict[str, str] = {}

    def paying_card() -> P:
        cc, card["brand"] = s.credit_card()
        return cc

    scripts: List[Tuple[str, str, int, str, Callable[[], Utterance]]] = [
        # (id, voice, speed, format, utterance factory: redrawn if it will not fit 8 s)
        ("s01", "en-us+m3", 175, "flac44k_stereo", lambda: Utterance(
            ["Pay my electricity bill with card ", paying_card(), "."])),
        ("s02", "en-us", 165, "wav22k", lambda: Utterance(
            ["Transfer two hundred dollars, routing number ", s.aba(), ", account number ",
             s.us_bank(), "."])),
        ("s03", "en-us+f2", 160, "mp3", lambda: Utterance(["Set a timer for twenty five minutes."])),
        ("s04", "en-gb", 170, "opus48k", lambda: Utterance(
            ["Send fifty euros to ", s.person(), ", I B A N ", s.iban(), "."], "en-GB")),
        ("s05", "en-us+m3", 155, "wav8k", lambda: Utterance(
            ["My social security number is ", s.ssn(), "."])),
        ("s06", "en-us+f2", 165, "flac44k_stereo", lambda: Utterance(
            ["Call ", s.person(), " on ", s.phone(), "."])),
        ("s07", "en-us", 150, "mp3", lambda: Utterance(["Change my card PIN to ", s.pin(), "."])),
        ("s08", "en-gb+f3", 165, "opus48k", lambda: Utterance(
            ["Pay ", s.person(), " ninety pounds, sort code ", s.sort_code(),
             ", account number ", s.uk_account(), "."], "en-GB")),
        ("s09", "en-us+m3", 160, "wav22k", lambda: Utterance(
            ["Email my statement to ", s.email(), "."])),
        ("s10", "en-us", 160, "wav8k", lambda: Utterance(
            ["What's the weather going to be like at seven tomorrow?"])),
        ("s11", "en+m7", 160, "flac44k_stereo", lambda: Utterance(
            ["Block the card ending in ", s.card_last4(), ", I think it was stolen."], "en-GB")),
        ("s12", "en-us+f2", 170, "mp3", lambda: Utterance(
            ["This is ", s.person(), ", date of birth ", s.date_of_birth(),
             ", username ", s.username(), "."])),
        ("s13", "en-gb", 165, "opus48k", lambda: Utterance(
            ["Turn the living room lights down to forty percent."], "en-GB")),
        ("s14", "en-us+m3", 165, "wav22k", lambda: Utterance(
            ["It expires ", s.card_expiry(), " and the security code is ", s.card_cvv(card["brand"]),
             "."])),
    ]
    ext = {"flac44k_stereo": "flac", "wav22k": "wav", "wav8k": "wav", "mp3": "mp3",
           "opus48k": "ogg"}

    accounts = make_accounts(rng, 4)
    # who spoke which clip: some accounts share several clips (same speaker, same voice)
    owner = {"s01": 0, "s02": 0, "s03": 1, "s04": 2, "s05": 0, "s06": 1, "s07": 3,
             "s08": 2, "s09": 3, "s10": 1, "s11": 2, "s12": 3, "s13": 0, "s14": 0, "s15": 1,
             "s16": 2}
    # spread over ISO weeks 2026-W45..W47, two straddling the Sunday/Monday boundary
    fixed_times = {"s05": datetime(2026, 11, 8, 23, 58, 30, tzinfo=timezone.utc),
                   "s06": datetime(2026, 11, 9, 0, 3, 10, tzinfo=timezone.utc)}

    manifest, labels = [], []
    for i, (uid, voice, speed, fmt, factory) in enumerate(scripts):
        wav = work / f"{uid}.wav"
        for _attempt in range(20):
            utt = factory()
            used, dur = synth_in_range(utt.text, voice, speed, wav)
            if used is not None:
                break
        else:
            raise SystemExit(f"{uid}: cannot fit {MAX_S}s at 190 wpm ({dur:.1f}s)")
        rel = f"audio/{uid}.{ext[fmt]}"
        encode(wav, out_dir / rel, fmt, pad_to=TARGET_MIN_S)
        acct, devs = accounts[owner[uid]]
        when = fixed_times.get(uid) or random_time(rng, WEEKS_START, 21)
        manifest.append({"utterance_id": uid, "account_id": acct, "device_id": devs[i % len(devs)],
                         "recorded_at": iso(when), "audio_uri": rel, "locale": utt.locale})
        pii = utt.pii()
        labels.append({"utterance_id": uid, "audio": rel, "format": fmt, "text": utt.text,
                       "voice": voice, "speed": used, "pii_free": not pii, "pii": pii,
                       "expect": "ok"})

    # a corrupt file: a FLAC magic and a truncated STREAMINFO, then noise
    corrupt = b"fLaC\x00\x00\x00\x22\x10\x00" + bytes(rng.getrandbits(8) for _ in range(2048))
    (audio / "corrupt.flac").write_bytes(corrupt)
    for uid, rel, expect in [("s15", "audio/corrupt.flac", "decode_error"),
                             ("s16", "audio/s16.wav", "missing_file")]:
        acct, devs = accounts[owner[uid]]
        manifest.append({"utterance_id": uid, "account_id": acct, "device_id": devs[0],
                         "recorded_at": iso(random_time(rng, WEEKS_START, 21)),
                         "audio_uri": rel, "locale": "en-US"})
        labels.append({"utterance_id": uid, "audio": rel, "format": None, "text": None,
                       "voice": None, "speed": None, "pii_free": None, "pii": [],
                       "expect": expect})
    assert not (out_dir / "audio" / "s16.wav").exists()
    write_jsonl(out_dir / "manifest.jsonl", manifest)
    write_jsonl(out_dir / "labels.jsonl", labels)
    print(f"bundled: {len(scripts)} clips + corrupt + missing -> {out_dir}")


# --------------------------------------------------------------------------------------
# Part 2: the evaluation corpus (samples/eval/)
# --------------------------------------------------------------------------------------


def assign_splits(rows: List[Dict[str, object]], rng: random.Random, frac: float = 0.2) -> None:
    """Mark ~frac of clips 'heldout', stratified by each clip's first entity (or PII-free)."""
    groups: Dict[str, List[Dict[str, object]]] = {}
    for row in rows:
        pii = row["pii"]
        key = pii[0]["entity_type"] if pii else "PII_FREE"  # type: ignore[index]
        groups.setdefault(str(key), []).append(row)
    for key in sorted(groups):
        members = groups[key]
        order = list(range(len(members)))
        rng.shuffle(order)
        k = max(1, round(frac * len(members))) if len(members) >= 3 else 0
        held = set(order[:k])
        for i, row in enumerate(members):
            row["split"] = "heldout" if i in held else "dev"


def build_eval(seed: int, out_dir: Path, work: Path, n_free: int = 45) -> None:
    rng = random.Random(f"{seed}:eval")
    s = Speaker(rng)
    clips = out_dir / "clips"
    if clips.exists():
        shutil.rmtree(clips)
    clips.mkdir(parents=True)

    jobs: List[Callable[[], Utterance]] = []
    for scenario, count in PLAN:
        jobs += [lambda sc=scenario: sc(s, rng)] * count
    jobs += [lambda: pii_free(rng)] * n_free
    rng.shuffle(jobs)

    accounts = make_accounts(rng, 24)
    rows, manifest = [], []
    for i, job in enumerate(jobs, start=1):
        uid = f"e{i:03d}"
        wav = work / f"{uid}.wav"
        for _attempt in range(20):
            utt = job()
            voices = GB_VOICES if utt.locale == "en-GB" else (
                US_VOICES + ["en-gb"] if rng.random() < 0.8 else EVAL_VOICES)
            voice = rng.choice(voices)
            speed = rng.randrange(130, 195, 5)
            used, dur = synth_in_range(utt.text, voice, speed, wav)
            if used is not None:
                break
        else:
            raise SystemExit(f"{uid}: no attempt fit in {MAX_S}s")
        rel = f"clips/{uid}.opus"
        encode(wav, out_dir / rel, "opus16k", pad_to=TARGET_MIN_S)
        locale = "en-GB" if voice in GB_VOICES else "en-US"
        pii = utt.pii()
        rows.append({"utterance_id": uid, "audio": rel, "text": utt.text, "voice": voice,
                     "speed": used, "locale": locale,
                     "duration_s": round(max(dur, TARGET_MIN_S), 3), "pii_free": not pii,
                     "pii": pii})
        manifest.append(manifest_row(rng, accounts, uid, rel, locale))
        if i % 25 == 0:
            print(f"eval: {i}/{len(jobs)}", flush=True)
    assign_splits(rows, random.Random(f"{seed}:split"))
    write_jsonl(out_dir / "labels.jsonl", rows)
    write_jsonl(out_dir / "manifest.jsonl", manifest)
    # How the corpus was made, for the results files of the benchmarks run on it.
    (out_dir / "corpus.json").write_text(json.dumps(
        {"generator": "samples/generate.py", "only": "eval", "seed": seed,
         "synthesiser": "espeak-ng"}, indent=1) + "\n", encoding="utf-8")
    print(f"eval: {len(rows)} clips -> {out_dir}")


def manifest_row(rng: random.Random, accounts, uid: str, rel: str, locale: str) -> Dict[str, str]:
    """One manifest line for a generated clip: a random account and one of its devices,
    recorded at a random time in the corpus's three weeks (draws from ``rng`` in that order)."""
    acct, devs = rng.choice(accounts)
    return {"utterance_id": uid, "account_id": acct, "device_id": rng.choice(devs),
            "recorded_at": iso(random_time(rng, WEEKS_START, 21)),
            "audio_uri": rel, "locale": locale}


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--only", choices=["bundled", "eval"], default=None)
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: samples/)")
    args = ap.parse_args(argv)
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install espeak-ng sox libsox-fmt-all",
                  file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="voicescrub-samples-") as tmp:
        work = Path(tmp)
        if args.only in (None, "bundled"):
            build_bundled(args.seed, args.out, work)
        if args.only in (None, "eval"):
            build_eval(args.seed, args.out / "eval", work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
