#!/usr/bin/env python3
"""Generate a labelled corpus of NON-ENGLISH voice-assistant speech full of PII.

The pipeline transcribes with an English-only model (faster-whisper tiny.en). It
cannot understand Spanish, German, French, Italian, Portuguese, Dutch, Polish,
Romanian or Hindi, so it cannot find the card numbers, IBANs, phone numbers,
national IDs, names, e-mails, addresses and PINs spoken in them: such clips must
never reach a reviewer. This corpus measures that: each clip is espeak-ng speech
in one of those nine languages, labelled with its language and every PII value
in it, like ``samples/eval``.

How to run it (from the repository root; needs espeak-ng, sox and the venv's PyAV)::

    python benchmarks/foreign_corpus.py --out DIR [--seed N] [--per-language K] [--mislabelled M]

Defaults: seed 20261204, K = 6 clips per language (54), M = 10. The M extra clips
are foreign speech whose manifest claims ``en-US`` or ``en-GB`` (bilingual
households, mislabelled devices); their labels keep the true locale.

Written to DIR:

* ``clips/f001.opus`` ...: 16 kHz mono Ogg/Opus, the eval corpus's encoding,
  every clip 2-8 s (the speed is nudged within 130-190 wpm until it fits).
* ``manifest.jsonl``: the pipeline's input (utterance_id, account_id, device_id,
  recorded_at, audio_uri relative to DIR, locale as the device reported it).
* ``labels.jsonl``: utterance_id, audio, text (exactly what espeak-ng was given),
  voice, speed, locale (the true one), manifest_locale, language (two-letter
  code), duration_s, pii_free, pii (entity_type, value, spoken, start, end, with
  ``text[start:end] == spoken``; values canonical as in ``samples/README.md``),
  mislabelled.

Every value is fake, drawn from a seeded RNG (cards pass Luhn, IBANs and national
IDs carry valid check digits, nothing else is real). No network. The output is
deterministic for a given seed and espeak-ng / sox / PyAV versions. Only counts
are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from samples.generate import (  # noqa: E402
    LETTERS_NO_A,
    MAX_S,
    TARGET_MIN_S,
    P,
    Part,
    Utterance,
    encode,
    iban_valid,
    iban_with_check,
    luhn_check_digit,
    luhn_valid,
    make_accounts,
    manifest_row,
    synth_in_range,
    write_jsonl,
)

DEFAULT_SEED = 20261204
DEFAULT_PER_LANGUAGE = 6
DEFAULT_MISLABELLED = 10
FIT_ATTEMPTS = 40  # redraws (values, spoken forms, voice, speed) before giving up on a template

VARIANTS = ["", "+m1", "+m2", "+m3", "+m4", "+m7", "+f1", "+f2", "+f3", "+f4"]
ENGLISH_LOCALES = ["en-US", "en-US", "en-GB"]  # what a mislabelled device claims

# --------------------------------------------------------------------------------------
# Check digits of the fake identifiers
# --------------------------------------------------------------------------------------

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
_VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_check_digit(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return str(_VERHOEFF_INV[c])


def verhoeff_valid(number: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def weighted_sum(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights))


# Codice fiscale check character: value of each character in odd / even positions (1-based).
_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4,
                    18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))


def codice_fiscale_check(body: str) -> str:
    total = 0
    for i, ch in enumerate(body):
        if i % 2 == 0:
            total += _CF_ODD[ch]
        else:
            total += int(ch) if ch.isdigit() else ord(ch) - ord("A")
    return chr(ord("A") + total % 26)


# --------------------------------------------------------------------------------------
# Fake values
# --------------------------------------------------------------------------------------


def digits(rng: random.Random, n: int, first_nonzero: bool = False) -> str:
    s = "".join(rng.choice("0123456789") for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = rng.choice("123456789") + s[1:]
    return s


def fake_card(rng: random.Random) -> str:
    """16-digit Visa / Mastercard-shaped number, Luhn-valid."""
    prefix = rng.choice(["4", "4", "4", "51", "53", "55"])
    body = prefix + digits(rng, 15 - len(prefix))
    number = body + luhn_check_digit(body)
    assert luhn_valid(number)
    return number


def fake_iban(rng: random.Random, country: str) -> str:
    """A check-digit-valid IBAN; BBANs are all digits except the letter fields."""
    letters = lambda n: "".join(rng.choice(LETTERS_NO_A) for _ in range(n))  # noqa: E731
    bban = {
        "ES": lambda: digits(rng, 20),
        "DE": lambda: digits(rng, 18),
        "AT": lambda: digits(rng, 16),
        "CH": lambda: digits(rng, 17),
        "FR": lambda: digits(rng, 23),
        "BE": lambda: digits(rng, 12),
        "LU": lambda: digits(rng, 16),
        "PT": lambda: digits(rng, 21),
        "NL": lambda: letters(4) + digits(rng, 10),
        "RO": lambda: letters(4) + digits(rng, 16),
    }[country]()
    iban = iban_with_check(country, bban)
    assert iban_valid(iban)
    return iban


def dni(rng: random.Random) -> str:
    n = digits(rng, 8, first_nonzero=True)
    return n + "TRWAGMYFPDXBNJZSQVHLCKE"[int(n) % 23]


def steuer_id(rng: random.Random) -> str:
    """German tax ID: 11 digits, one digit repeated in the first ten, ISO 7064 MOD 11,10."""
    while True:
        pool = rng.sample("0123456789", 9)
        body = pool + [rng.choice(pool)]
        rng.shuffle(body)
        if body[0] != "0":
            break
    product = 10
    for ch in body:
        s = (int(ch) + product) % 10 or 10
        product = (s * 2) % 11
    check = (11 - product) % 10
    return "".join(body) + str(check)


def nir(rng: random.Random) -> str:
    """French social security number: 13 digits and the key 97 - n mod 97."""
    body = (rng.choice("12") + f"{rng.randint(50, 99):02d}" + f"{rng.randint(1, 12):02d}"
            + f"{rng.randint(1, 95):02d}" + digits(rng, 3) + f"{rng.randint(1, 999):03d}")
    return body + f"{97 - int(body) % 97:02d}"


def codice_fiscale(rng: random.Random) -> str:
    consonants = "BCDFGLMNPRSTVZ"
    body = ("".join(rng.choice(consonants) for _ in range(6)) + f"{rng.randint(50, 99):02d}"
            + rng.choice("ABCDEHLMPRST") + f"{rng.randint(1, 28) + rng.choice([0, 40]):02d}"
            + rng.choice("ABCDEFGHL") + f"{rng.randint(100, 999)}")
    return body + codice_fiscale_check(body)


def nif_pt(rng: random.Random) -> str:
    body = rng.choice("123") + digits(rng, 7)
    r = weighted_sum(body, range(9, 1, -1)) % 11
    return body + str(0 if r < 2 else 11 - r)


def bsn(rng: random.Random) -> str:
    """Dutch citizen service number: passes the 11-test."""
    while True:
        body = digits(rng, 8, first_nonzero=True)
        last = weighted_sum(body, range(9, 1, -1)) % 11
        if last < 10:
            return body + str(last)


def pesel(rng: random.Random) -> str:
    year, month, day = rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)
    mm = month + (20 if year >= 2000 else 0)
    body = f"{year % 100:02d}{mm:02d}{day:02d}" + digits(rng, 4)
    return body + str((10 - weighted_sum(body, [1, 3, 7, 9] * 3) % 10) % 10)


def cnp(rng: random.Random) -> str:
    year, month, day = rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)
    sex = rng.choice("12") if year < 2000 else rng.choice("56")
    body = (sex + f"{year % 100:02d}{month:02d}{day:02d}" + f"{rng.randint(1, 46):02d}"
            + f"{rng.randint(1, 999):03d}")
    r = weighted_sum(body, [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11
    return body + ("1" if r == 10 else str(r))


def aadhaar(rng: random.Random) -> str:
    body = rng.choice("23456789") + digits(rng, 10)
    number = body + verhoeff_check_digit(body)
    assert verhoeff_valid(number)
    return number


# --------------------------------------------------------------------------------------
# Spoken forms: written so that espeak-ng reads them in the voice's own language
# --------------------------------------------------------------------------------------

DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")


def chunk(s: str, sizes: Sequence[int]) -> List[str]:
    out, pos = [], 0
    for n in sizes:
        if pos < len(s):
            out.append(s[pos:pos + n])
            pos += n
    if pos < len(s):
        out.append(s[pos:])
    return out


@dataclass(frozen=True)
class Lang:
    code: str               # two-letter language code
    locale: str             # the true locale
    voice: str              # espeak-ng voice
    digit_words: Sequence[str]
    dot: str                # how "." is said in an e-mail address
    at: str                 # how "@" is said
    first_names: Sequence[Tuple[str, str]]  # (as written, ASCII for e-mails)
    last_names: Sequence[Tuple[str, str]]
    streets: Sequence[str]  # "{n}" is the house number
    phone: Callable[[random.Random], Tuple[str, Sequence[int]]]  # value, spoken group sizes
    national_id: Callable[[random.Random], str]
    ibans: Sequence[str]    # IBAN countries whose IBANs fit a clip; empty: a bare account number
    templates: Sequence[str]  # with PII slots: {card} {cvv} {iban} {acct} {phone} ...
    free_templates: Sequence[str]  # PII-free, harmless numbers: {min} {hour}
    native_digits: bool = False  # may write digits in the native script (Devanagari)


def say_digits(lang: Lang, rng: random.Random, ds: str, sizes: Sequence[int],
               styles: Sequence[str] = ("numerals", "numerals", "groups", "pairs", "words")
               ) -> str:
    """A digit string, in one of: numerals one by one ("4 5 3 9"), groups read as numbers
    ("4539, 1488"), two-digit numbers ("45, 39"), the language's digit words."""
    style = rng.choice(list(styles))
    if style == "pairs":
        groups = chunk(ds, [2] * (len(ds) // 2))
    else:
        groups = chunk(ds, sizes)
    if style in ("groups", "pairs"):
        # a comma keeps "612 345 678" from being read as one number in the millions
        spoken = ", ".join(groups)
    else:
        sep = rng.choice([", ", " "])
        if style == "words":
            spoken = sep.join(" ".join(lang.digit_words[int(d)] for d in g) for g in groups)
        else:
            spoken = sep.join(" ".join(g) for g in groups)
    if lang.native_digits and rng.random() < 0.5:
        spoken = spoken.translate(DEVANAGARI_DIGITS)
    return spoken


def say_chars(lang: Lang, rng: random.Random, s: str, style: str) -> str:
    """A mixed letter/digit group, one character at a time (letters spelled)."""
    out = []
    for ch in s:
        if ch.isdigit() and style == "words":
            out.append(lang.digit_words[int(ch)])
        else:
            out.append(ch)
    return " ".join(out)


def ascii_fold(s: str) -> str:
    s = s.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


# --------------------------------------------------------------------------------------
# PII slots
# --------------------------------------------------------------------------------------


class Slots:
    """Makes the PII parts of one language's templates."""

    def __init__(self, lang: Lang, rng: random.Random) -> None:
        self.lang = lang
        self.rng = rng

    def card(self) -> P:
        n = fake_card(self.rng)
        return P("CREDIT_CARD", n, say_digits(self.lang, self.rng, n, [4, 4, 4, 4]))

    def cvv(self) -> P:
        d = digits(self.rng, 3)
        return P("CARD_CVV", d, say_digits(self.lang, self.rng, d, [3],
                                           ("numerals", "groups", "words")))

    def pin(self) -> P:
        d = digits(self.rng, self.rng.choice([4, 4, 4, 6]))
        return P("PIN", d, say_digits(self.lang, self.rng, d, [len(d)],
                                      ("numerals", "numerals", "pairs", "words")))

    def acct(self) -> P:
        n = self.rng.choice([10, 11, 12, 12, 14])
        d = digits(self.rng, n, first_nonzero=True)
        return P("US_BANK_NUMBER", d, say_digits(self.lang, self.rng, d, [4] * 4))

    def iban(self) -> P:
        if not self.lang.ibans:
            return self.acct()
        iban = fake_iban(self.rng, self.rng.choice(list(self.lang.ibans)))
        style = self.rng.choice(["numerals", "numerals", "groups", "words"])
        parts = [" ".join(iban[:2])]
        for g in [iban[2:4]] + chunk(iban[4:], [4] * 8):
            if g.isdigit():
                parts.append(say_digits(self.lang, self.rng, g, [4], (style,)))
            else:
                parts.append(say_chars(self.lang, self.rng, g, style))
        sep = ", " if style == "groups" else self.rng.choice([", ", " "])
        return P("IBAN_CODE", iban, sep.join(parts))

    def phone(self) -> P:
        value, sizes = self.lang.phone(self.rng)
        return P("PHONE_NUMBER", value, say_digits(self.lang, self.rng, value, sizes))

    def natid(self) -> P:
        value = self.lang.national_id(self.rng)
        if value.isdigit():
            sizes = [3] * (len(value) // 3) + ([len(value) % 3] if len(value) % 3 else [])
            spoken = say_digits(self.lang, self.rng, value, sizes,
                                ("numerals", "numerals", "groups", "words"))
        else:
            style = self.rng.choice(["numerals", "words"])
            spoken = say_chars(self.lang, self.rng, value, style)
        return P("NATIONAL_ID", value, spoken)

    def _name(self) -> Tuple[Tuple[str, str], Tuple[str, str]]:
        return self.rng.choice(list(self.lang.first_names)), self.rng.choice(list(self.lang.last_names))

    def person(self) -> P:
        (first, _), (last, _) = self._name()
        full = f"{first} {last}"
        return P("PERSON", full, full)

    def email(self) -> P:
        (_, first), (_, last) = self._name()
        first = ascii_fold(first).lower()
        last = ascii_fold(last).lower().replace(" ", "")
        domain = self.rng.choice(["example.com", "example.org", "example.net"])
        form = self.rng.choice(["dot", "dot", "joined", "initial"])
        if form == "dot":
            local, said = [first, last], [first, last]
        elif form == "joined":
            local, said = [first + last], [first, last]
        else:
            local, said = [first[0] + last], [first[0], last]
        number = ""
        if self.rng.random() < 0.3:
            number = f"{self.rng.randint(10, 99)}"
            local[-1] += number
        value = ".".join(local) + "@" + domain
        dot = f" {self.lang.dot} "
        spoken_local = (dot.join(said) if form == "dot" else " ".join(said))
        if self.lang.code == "hi":
            spoken_local = hindi_email_words(said, form, self.lang)
        if number:
            spoken_local += " " + number
        host, tld = domain.split(".")
        host_said = "एग्ज़ाम्पल" if self.lang.code == "hi" else host
        tld_said = HINDI_TLDS[tld] if self.lang.code == "hi" else tld
        spoken = f"{spoken_local} {self.lang.at} {host_said}{dot}{tld_said}"
        if self.lang.native_digits and number and self.rng.random() < 0.5:
            spoken = spoken.translate(DEVANAGARI_DIGITS)
        return P("EMAIL_ADDRESS", value, spoken)

    def address(self) -> P:
        street = self.rng.choice(list(self.lang.streets))
        value = street.format(n=self.rng.randint(1, 180))
        return P("STREET_ADDRESS", value, value)


HINDI_TLDS = {"com": "कॉम", "org": "ओ आर जी", "net": "नेट"}


def hindi_email_words(said: Sequence[str], form: str, lang: Lang) -> str:
    """The romanised e-mail pieces, said in Devanagari (espeak-ng hi reads Latin as English)."""
    lookup = {latin: deva for deva, latin in list(lang.first_names) + list(lang.last_names)}
    letters = {"a": "ए", "r": "आर", "v": "वी", "s": "एस", "n": "एन", "p": "पी", "m": "एम",
               "y": "वाई", "j": "जे", "g": "जी"}
    words = [lookup.get(w) or letters.get(w) or w for w in said]
    return f" {lang.dot} ".join(words) if form == "dot" else " ".join(words)


# --------------------------------------------------------------------------------------
# The nine languages
# --------------------------------------------------------------------------------------


def same(names: str) -> List[Tuple[str, str]]:
    return [(n, n) for n in names.split(",")]


def phone_es(r: random.Random) -> Tuple[str, Sequence[int]]:
    return r.choice("67") + digits(r, 8), [3, 3, 3]


def phone_de(r: random.Random) -> Tuple[str, Sequence[int]]:
    return r.choice(["0151", "0160", "0170", "0176"]) + digits(r, 7), [4, 3, 4]


def phone_fr(r: random.Random) -> Tuple[str, Sequence[int]]:
    return r.choice(["06", "07"]) + digits(r, 8), [2, 2, 2, 2, 2]


def phone_it(r: random.Random) -> Tuple[str, Sequence[int]]:
    return "3" + r.choice("234") + digits(r, 8), [3, 3, 4]


def phone_pt(r: random.Random) -> Tuple[str, Sequence[int]]:
    return "9" + r.choice("1236") + digits(r, 7), [3, 3, 3]


def phone_nl(r: random.Random) -> Tuple[str, Sequence[int]]:
    return "06" + digits(r, 8, first_nonzero=True), [2, 4, 4]


def phone_pl(r: random.Random) -> Tuple[str, Sequence[int]]:
    return r.choice("5678") + digits(r, 8), [3, 3, 3]


def phone_ro(r: random.Random) -> Tuple[str, Sequence[int]]:
    return "07" + r.choice("2345") + digits(r, 7), [4, 3, 3]


def phone_hi(r: random.Random) -> Tuple[str, Sequence[int]]:
    return r.choice("6789") + digits(r, 9), [5, 5]


LANGS: List[Lang] = [
    Lang("es", "es-ES", "es",
         "cero uno dos tres cuatro cinco seis siete ocho nueve".split(), "punto", "arroba",
         same("Lucía,Javier,Carmen,Alejandro,Marta,Diego,Elena,Pablo"),
         same("García,Fernández,López,Martínez,Sánchez,Romero,Navarro,Torres"),
         ["Calle Mayor {n}", "Calle del Olmo {n}", "Avenida de la Paz {n}", "Calle Alcalá {n}"],
         phone_es, dni, ["ES"],
         ["Paga la factura de la luz con la tarjeta {card}.",
          "Mi IBAN es {iban}.",
          "Llama a {person} al {phone}.",
          "Mi DNI es {natid}.",
          "Soy {person}, mi correo es {email}.",
          "El PIN de mi tarjeta es {pin}.",
          "Envía el paquete a {person}, {address}.",
          "El código de seguridad es {cvv}."],
         ["Pon un temporizador de {min} minutos.",
          "¿Qué tiempo hará mañana a las {hour}?"]),
    Lang("de", "de-DE", "de",
         "null eins zwei drei vier fünf sechs sieben acht neun".split(), "Punkt", "at",
         same("Lukas,Anna,Jonas,Lena,Felix,Sophie,Maximilian,Hannah"),
         same("Müller,Schmidt,Schneider,Fischer,Weber,Becker,Hoffmann,Wagner"),
         ["Lindenstraße {n}", "Hauptstraße {n}", "Gartenweg {n}", "Bahnhofstraße {n}"],
         phone_de, steuer_id, ["DE", "AT", "CH"],
         ["Bezahle die Rechnung mit der Karte {card}.",
          "Überweise fünfzig Euro auf {iban}.",
          "Ruf {person} unter {phone} an.",
          "Meine Steuer-ID ist {natid}.",
          "Schick die Quittung an {email}.",
          "Meine Geheimzahl ist {pin}.",
          "Liefere das Paket an {person}, {address}.",
          "Die Prüfnummer auf der Rückseite ist {cvv}."],
         ["Stell einen Timer auf {min} Minuten.",
          "Wie wird das Wetter morgen um {hour} Uhr?"]),
    Lang("fr", "fr-FR", "fr-fr",
         "zéro un deux trois quatre cinq six sept huit neuf".split(), "point", "arobase",
         same("Camille,Julien,Chloé,Mathieu,Léa,Antoine,Manon,Hugo"),
         same("Dubois,Lefèvre,Moreau,Laurent,Girard,Bonnet,Mercier,Fournier"),
         ["{n} rue des Lilas", "{n} avenue Victor Hugo", "{n} boulevard Voltaire",
          "{n} rue de la Gare"],
         phone_fr, nir, ["FR", "BE", "LU", "CH"],
         ["Paie la facture avec la carte {card}.",
          "Mon IBAN est {iban}.",
          "Appelle {person} au {phone}.",
          "Mon numéro de sécurité sociale est {natid}.",
          "Je suis {person}, mon adresse mail est {email}.",
          "Mon code secret est {pin}.",
          "Livre le colis à {person}, {address}.",
          "Le cryptogramme de ma carte est {cvv}."],
         ["Mets un minuteur de {min} minutes.",
          "Quel temps fera-t-il demain à {hour} heures ?"]),
    Lang("it", "it-IT", "it",
         "zero uno due tre quattro cinque sei sette otto nove".split(), "punto", "chiocciola",
         same("Giulia,Marco,Francesca,Luca,Chiara,Matteo,Sara,Andrea"),
         same("Rossi,Bianchi,Ferrari,Esposito,Romano,Colombo,Ricci,Marino"),
         ["Via Garibaldi {n}", "Via Roma {n}", "Corso Vittorio Emanuele {n}", "Via dei Mille {n}"],
         phone_it, codice_fiscale, ["CH"],  # an Italian IBAN (27 characters) does not fit 8 s
         ["Paga la bolletta con la carta {card}.",
          "Il mio numero di conto è {acct}.",
          "Chiama {person} al {phone}.",
          "Il mio codice fiscale è {natid}.",
          "Manda la ricevuta a {email}.",
          "Il PIN del bancomat è {pin}.",
          "Spedisci il pacco a {person}, {address}.",
          "Bonifico di cento franchi sull'IBAN {iban}."],
         ["Imposta un timer di {min} minuti.",
          "Che tempo farà domani alle {hour}?"]),
    Lang("pt", "pt-PT", "pt",
         "zero um dois três quatro cinco seis sete oito nove".split(), "ponto", "arroba",
         same("Inês,João,Beatriz,Tiago,Mariana,Rui,Catarina,Duarte"),
         same("Silva,Santos,Ferreira,Pereira,Oliveira,Costa,Rodrigues,Martins"),
         ["Rua das Flores {n}", "Avenida da Liberdade {n}", "Rua Augusta {n}", "Rua do Carmo {n}"],
         phone_pt, nif_pt, ["PT", "LU"],
         ["Paga a conta da luz com o cartão {card}.",
          "O meu IBAN é {iban}.",
          "Liga para {person}, número {phone}.",
          "O meu NIF é {natid}.",
          "Envia o recibo para {email}.",
          "O PIN do meu cartão é {pin}.",
          "Envia a encomenda para {person}, {address}.",
          "O código de segurança é {cvv}."],
         ["Põe um temporizador de {min} minutos.",
          "Como vai estar o tempo amanhã às {hour} horas?"]),
    Lang("nl", "nl-NL", "nl",
         "nul een twee drie vier vijf zes zeven acht negen".split(), "punt", "apenstaartje",
         same("Sanne,Daan,Fleur,Bram,Lotte,Thijs,Eva,Ruben"),
         same("de Vries,Jansen,van Dijk,Bakker,Visser,Smit,Meijer,de Boer"),
         ["Kerkstraat {n}", "Dorpsstraat {n}", "Molenweg {n}", "Stationsplein {n}"],
         phone_nl, bsn, ["NL", "BE"],
         ["Betaal de rekening met kaart {card}.",
          "Maak vijftig euro over naar {iban}.",
          "Bel {person} op {phone}.",
          "Mijn BSN is {natid}.",
          "Ik ben {person}, mijn e-mail is {email}.",
          "Mijn pincode is {pin}.",
          "Stuur het pakket naar {person}, {address}.",
          "De beveiligingscode is {cvv}."],
         ["Zet een timer op {min} minuten.",
          "Wat voor weer wordt het morgen om {hour} uur?"]),
    Lang("pl", "pl-PL", "pl",
         "zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć".split(), "kropka", "małpa",
         same("Zofia,Jakub,Katarzyna,Piotr,Agnieszka,Tomasz,Magdalena,Krzysztof"),
         same("Nowak,Wójcik,Kowalczyk,Mazur,Krawczyk,Zając,Król,Dudek"),
         ["ulica Lipowa {n}", "ulica Polna {n}", "ulica Leśna {n}", "ulica Słoneczna {n}"],
         phone_pl, pesel, [],  # a Polish IBAN (28 characters) does not fit 8 s
         ["Zapłać rachunek kartą {card}.",
          "Przelej sto złotych na konto {acct}.",
          "Zadzwoń pod numer {phone}, to {person}.",
          "Mój PESEL to {natid}.",
          "Wyślij paragon na adres {email}.",
          "Mój PIN to {pin}.",
          "Adres dostawy: {person}, {address}.",
          "Kod CVV to {cvv}."],
         ["Ustaw minutnik na {min} minut.",
          "Jaka będzie pogoda jutro o {hour}?"]),
    Lang("ro", "ro-RO", "ro",
         "zero unu doi trei patru cinci șase șapte opt nouă".split(), "punct", "arond",
         same("Andreea,Mihai,Ioana,Alexandru,Elena,Andrei,Cristina,Bogdan"),
         same("Popescu,Ionescu,Dumitrescu,Stan,Stoica,Gheorghe,Munteanu,Constantin"),
         ["Strada Florilor {n}", "Strada Mihai Eminescu {n}", "Bulevardul Unirii {n}",
          "Strada Libertății {n}"],
         phone_ro, cnp, ["RO"],
         ["Plătește factura cu cardul {card}.",
          "IBAN-ul meu este {iban}.",
          "Sună la {phone}, e {person}.",
          "CNP-ul meu este {natid}.",
          "Trimite chitanța la {email}.",
          "PIN-ul cardului este {pin}.",
          "Trimite coletul la {person}, {address}.",
          "Codul de securitate este {cvv}."],
         ["Pornește un cronometru de {min} minute.",
          "Cum va fi vremea mâine la ora {hour}?"]),
    Lang("hi", "hi-IN", "hi",
         "शून्य एक दो तीन चार पाँच छह सात आठ नौ".split(), "डॉट", "एट",
         [("प्रिया", "priya"), ("राहुल", "rahul"), ("अनीता", "anita"), ("विकास", "vikas"),
          ("सुनीता", "sunita"), ("अमित", "amit"), ("नेहा", "neha"), ("अर्जुन", "arjun")],
         [("शर्मा", "sharma"), ("वर्मा", "verma"), ("गुप्ता", "gupta"), ("सिंह", "singh"),
          ("पटेल", "patel"), ("यादव", "yadav"), ("मेहता", "mehta"), ("जोशी", "joshi")],
         ["{n} गांधी मार्ग", "{n} नेहरू नगर", "{n} सुभाष रोड", "{n} शांति विहार"],
         phone_hi, aadhaar, [],  # India has no IBAN: a bank account number
         ["मेरा कार्ड नंबर {card} है।",
          "मेरा खाता नंबर {acct} है।",
          "{person} को {phone} पर फ़ोन करो।",
          "मेरा आधार नंबर {natid} है।",
          "रसीद {email} पर भेज दो।",
          "मेरा पिन {pin} है।",
          "पार्सल {person}, {address} पर भेजो।",
          "कार्ड का सीवीवी {cvv} है।"],
         ["{min} मिनट का टाइमर लगाओ।",
          "कल सुबह {hour} बजे मौसम कैसा रहेगा?"],
         native_digits=True),
]

SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, lang: Lang, rng: random.Random) -> Utterance:
    """Turn a template into an Utterance: PII slots become labelled parts, {min} and
    {hour} harmless numerals."""
    slots = Slots(lang, rng)
    parts: List[Part] = []
    pos = 0
    for m in SLOT.finditer(template):
        parts.append(template[pos:m.start()])
        name = m.group(1)
        if name in ("min", "hour"):
            n = (rng.choice([2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 45]) if name == "min"
                 else rng.randint(5, 11))
            native = lang.native_digits and rng.random() < 0.5
            parts.append(str(n).translate(DEVANAGARI_DIGITS) if native else str(n))
        else:
            parts.append(getattr(slots, name)())
        pos = m.end()
    parts.append(template[pos:])
    return Utterance([p for p in parts if p != ""], lang.locale)


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------


@dataclass
class Job:
    lang: Lang
    template: str
    mislabelled: bool


def plan(rng: random.Random, per_language: int, mislabelled: int) -> List[Job]:
    """K clips a language (about one in six PII-free), then the mislabelled ones, shuffled."""
    jobs: List[Job] = []
    for lang in LANGS:
        n_free = min(per_language, max(1, round(per_language / 6)))
        free = rng.sample(list(lang.free_templates), len(lang.free_templates))
        pii = rng.sample(list(lang.templates), len(lang.templates))
        jobs += [Job(lang, free[i % len(free)], False) for i in range(n_free)]
        jobs += [Job(lang, pii[i % len(pii)], False) for i in range(per_language - n_free)]
    order = rng.sample(LANGS, len(LANGS))
    for i in range(mislabelled):
        lang = order[i % len(order)]
        jobs.append(Job(lang, rng.choice(list(lang.templates)), True))
    rng.shuffle(jobs)
    return jobs


def synth_job(job: Job, rng: random.Random, wav: Path) -> Tuple[Utterance, str, int, float]:
    """Draw values, spoken forms, voice and speed until the clip fits in 2-8 s."""
    dur = 0.0
    for _attempt in range(FIT_ATTEMPTS):
        utt = fill(job.template, job.lang, rng)
        voice = job.lang.voice + rng.choice(VARIANTS)
        speed = rng.randrange(130, 195, 5)
        used, dur = synth_in_range(utt.text, voice, speed, wav)
        if used is not None:
            return utt, voice, used, dur
    raise SystemExit(f"{job.lang.code}: a template does not fit {MAX_S}s at 190 wpm "
                     f"({dur:.1f}s)")


def build(seed: int, out_dir: Path, work: Path, per_language: int, mislabelled: int) -> None:
    rng = random.Random(f"{seed}:foreign")
    clips = out_dir / "clips"
    if clips.exists():
        shutil.rmtree(clips)
    clips.mkdir(parents=True)

    jobs = plan(rng, per_language, mislabelled)
    accounts = make_accounts(rng, max(4, len(jobs) // 3))
    labels: List[Dict[str, object]] = []
    manifest: List[Dict[str, object]] = []
    for i, job in enumerate(jobs, start=1):
        uid = f"f{i:03d}"
        wav = work / f"{uid}.wav"
        utt, voice, speed, dur = synth_job(job, rng, wav)
        rel = f"clips/{uid}.opus"
        encode(wav, out_dir / rel, "opus16k", pad_to=TARGET_MIN_S)
        claimed = rng.choice(ENGLISH_LOCALES) if job.mislabelled else job.lang.locale
        pii = utt.pii()
        labels.append({"utterance_id": uid, "audio": rel, "text": utt.text, "voice": voice,
                       "speed": speed, "locale": job.lang.locale, "manifest_locale": claimed,
                       "language": job.lang.code,
                       "duration_s": round(max(dur, TARGET_MIN_S), 3), "pii_free": not pii,
                       "pii": pii, "mislabelled": job.mislabelled})
        manifest.append(manifest_row(rng, accounts, uid, rel, claimed))
        if i % 16 == 0:
            print(f"foreign: {i}/{len(jobs)}", flush=True)
    write_jsonl(out_dir / "manifest.jsonl", manifest)
    write_jsonl(out_dir / "labels.jsonl", labels)
    print_counts(labels, out_dir)


def print_counts(labels: Sequence[Dict[str, object]], out_dir: Path) -> None:
    for lang in LANGS:
        rows = [r for r in labels if r["language"] == lang.code]
        print(f"foreign: {lang.code} {len(rows)} clips ({sum(bool(r['mislabelled']) for r in rows)} "
              f"mislabelled, {sum(bool(r['pii_free']) for r in rows)} PII-free, "
              f"{sum(len(r['pii']) for r in rows)} PII values)")  # type: ignore[arg-type]
    n_mis = sum(bool(r["mislabelled"]) for r in labels)
    print(f"foreign: {len(labels)} clips ({len(labels) - n_mis} true locale, {n_mis} "
          f"mislabelled English) -> {out_dir}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--per-language", type=int, default=DEFAULT_PER_LANGUAGE,
                    help="clips per language with the true locale (default 6)")
    ap.add_argument("--mislabelled", type=int, default=DEFAULT_MISLABELLED,
                    help="extra foreign clips whose manifest claims en-US / en-GB (default 10)")
    args = ap.parse_args(argv)
    if args.per_language < 1 or args.mislabelled < 0:
        ap.error("--per-language must be at least 1 and --mislabelled at least 0")
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install espeak-ng sox libsox-fmt-all",
                  file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="voicescrub-foreign-") as tmp:
        build(args.seed, args.out, Path(tmp), args.per_language, args.mislabelled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
