"""Pseudonym libraries: rotating keyed speaker pseudonyms and their epoch keyrings."""
