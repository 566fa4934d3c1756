"""Read a tenant's YAML folder into plain data plus a map from every node's path to its file:line:column."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from design.specs.errors import SpecError, SpecErrorCode
from design.specs.model import Location

LIST_SECTIONS = (
    "fields",
    "entities",
    "forms",
    "services",
    "events",
    "roles",
    "operators",
    "resources",
    "views",
    "menu",
)
SINGLE_SECTIONS = ("spec_version", "tenant")

PathKey = tuple[str | int, ...]

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader semantics (no python tags), but dates stay ISO strings so they are JSON-like."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class RawSpec:
    """A folder's merged data before validation, with the location of every node."""

    folder: Path
    data: dict[str, Any] = field(default_factory=dict)
    locations: dict[PathKey, Location] = field(default_factory=dict)  # where each value starts
    key_locations: dict[PathKey, Location] = field(
        default_factory=dict
    )  # where each mapping key starts
    styles: dict[PathKey, str] = field(default_factory=dict)  # quote style of quoted scalars
    files: list[str] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)
    fatal: bool = False  # True when some file could not be read at all (the data is incomplete)

    def locate(self, path: PathKey, *, key: bool = False) -> Location | None:
        """The location of ``path`` (its key when ``key``), else of the nearest parent that has one."""
        if key and path in self.key_locations:
            return self.key_locations[path]
        probe = tuple(path)
        while probe:
            found = self.locations.get(probe)
            if found is not None:
                return found
            probe = probe[:-1]
        return Location(self.files[0], 1, 1) if self.files else None

    def error(
        self, path: PathKey, message: str, code: SpecErrorCode, *, key: bool = False
    ) -> SpecError:
        """A SpecError located at ``path``."""
        return SpecError(self.locate(path, key=key), format_path(path), message, code)


def format_path(path: PathKey) -> str:
    """``("entities", 3, "fields", 2, "to")`` -> ``entities[3].fields[2].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def display_path(path: Path) -> str:
    """The path relative to the current directory when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


_STR = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}


