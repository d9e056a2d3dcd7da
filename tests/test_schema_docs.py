import os

from voicescrub.schemas.arrow import (
    DEAD_LETTER_SCHEMA,
    EXCLUDED_SCHEMA,
    UTTERANCE_SCHEMA,
)
from voicescrub.schemas.markdown import schema_tables

from tests.conftest import REPO


def test_readme_documents_every_column_exactly_as_declared():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert schema_tables() in readme, "README schema tables are stale: run python -m voicescrub.schemas.markdown"


def test_every_column_has_a_description():
    for schema in (UTTERANCE_SCHEMA, DEAD_LETTER_SCHEMA, EXCLUDED_SCHEMA):
        for field in schema:
            assert field.metadata and field.metadata.get(b"description"), field.name


def test_the_output_contract_never_names_a_raw_identifier():
    names = set(UTTERANCE_SCHEMA.names) | set(DEAD_LETTER_SCHEMA.names) | set(EXCLUDED_SCHEMA.names)
    assert not names & {"account_id", "device_id", "transcript", "audio"}
