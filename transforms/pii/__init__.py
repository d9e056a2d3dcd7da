"""PII detection for ASR transcripts, reading them as speech.

``config.load_pii_config`` reads the settings, ``detector.PiiDetector`` finds spans;
see ``spoken_normaliser`` for how spoken digits and e-mail addresses are read.
"""
