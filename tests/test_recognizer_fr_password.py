"""FrPasswordRecognizer (transforms/language/fr/recognizers/fr_password.yaml): the value after a password cue and its link word."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrPasswordRecognizer"

# (French transcript, the words redacted as PASSWORD): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Mon mot de passe est lapin bleu 42.', 'lapin bleu 42'),
    ("Le mot de passe, euh, c'est Soleil2024, note-le.", 'Soleil2024'),
    ("Le mot de passe ? Alors c'est T majuscule, o, m, 9.", 'T majuscule, o, m, 9'),
    ("Mot de passe : c'est L majuscule, u, n, a, 4, 4.", 'L majuscule, u, n, a, 4, 4'),
    ("Connecte-moi avec le mot de passe Orage 77 s'il te plaît.", 'Orage 77'),
    ("Mon mdp c'est genre tortue12, tu peux le changer ?", 'tortue12'),
    ("Le mot de passe c'est B E R L I N 4, voilà.", 'B E R L I N 4'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    "J'ai oublié mon mot de passe, aide-moi.",
    'Mon mot de passe est trop long pour ce site ?',
    "C'est quoi le mot de passe du wifi ?",
    "Mon mdp est perdu, aide-moi à le retrouver.",
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PASSWORD", CATCHES, NEAR_MISSES, detector="fr_detector")
