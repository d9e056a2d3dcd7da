"""The digit-run fail-safe's tiers, each plain Python and tested alone.

``words``: the words of a normalised transcript; ``banking_context``: where banking
context comes from (rules 2 and 5); ``harmless``: the shapes of a harmless number;
``verdict``: the decision for one run (rules 1, 2, 5 and 6); ``companions``: the runs
redacted for their neighbours (rules 3 and 4); ``clip_level``: the extra forms of the
clip-level banking mode (rule 5). ``recognizers/digit_run_failsafe_recognizer.py``
composes them into a Presidio recognizer; its module docstring states the policy.
"""
