"""Audio libraries: decoding and encoding, placing PII in time, bleeping and silencing."""
