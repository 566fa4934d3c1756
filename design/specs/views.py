"""Semantic pass over views (column paths over a process or an entity) and the menu."""

from __future__ import annotations

from typing import Any

from design.specs.entities import Domain
from design.specs.errors import SpecErrorCode
from design.specs.loader import PathKey
from design.specs.model import ColumnSpec, MenuItemSpec, ViewSpec
from design.specs.names import Checker, Namespace, name_elements
from design.specs.programs import Programs
from design.specs.shape import did_you_mean

PROCESS_COLUMNS = ("pid", "state", "priority", "scheduled_time", "start_time", "end_time")
PROCESS_RELATIONS = {"service": ("label", "name"), "operator": ("label", "name")}
ENTITY_VIEWS = ("entity_search", "profile")


class PathChecker:
    """Checks dotted column paths; unknown segments are INVALID_PATH with did-you-mean."""

    def __init__(self, domain: Domain, programs: Programs):
        self.domain = domain
        served = {s.serves for s in programs.services.values() if s.serves}
        records = {s.record for s in programs.services.values() if s.record}
        self.served = served or set(domain.entities)
        self.records = records

    def _fail(
        self, checker: Checker, path: PathKey, value: str, segment: str, options: list[str]
    ) -> None:
        if segment.startswith("_"):
            message = f"invalid path {value!r}: underscore-prefixed names are never reachable"
        else:
            message = f"invalid path {value!r}: unknown name {segment!r}{did_you_mean(segment, sorted(set(options)))}"
        checker.error(path, message, SpecErrorCode.INVALID_PATH)

    def over_entities(
        self, checker: Checker, path: PathKey, value: str, entities: set[str], segments: list[str]
    ) -> bool:
        """Walk ``segments`` over the fields of ``entities`` (refs may go one entity further each step)."""
        for position, segment in enumerate(segments):
            options: list[str] = []
            fields: dict[str, Any] = {}
            for entity in sorted(entities):
                options.extend(self.domain.columns(entity))
                fields.update({f.name: f for f in self.domain.all_fields.get(entity, [])})
            if segment.startswith("_") or segment not in options:
                self._fail(checker, path, value, segment, options)
                return False
            last = position == len(segments) - 1
            if last:
                return True
            target = fields.get(segment)
            if target is None or target.type not in ("ref", "user", "process"):
                self._fail(checker, path, value, segments[position + 1], [])
                return False
            if target.to in self.domain.entities:
                entities = {target.to}
            else:  # a built-in entity: only its label and name are exposed
                rest = segments[position + 1 :]
                if len(rest) != 1 or rest[0] not in ("label", "name"):
                    self._fail(checker, path, value, rest[0], ["label", "name"])
                    return False
                return True
        return True

    def over_process(self, checker: Checker, path: PathKey, value: str) -> None:
        """A task-view path: process columns, service./operator. label|name, entity.<...>, record.<...>."""
        head, *rest = value.split(".")
        if head in PROCESS_COLUMNS and not rest:
            return
        if head in PROCESS_RELATIONS:
            if len(rest) == 1 and rest[0] in PROCESS_RELATIONS[head]:
                return
            self._fail(
                checker, path, value, rest[0] if rest else head, list(PROCESS_RELATIONS[head])
            )
            return
        if head in ("entity", "record") and rest:
            self.over_entities(
                checker, path, value, self.served if head == "entity" else self.records, rest
            )
            return
        options = [
            *PROCESS_COLUMNS,
            *(f"{k}.{v}" for k, vs in PROCESS_RELATIONS.items() for v in vs),
            "entity",
            "record",
        ]
        self._fail(checker, path, value, head, options)


def check_views(
    checker: Checker, data: dict[str, Any], domain: Domain, programs: Programs
) -> tuple[list[ViewSpec], Namespace]:
    """Name views and check every column path."""
    namespace = Namespace("view")
    paths = PathChecker(domain, programs)
    out: list[ViewSpec] = []
    for named in name_elements(checker, data.get("views", []), ("views",), namespace):
        if named is None:
            continue
        view = ViewSpec(name=named.name, label=named.label, for_=named.data["for"])
        entities = set(domain.entities)
        if "entity" in named.data:
            entity = domain.entities_ns.resolve(
                checker, named.data["entity"], (*named.path, "entity"), builtins=False
            )
            entities = {entity} if entity else set()
            view.entity = entity
        for index, column in enumerate(named.data.get("columns", [])):
            cpath = (*named.path, "columns", index, "value")
            value = column["value"]
            if view.for_ in ENTITY_VIEWS:
                if entities:
                    paths.over_entities(checker, cpath, value, entities, value.split("."))
            else:
                paths.over_process(checker, cpath, value)
            view.columns.append(
                ColumnSpec(label=column["label"], value=value, visible=column.get("visible", True))
            )
        out.append(view)
    return out, namespace


def check_menu(
    checker: Checker, items: list[dict[str, Any]], base: PathKey, domain: Domain, views: Namespace
) -> list[MenuItemSpec]:
    """Menu items: each links an entity, a view, or holds children."""
    out: list[MenuItemSpec] = []
    for index, item in enumerate(items):
        path = (*base, index)
        targets = [key for key in ("entity", "view", "children") if key in item]
        if len(targets) != 1:
            checker.error(
                path,
                "a menu item needs exactly one of `entity`, `view` and `children`",
                SpecErrorCode.INVALID_VALUE,
            )
        menu_item = MenuItemSpec(label=item["label"], name=item.get("name"))
        if "entity" in item:
            menu_item.entity = domain.entities_ns.resolve(
                checker, item["entity"], (*path, "entity"), builtins=False
            )
        if "view" in item:
            menu_item.view = views.resolve(checker, item["view"], (*path, "view"))
        if "children" in item:
            menu_item.children = check_menu(
                checker, item["children"], (*path, "children"), domain, views
            )
        out.append(menu_item)
    return out
