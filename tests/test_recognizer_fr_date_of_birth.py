"""FrDateOfBirthRecognizer (transforms/language/fr/recognizers/fr_date_of_birth.yaml): a date after a birth cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrDateOfBirthRecognizer"

# (French transcript, the words redacted as DATE_OF_BIRTH): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Je suis né le 9 avril 1981.', '9 avril 1981'),
    ("Ma date de naissance c'est le 02/05/1990.", '02/05/1990'),
    ('Elle est née le, euh, premier juin deux mille douze.', 'premier juin deux mille douze'),
    ("Il est né le 4 août 79, à Lyon.", '4 août 79'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Le bébé est né ce matin à 8 heures.',
    'Quelle est la date de naissance de Victor Hugo, 1802 ?',
    "Mon anniversaire, c'est dans 3 semaines.",
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "DATE_OF_BIRTH", CATCHES, NEAR_MISSES, detector="fr_detector")