class _Builder:
    """Turns one composed YAML document into plain data, recording marks and duplicate keys."""

    def __init__(self, raw: RawSpec, file: str, loader: yaml.SafeLoader):
        self.raw, self.file, self.loader = raw, file, loader

    def mark(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.raw.locations[path] = self.mark(node)
        expected = _COLLECTION_TAGS.get(type(node))
        if expected is not None and node.tag != expected:
            raise yaml.constructor.ConstructorError(
                None, None, f"tag {node.tag!r} is not allowed (plain YAML only)", node.start_mark
            )
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build_key(key_node, path)
                if key is None:
                    continue
                if key in result:
                    self.raw.errors.append(
                        SpecError(
                            self.mark(key_node),
                            format_path((*path, key)),
                            f"duplicate key {key!r} in one mapping",
                            SpecErrorCode.DUPLICATE,
                        )
                    )
                    continue
                self.raw.key_locations[(*path, key)] = self.mark(key_node)
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if node.style in ("'", '"'):
            self.raw.styles[path] = node.style
        if node.tag == _STR:  # the common case, without the constructor's bookkeeping
            return node.value
        return self.loader.construct_object(node, deep=True)

    def build_key(self, key_node: yaml.Node, path: PathKey) -> Any:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:merge":
            self.raw.errors.append(
                SpecError(
                    self.mark(key_node),
                    format_path(path),
                    "YAML merge keys (<<) are not supported",
                    SpecErrorCode.YAML_SYNTAX,
                )
            )
            return None
        if not isinstance(key_node, yaml.ScalarNode):
            self.raw.errors.append(
                SpecError(
                    self.mark(key_node),
                    format_path(path),
                    "mapping keys must be plain strings",
                    SpecErrorCode.YAML_SYNTAX,
                )
            )
            return None
        if key_node.tag == _STR:
            return key_node.value
        key = self.loader.construct_object(key_node)
        return key if isinstance(key, str) else str(key)


MAPPING_VALUES_HINT = (
    "check the indentation of this line and the one above (a `key: value` indented under a key"
    " that already has a value), or quote a value that contains ': '"
)


def _compose(text: str, file: str, raw: RawSpec) -> tuple[yaml.Node | None, yaml.SafeLoader | None]:
    loader = _SpecLoader(text)
    try:
        return loader.get_single_node(), loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None:
            where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
            problem = f"{problem} ({exc.context} started at {where})"
        if "mapping values" in problem:
            problem += f"; {MAPPING_VALUES_HINT}"
        raw.errors.append(
            SpecError(location, "", f"YAML syntax error: {problem}", SpecErrorCode.YAML_SYNTAX)
        )
    except yaml.YAMLError as exc:
        raw.errors.append(
            SpecError(Location(file, 1, 1), "", f"YAML error: {exc}", SpecErrorCode.YAML_SYNTAX)
        )
    raw.fatal = True
    return None, None


def _merge(raw: RawSpec, builder: _Builder, node: yaml.MappingNode) -> None:
    """Merge one file's top-level mapping into ``raw`` (list sections concatenate, the rest once)."""
    seen: set[str] = set()
    for key_node, value_node in node.value:
        section = builder.build_key(key_node, ())
        if section is None:
            continue
        if section in seen:
            raw.errors.append(
                SpecError(
                    builder.mark(key_node),
                    section,
                    f"duplicate key {section!r} in one mapping",
                    SpecErrorCode.DUPLICATE,
                )
            )
            continue
        seen.add(section)
        is_list = isinstance(value_node, yaml.SequenceNode)
        if is_list and value_node.tag != _COLLECTION_TAGS[yaml.SequenceNode]:
            builder.build(value_node, (section,))  # raises: unknown tag
        if is_list and (section in LIST_SECTIONS or section not in SINGLE_SECTIONS):
            if section in raw.data and not isinstance(raw.data[section], list):
                raw.errors.append(
                    raw.error(
                        (section,), f"section {section!r} must be a list", SpecErrorCode.SCHEMA
                    )
                )
                continue
            target = raw.data.setdefault(section, [])
            raw.key_locations.setdefault((section,), builder.mark(key_node))
            raw.locations.setdefault((section,), builder.mark(value_node))
            for item_node in value_node.value:
                target.append(builder.build(item_node, (section, len(target))))
            continue
        if section in raw.data:
            first = raw.key_locations.get((section,))
            raw.errors.append(
                SpecError(
                    builder.mark(key_node),
                    section,
                    f"section {section!r} must appear exactly once (already defined at {first})",
                    SpecErrorCode.DUPLICATE,
                )
            )
            continue
        raw.key_locations[(section,)] = builder.mark(key_node)
        raw.data[section] = builder.build(value_node, (section,))


def read_spec_folder(folder: Path) -> RawSpec:
    """Read every ``*.yaml`` of ``folder`` (sorted by name) into one RawSpec; problems go to ``.errors``."""
    folder = Path(folder)
    raw = RawSpec(folder=folder)
    shown = display_path(folder)
    if not folder.is_dir():
        raw.errors.append(
            SpecError(
                Location(shown, 1, 1), "", f"spec folder {shown!r} does not exist", SpecErrorCode.IO
            )
        )
        raw.fatal = True
        return raw
    files = sorted(p for p in folder.iterdir() if p.suffix == ".yaml" and p.is_file())
    if not files:
        raw.errors.append(
            SpecError(Location(shown, 1, 1), "", f"no *.yaml files in {shown!r}", SpecErrorCode.IO)
        )
        raw.fatal = True
        return raw
    for path in files:
        file = display_path(path)
        raw.files.append(file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raw.errors.append(
                SpecError(Location(file, 1, 1), "", f"cannot read file: {exc}", SpecErrorCode.IO)
            )
            raw.fatal = True
            continue
        node, loader = _compose(text, file, raw)
        if node is None:
            continue
        builder = _Builder(raw, file, loader)
        if not isinstance(node, yaml.MappingNode):
            raw.errors.append(
                SpecError(
                    builder.mark(node),
                    "",
                    "a spec file must be a mapping of sections",
                    SpecErrorCode.SCHEMA,
                )
            )
            continue
        try:
            _merge(raw, builder, node)
        except (
            yaml.MarkedYAMLError
        ) as exc:  # an unknown tag, e.g. !!python/object: never constructed
            mark = exc.problem_mark
            location = (
                Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
            )
            message = f"YAML error: {exc.problem or exc}"
            raw.errors.append(SpecError(location, "", message, SpecErrorCode.YAML_SYNTAX))
            raw.fatal = True
    return raw
