"""Settings declared once: type, default, range and description on a dataclass field.

Every setting of voicescrub is a field of a frozen dataclass, declared with
:func:`setting` (a section of settings with :func:`section`). Everything else is
derived from those declarations:

- the command line: :func:`add_flags` and :func:`from_flags` (``--help`` included);
- the YAML readers: :func:`from_mapping`;
- the validation, for both: :func:`validate`;
- the options tables of the README and docs: :func:`markdown_table`.

A field declared without :func:`setting` is internal: neither a flag nor a YAML
key can set it. Error messages name the setting and its constraint, never the
value given (a path or a word list is configuration, but nothing from the
configuration is echoed either).
"""

from __future__ import annotations

import argparse
import collections.abc
import dataclasses
import hashlib
import math
import re
import types
import typing
from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)


class SettingsError(ValueError):
    """A setting is missing, unknown or out of range; the message is one line."""


@dataclass(frozen=True)
class Setting:
    """What a field's declaration says beyond its type and default.

    :param help: what the setting does, for ``--help`` and the tables.
    :param minimum: the smallest allowed value.
    :param maximum: the largest allowed value.
    :param above: values must be greater than this.
    :param choices: the allowed values of a text setting.
    :param flag: the command-line name when it is not derived from the field's name.
    :param flag_per_unit: flag units per unit of the field: the flag's value divided by
        this is the field's (1000 for ``--pad-before-ms``, whose field is in seconds).
    :param parse: turns a raw value (the flag's text, or the YAML value) into the field's
        value; raises ``ValueError`` whose text completes "<name> must ...".
    :param default_text: how the default reads in help and tables, when not its value.
    :param required: the setting has no default and must be given.
    :param cli: ``False``: a YAML-only (or derived) setting, never a flag.
    :param group: the flag's group title, when not its section's.
    :param repeat: the flag may be given more than once; the setting is the tuple of
        every value given, in order.
    """

    help: str
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    above: Optional[float] = None
    choices: Optional[Tuple[str, ...]] = None
    flag: Optional[str] = None
    flag_per_unit: float = 1.0
    parse: Optional[Callable[[Any], Any]] = None
    default_text: Optional[str] = None
    required: bool = False
    cli: bool = True
    group: Optional[str] = None
    repeat: bool = False


@dataclass(frozen=True)
class Section:
    """A field that is itself a dataclass of settings.

    :param title: the group's heading in ``--help`` and the tables.
    :param prefix: flags of its settings are ``--<prefix>-<name>``; ``""``: ``--<name>``.
    """

    title: str
    prefix: str = ""


def setting(default: Any = dataclasses.MISSING, help: str = "", *,  # noqa: A002 - argparse's word
            default_factory: Any = dataclasses.MISSING, **declared: Any) -> Any:
    """A dataclass field that is a setting (see :class:`Setting` for ``declared``)."""
    metadata = {"setting": Setting(help=help, **declared)}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def section(kind: type, title: str, prefix: str = "") -> Any:
    """A dataclass field holding a dataclass of settings, defaulting to its defaults."""
    return dataclasses.field(default_factory=kind, metadata={"section": Section(title, prefix)})


class FrozenMapping(Mapping):
    """A read-only mapping that pickles (unlike ``types.MappingProxyType``), so a
    parsed configuration can travel to workers as it is."""

    def __init__(self, items: Mapping[Any, Any] = ()) -> None:
        self._items = dict(items)

    def __getitem__(self, key: Any) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items(), key=repr)))

    def __repr__(self) -> str:
        return f"FrozenMapping({self._items!r})"


