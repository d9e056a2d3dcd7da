"""The settings machinery: one declaration gives the flag, the YAML key, the check and the row."""

from __future__ import annotations

import argparse
import pickle
from dataclasses import dataclass
from typing import FrozenSet, Optional, Tuple

import pytest
from voicescrub.schemas.settings import (
    FrozenMapping,
    SettingsError,
    add_flags,
    fingerprint,
    from_flags,
    from_mapping,
    markdown_table,
    phrases,
    section,
    setting,
    validate,
    words,
)


@dataclass(frozen=True)
class Inner:
    enabled: bool = setting(True, "the section's switch")
    rounds: int = setting(2, "how many", minimum=0)
    pad_s: float = setting(0.25, "pad in ms", minimum=0.0, flag_per_unit=1000, flag="--pad-ms")
    internal: float = 9.0


@dataclass(frozen=True)
class Outer:
    name: str = setting(None, "a name", required=True)
    mode: str = setting("a", "one of two", choices=("a", "b"))
    ratio: float = setting(0.5, "a ratio", minimum=0.0, maximum=1.0)
    cues: FrozenSet[str] = setting(frozenset(), "cue words", parse=words)
    phrases_: Tuple[str, ...] = setting((), "phrases", parse=phrases, flag="--phrases")
    note: Optional[str] = setting(None, "optional text")
    inner: Inner = section(Inner, "the inner section", "inner")


def parse(*argv: str) -> Outer:
    parser = argparse.ArgumentParser()
    add_flags(parser, Outer, "top")
    return from_flags(Outer, parser.parse_args(list(argv)))


def test_flags_are_derived_from_the_declarations() -> None:
    config = parse("--name", "x", "--mode", "b", "--inner-rounds", "3", "--pad-ms", "100",
                   "--no-inner")
    assert (config.name, config.mode, config.inner.rounds) == ("x", "b", 3)
    assert config.inner.pad_s == pytest.approx(0.1) and config.inner.enabled is False
    assert config.inner.internal == 9.0 and config.ratio == 0.5  # defaults where not given


@pytest.mark.parametrize("argv, flag", [
    (["--ratio", "1.5"], "--ratio"), (["--ratio", "nan"], "--ratio"),
    (["--inner-rounds", "-1"], "--inner-rounds"), (["--pad-ms", "-5"], "--pad-ms"),
    (["--inner-rounds", "two"], "--inner-rounds"),
])
def test_a_value_out_of_range_names_its_flag_in_one_line(argv, flag) -> None:
    with pytest.raises(SettingsError) as failure:
        parse("--name", "x", *argv)
    message = str(failure.value)
    assert message.startswith(flag + " must") and "\n" not in message


def test_the_yaml_reader_refuses_unknown_keys_and_checks_types_and_ranges() -> None:
    built = from_mapping(Outer, {"name": "n", "cues": ["Card", "PIN"],
                                 "phrases_": ["User  Name", "pin"], "inner": {"rounds": 0}})
    assert built.cues == frozenset({"card", "pin"}) and built.phrases_ == ("pin", "user name")
    assert built.inner.rounds == 0 and built.inner.pad_s == 0.25
    for raw, named in (({"name": "n", "colour": 1}, "'colour'"),
                       ({"name": "n", "inner": {"internal": 1.0}}, "'inner.internal'"),
                       ({"name": "n", "inner": {"rounds": -1}}, "'inner.rounds'"),
                       ({"name": "n", "inner": {"rounds": True}}, "'inner.rounds'"),
                       ({"name": "n", "mode": "c"}, "'mode'"),
                       ({"name": "n", "cues": "card"}, "'cues'"),
                       ({}, "'name'")):
        with pytest.raises(SettingsError) as failure:
            from_mapping(Outer, raw)
        assert str(failure.value).startswith(named), raw


def test_validate_checks_a_config_built_in_code() -> None:
    validate(Outer(name="n"))
    with pytest.raises(SettingsError, match="'ratio' must be at most 1"):
        validate(Outer(name="n", ratio=2.0))


def test_the_table_has_a_row_per_flag_with_default_and_range() -> None:
    table = markdown_table(Outer, "top")
    rows = [line for line in table.splitlines() if line.startswith("| `--")]
    assert len(rows) == 9
    assert "| `--phrases` | — |" in table  # an empty list shows no default
    assert "| `--pad-ms` | `250` | ≥ 0 |" in table  # shown in the flag's unit
    assert "| `--mode` | `a` | `a`, `b` |" in table
    assert "| `--name` | required |" in table and "| **the inner section** |" in table


def test_parsed_settings_pickle_and_fingerprint_stably() -> None:
    built = from_mapping(Outer, {"name": "n", "cues": [f"w{i}" for i in range(50)]})
    again = pickle.loads(pickle.dumps(built))
    assert again == built and fingerprint(again) == fingerprint(built)
    assert fingerprint(Outer(name="m")) != fingerprint(Outer(name="n"))
    mapping = FrozenMapping({"A": "beep"})
    assert pickle.loads(pickle.dumps(mapping)) == {"A": "beep"} and hash(mapping)
    with pytest.raises(TypeError):
        mapping["B"] = "silence"  # type: ignore[index]


def test_a_ms_flag_gives_exact_seconds_and_help_names_the_flag_unit() -> None:
    assert all(parse("--name", "x", "--pad-ms", str(ms)).inner.pad_s == ms / 1000
               for ms in range(0, 2001))
    parser = argparse.ArgumentParser()
    add_flags(parser, Outer, "top")
    assert "--pad-ms MS" in parser.format_help()


def test_x_or_none_reads_like_optional_x() -> None:
    @dataclass(frozen=True)
    class Limits:
        most: int | None = setting(None, "a cap", minimum=1)

    parser = argparse.ArgumentParser()
    add_flags(parser, Limits, "top")
    assert from_flags(Limits, parser.parse_args(["--most", "3"])).most == 3
    assert from_flags(Limits, parser.parse_args([])).most is None
    with pytest.raises(SettingsError, match="'most' must be a whole number"):
        from_mapping(Limits, {"most": "three"})
