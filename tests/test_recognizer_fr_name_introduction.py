"""FrNameIntroductionRecognizer (transforms/language/fr/recognizers/fr_name_introduction.yaml): capitalised words after an introduction or a title."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrNameIntroductionRecognizer"

# (French transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ("Bonjour, je m'appelle Océane Girard.", 'Océane Girard'),
    ("Mon fils s'appelle Louis Perrin et il a 8 ans.", 'Louis Perrin'),
    ('Prends rendez-vous chez le docteur Benoît Carré.', 'Benoît Carré'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    "Comment ça s'appelle, ce truc ?",
    "C'est Le Monde qui l'a écrit.",
    "Je m'appelle comment déjà ?",
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES, detector="fr_detector")
