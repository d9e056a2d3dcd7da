"""FrBankAccountRecognizer (transforms/language/fr/recognizers/fr_bank_account.yaml): a French account number, a RIB or one of its pieces after its name."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrBankAccountRecognizer"

# (French transcript, the words redacted as FR_BANK_ACCOUNT): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Le numéro de compte est 00012345678.', '00012345678'),
    ("Code guichet 01234 pour l'agence de Lille.", '01234'),
    ("La clé RIB c'est 47.", '47'),
    ('Voici mon RIB : 30004 01234 00012345678 47.', '30004 01234 00012345678 47'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Ouvre le compte Netflix de la maison.',
    'Le compte épargne rapporte 3 % par an.',
    'Quel est le solde de mon compte courant ?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "FR_BANK_ACCOUNT", CATCHES, NEAR_MISSES, detector="fr_detector")
