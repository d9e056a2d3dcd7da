"""Render the output schemas as the README's column tables.

``python -m voicescrub.schemas.markdown`` prints them; a test checks that the README holds
exactly this text, so the documentation cannot drift from ``schemas/arrow.py``.
"""

from __future__ import annotations

import pyarrow as pa
from voicescrub.schemas.arrow import (
    DEAD_LETTER_SCHEMA,
    EXCLUDED_SCHEMA,
    PII_ENTITY_TYPE,
    UTTERANCE_SCHEMA,
)


def _type_name(type_: pa.DataType) -> str:
    if pa.types.is_list(type_) and pa.types.is_struct(type_.value_type):
        return "list<struct>"
    return str(type_)


def _rows(fields) -> list:
    lines = ["| column | type | null? | meaning |", "|---|---|---|---|"]
    for field in fields:
        description = (field.metadata or {}).get(b"description", b"").decode("utf-8")
        lines.append(f"| `{field.name}` | {_type_name(field.type)} | "
                     f"{'yes' if field.nullable else 'no'} | {description} |")
    return lines


def schema_tables() -> str:
    """The four tables: utterances, the pii_entities struct, dead_letter, excluded."""
    parts = ["#### `utterances/`", ""] + _rows(UTTERANCE_SCHEMA)
    parts += ["", "#### `pii_entities` items", ""] + _rows(list(PII_ENTITY_TYPE))
    parts += ["", "#### `dead_letter/`", ""] + _rows(DEAD_LETTER_SCHEMA)
    parts += ["", "#### `excluded/`", ""] + _rows(EXCLUDED_SCHEMA)
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(schema_tables(), end="")