def freeze(value: Any) -> Any:
    """Nested dicts and lists (parsed YAML) made immutable: mappings and tuples."""
    if isinstance(value, Mapping):
        return FrozenMapping({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`: plain dicts and lists (for libraries that want them)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def canonical(value: Any) -> Any:
    """``value`` as plain, ordered data: equal settings give equal text whatever the order
    their sets and mappings were built in (``repr`` of a frozenset is not stable across a
    pickle round trip, so it cannot name a shared model)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, [[f.name, canonical(getattr(value, f.name))]
                                       for f in dataclasses.fields(value)]]
    if isinstance(value, Mapping):
        return sorted(([canonical(k), canonical(v)] for k, v in value.items()), key=repr)
    if isinstance(value, (frozenset, set)):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return value


def fingerprint(value: Any) -> str:
    """A short stable digest of a configuration (see :func:`canonical`)."""
    return hashlib.sha256(repr(canonical(value)).encode("utf-8")).hexdigest()[:32]


# Parsers for values whose type alone does not say how to read them.

def words(raw: Any) -> frozenset:
    """A list of words, compared in lower case."""
    return frozenset(str(word).lower() for word in _as_list(raw))


def phrases(raw: Any) -> Tuple[str, ...]:
    """A list of words or phrases: lower case, inner spaces collapsed, sorted."""
    return tuple(sorted({" ".join(str(phrase).lower().split()) for phrase in _as_list(raw)}))


def _as_list(raw: Any) -> list:
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raise ValueError("be a list")
    # YAML reads a bare yes, no, on or off as true or false: the word is lost, not listed.
    if any(isinstance(item, bool) for item in raw):
        raise ValueError("quote its yes, no, on and off (YAML reads them bare as true or false)")
    return list(raw)


# Reading and checking.

def _setting_of(field: dataclasses.Field) -> Optional[Setting]:
    return field.metadata.get("setting")


def _section_of(field: dataclasses.Field) -> Optional[Section]:
    return field.metadata.get("section")


def _hints(kind: type) -> Dict[str, Any]:
    return typing.get_type_hints(kind)


def _unwrap_optional(hint: Any) -> Tuple[Any, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def convert(raw: Any, hint: Any, declared: Setting) -> Any:
    """``raw`` (a flag's text or a YAML value) as a value of type ``hint``.

    :raises ValueError: with text that completes "<name> must ...".
    """
    if declared.parse is not None:
        return declared.parse(raw)
    hint, optional = _unwrap_optional(hint)
    if raw is None:
        if optional:
            return None
        raise ValueError("be given")
    origin = typing.get_origin(hint)
    if hint is bool:
        if not isinstance(raw, bool):
            raise ValueError("be true or false")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("be a whole number")
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ValueError("be a number")
        return float(raw)
    if hint is str:
        if not isinstance(raw, str):
            raise ValueError("be text")
        return raw
    if origin in (frozenset, typing.FrozenSet) or hint is frozenset:
        return frozenset(str(item) for item in _as_list(raw))
    if origin is tuple:
        args = typing.get_args(hint)
        items = _as_list(raw)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(convert(item, args[0], Setting(help="")) for item in items)
        if len(items) != len(args):
            raise ValueError(f"be a list of {len(args)}")
        return tuple(convert(item, arg, Setting(help="")) for item, arg in zip(items, args))
    if origin in (collections.abc.Mapping, dict) or hint in (dict, collections.abc.Mapping):
        if not isinstance(raw, Mapping):
            raise ValueError("be a mapping")
        return freeze(raw)
    return raw


def _bounds_error(value: Any, declared: Setting) -> Optional[str]:
    """Why ``value`` is out of its declared range (text completing "<name> must ..."), or None."""
    if declared.choices is not None and value not in declared.choices:
        return "be one of " + ", ".join(declared.choices)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "be a finite number"
    if declared.minimum is not None and value < declared.minimum:
        return f"be at least {_number(declared.minimum, declared.flag_per_unit)}"
    if declared.maximum is not None and value > declared.maximum:
        return f"be at most {_number(declared.maximum, declared.flag_per_unit)}"
    if declared.above is not None and not value > declared.above:
        return f"be above {_number(declared.above, declared.flag_per_unit)}"
    return None


def _number(value: float, flag_per_unit: float) -> str:
    shown = round(value * flag_per_unit, 9)
    return str(int(shown)) if float(shown).is_integer() else str(shown)


NameOf = Callable[[str, dataclasses.Field, str], str]


def yaml_name(path: str, field: dataclasses.Field, prefix: str) -> str:
    """A setting's name in a YAML file: ``'section.key'``."""
    return f"'{path}{field.name}'"


def validate(settings: Any, name_of: NameOf = yaml_name, path: str = "",
             prefix: str = "") -> None:
    """Check every declared setting of ``settings`` (sections too) against its range.

    :raises SettingsError: naming the first setting out of range.
    """
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        inner = _section_of(field)
        if inner is not None:
            validate(value, name_of, f"{path}{field.name}.", inner.prefix)
            continue
        declared = _setting_of(field)
        if declared is None:
            continue
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            validate(value, name_of, f"{path}{field.name}.")
            continue
        problem = _bounds_error(value, declared)
        if problem is not None:
            raise SettingsError(f"{name_of(path, field, prefix)} must {problem}")


_KEY = re.compile(r"\A[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")


def from_mapping(kind: type, raw: Any, path: str = "", **given: Any) -> Any:
    """Build ``kind`` from a parsed YAML mapping: unknown keys refused, absent ones
    take their declared defaults, every value converted and checked.

    :param path: the mapping's place in its document (``"context."``), for messages.
    :param given: values for internal fields, not read from ``raw``.
    :raises SettingsError: in one line, naming the setting.
    """
    if not isinstance(raw, Mapping):
        raise SettingsError(f"'{path.rstrip('.') or 'the document'}' must be a mapping")
    fields = {field.name: field for field in dataclasses.fields(kind)}
    readable = {name for name, field in fields.items() if _setting_of(field) or _section_of(field)}
    unknown = sorted(str(key) for key in raw if key not in readable)
    if unknown:
        # A key is named back only when it has the shape of one: a stray line of text
        # (or anything else pasted in) is not echoed.
        named = unknown[0] if _KEY.match(unknown[0]) else None
        where = path.rstrip(".") or "the document"
        raise SettingsError(f"'{path}{named}' is not a setting" if named
                            else f"'{where}' holds a key that is not a setting")
    hints = _hints(kind)
    values: Dict[str, Any] = dict(given)
    for name in readable:
        field = fields[name]
        inner = _section_of(field)
        # YAML's empty value (``key:``) reads as None: the setting was not given.
        if raw.get(name) is None:
            declared = _setting_of(field)
            if declared is not None and declared.required:
                raise SettingsError(f"'{path}{name}' is required")
            continue
        declared = _setting_of(field)
        if inner is not None or (dataclasses.is_dataclass(hints[name]) and declared.parse is None):
            values[name] = from_mapping(hints[name], raw[name], f"{path}{name}.")
            continue
        try:
            values[name] = convert(raw[name], hints[name], declared)
        except SettingsError:
            raise
        except (TypeError, ValueError) as error:
            raise SettingsError(f"'{path}{name}' must {error}") from None
    built = kind(**values)
    validate(built, yaml_name, path)
    return built


# The command line.

def flag_of(field: dataclasses.Field, prefix: str) -> str:
    """A setting's flag: declared, or ``--<prefix>-<name>`` with dashes (``enabled`` is
    the section's own switch, ``--<prefix>``)."""
    declared = _setting_of(field)
    if declared is not None and declared.flag:
        return declared.flag
    name = field.name.replace("_", "-")
    if prefix and field.name == "enabled":
        return f"--{prefix}"
    return f"--{prefix}-{name}" if prefix else f"--{name}"


def cli_name(path: str, field: dataclasses.Field, prefix: str) -> str:
    """A setting's name on the command line: its flag."""
    return flag_of(field, prefix)


def _walk(kind: type, path: str = "", prefix: str = "", title: str = ""
          ) -> Iterator[Tuple[str, str, str, dataclasses.Field, Any, Setting]]:
    """(group title, dotted path, prefix, field, type hint, declaration) of every flag."""
    hints = _hints(kind)
    for field in dataclasses.fields(kind):
        inner = _section_of(field)
        if inner is not None:
            yield from _walk(hints[field.name], f"{path}{field.name}.", inner.prefix, inner.title)
            continue
        declared = _setting_of(field)
        if declared is not None and declared.cli:
            yield declared.group or title, path, prefix, field, hints[field.name], declared


def default_text(field: dataclasses.Field, declared: Setting) -> Optional[str]:
    """How a setting's default reads in help and tables (None: it has none)."""
    if declared.default_text is not None:
        return declared.default_text
    if declared.required or field.default is dataclasses.MISSING:
        return None
    value = field.default
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None or (isinstance(value, (tuple, frozenset, Mapping)) and not value):
        return None
    if isinstance(value, (int, float)) and declared.flag_per_unit != 1.0:
        return _number(value, declared.flag_per_unit)
    return str(value)


def add_flags(parser: argparse.ArgumentParser, kind: type, top_title: str) -> None:
    """Add a flag for every command-line setting of ``kind`` and its sections, grouped
    by section title (settings outside a section go under ``top_title``)."""
    groups: Dict[str, Any] = {}
    for title, path, prefix, field, hint, declared in _walk(kind):
        title = title or top_title
        group = groups.get(title) or groups.setdefault(title, parser.add_argument_group(title))
        flag = flag_of(field, prefix)
        shown = default_text(field, declared)
        help_text = declared.help + (f" (default {shown})" if shown is not None else "")
        options: Dict[str, Any] = {"dest": path + field.name, "help": help_text.replace("%", "%%")}
        base, _ = _unwrap_optional(hint)
        if base is bool and declared.parse is None:
            options["action"] = argparse.BooleanOptionalAction
        else:
            if declared.repeat:
                options["action"] = "append"
            if declared.choices is not None:
                options["choices"] = declared.choices
            else:
                options["metavar"] = flag.lstrip("-").split("-")[-1].upper()
        if declared.required:
            options["required"] = True
        group.add_argument(flag, default=None, **options)


def _from_text(text: Any, hint: Any, declared: Setting) -> Any:
    """A flag's text as the setting's value."""
    base, _ = _unwrap_optional(hint)
    if declared.parse is not None or isinstance(text, bool) or base is str:
        return convert(text, hint, declared)
    if base is int:
        try:
            number: Any = int(text)
        except ValueError:
            raise ValueError("be a whole number") from None
        return number
    if base is float:
        try:
            number = float(text)
        except ValueError:
            raise ValueError("be a number") from None
        return number / declared.flag_per_unit
    return convert(text, hint, declared)


def from_flags(kind: type, args: argparse.Namespace, **given: Any) -> Any:
    """Build ``kind`` (and its sections) from parsed flags: a flag not given keeps the
    field's default; ``given`` fills internal fields (dotted paths for sections' fields).

    :raises SettingsError: naming the flag.
    """
    values: Dict[str, Dict[str, Any]] = {}
    for _title, path, prefix, field, hint, declared in _walk(kind):
        text = getattr(args, path + field.name, None)
        if text is None:
            continue
        try:
            value = _from_text(text, hint, declared)
        except SettingsError:
            raise
        except (TypeError, ValueError) as error:
            raise SettingsError(f"{flag_of(field, prefix)} must {error}") from None
        values.setdefault(path, {})[field.name] = value
    for dotted, value in given.items():
        path, _, name = dotted.rpartition(".")
        values.setdefault(path + "." if path else "", {})[name] = value
    built = _build(kind, "", values)
    validate(built, cli_name)
    return built


def _build(kind: type, path: str, values: Dict[str, Dict[str, Any]]) -> Any:
    hints = _hints(kind)
    own = dict(values.get(path, {}))
    for field in dataclasses.fields(kind):
        if _section_of(field) is not None:
            own[field.name] = _build(hints[field.name], f"{path}{field.name}.", values)
    return kind(**own)


# Tables.

def markdown_table(kind: type, top_title: str) -> str:
    """The options table of ``kind``'s command line: one row per flag, a heading row per group."""
    rows: Dict[str, List[str]] = {}
    for title, _path, prefix, field, _hint, declared in _walk(kind):
        rows.setdefault(title or top_title, []).append("| " + " | ".join((
            f"`{flag_of(field, prefix)}`", _cell(default_text(field, declared), declared),
            _allowed(declared), declared.help.replace("|", "\\|"))) + " |")
    lines = ["| flag | default | allowed | what it does |", "|---|---|---|---|"]
    for title, group in rows.items():
        lines += [f"| **{title}** | | | |", *group]
    return "\n".join(lines) + "\n"


def _cell(shown: Optional[str], declared: Setting) -> str:
    if declared.required:
        return "required"
    return "—" if shown is None else f"`{shown}`"


def _allowed(declared: Setting) -> str:
    if declared.repeat:
        return "repeatable"
    if declared.choices is not None:
        return ", ".join(f"`{choice}`" for choice in declared.choices)
    parts: Sequence[str] = [text for text in (
        None if declared.minimum is None else f"≥ {_number(declared.minimum, declared.flag_per_unit)}",
        None if declared.above is None else f"> {_number(declared.above, declared.flag_per_unit)}",
        None if declared.maximum is None else f"≤ {_number(declared.maximum, declared.flag_per_unit)}",
    ) if text]
    return ", ".join(parts) if parts else ""
