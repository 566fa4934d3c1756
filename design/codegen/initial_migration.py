"""A brand-new app's first migration, emitted directly in dependency order (no autodetector).

Django's autodetector splits every link of a new model into its own AddField and then lets the
optimiser fold them back, which is quadratic: minutes for a few hundred models, and on SQLite
every AddField that survives remakes its table. For an app with no migration yet the answer is
known: one CreateModel per model in topological order (``is_a`` parents first, link targets
first), links inline, and only the links that close a cycle added by AddField after all tables
exist. The result describes the same state the autodetector would reach, so a later
``makemigrations`` finds no change.
"""

from __future__ import annotations

from typing import Any


def is_new_app(app_label: str, graph: Any) -> bool:
    """Whether ``app_label`` has no migration at all (on disk or applied)."""
    return not graph.leaf_nodes(app_label)


def _related_label(field: Any) -> str | None:
    """``app_label.model_name`` (lower case) a relation field points at, or None."""
    if not field.is_relation or field.remote_field is None:
        return None
    target = field.remote_field.model
    if isinstance(target, str):
        return target.lower()
    return target._meta.label_lower


def _external_dependency(field: Any, app_label: str, graph: Any) -> tuple[str, str] | None:
    """The migration dependency a link to another app needs (as makemigrations writes it)."""
    from django.conf import settings

    swappable = field.swappable_setting if field.is_relation else None
    if swappable:
        target = getattr(settings, swappable).lower()
        if target.split(".", 1)[0] != app_label:
            return ("__setting__", swappable)
        return None
    label = _related_label(field)
    if label is None or label.split(".", 1)[0] == app_label:
        return None
    other = label.split(".", 1)[0]
    leaves = graph.leaf_nodes(other)
    return leaves[0] if leaves else (other, "__first__")


class _Planner:
    """Depth-first topological order of the app's models; back edges are the deferred links."""

    def __init__(self, app_label: str, states: dict[str, Any]) -> None:
        self.app_label = app_label
        self.states = states  # model name (lower) -> ModelState, in models.py order
        self.done: list[str] = []
        self.done_set: set[str] = set()
        self.active: list[str] = []
        self.deferred: list[tuple[str, str]] = []  # (model, field) added after every table

    def _local(self, label: str | None) -> str | None:
        if label is None:
            return None
        app, _, model = label.partition(".")
        return model if app == self.app_label and model in self.states else None

    def bases(self, model: str) -> list[str]:
        out = []
        for base in self.states[model].bases:
            local = self._local(base.lower()) if isinstance(base, str) else None
            if local:
                out.append(local)
        return out

    def ancestry(self, model: str) -> list[str]:
        chain, todo = [], [model]
        while todo:
            current = todo.pop()
            chain.append(current)
            todo.extend(self.bases(current))
        return chain

    def visit(self, model: str) -> None:
        if model in self.done_set:
            return
        self.active.append(model)
        for base in self.bases(model):
            self.visit(base)
        for name, field in self.states[model].fields.items():
            target = self._local(_related_label(field))
            if target is None or target == model or target in self.done_set:
                continue
            if getattr(field.remote_field, "parent_link", False):
                continue  # the is_a pointer: its parent was visited above
            if any(a in self.active for a in self.ancestry(target)):
                self.deferred.append((model, name))  # this link closes a cycle
                continue
            self.visit(target)
        self.active.pop()
        self.done.append(model)
        self.done_set.add(model)


def initial_migration(app_label: str, apps: Any, graph: Any) -> Any:
    """The ``0001_initial`` Migration of ``app_label`` from the models ``apps`` holds now."""
    from django.db import migrations
    from django.db.migrations.state import ModelState

    models = [m for m in apps.get_app_config(app_label).get_models() if m._meta.managed]
    states = {m._meta.model_name: ModelState.from_model(m) for m in models}
    planner = _Planner(app_label, states)
    for model in states:
        planner.visit(model)
    deferred = set(planner.deferred)
    operations: list[Any] = []
    dependencies: set[tuple[str, str]] = set()
    for model in planner.done:
        state = states[model]
        for field in state.fields.values():
            dependency = _external_dependency(field, app_label, graph)
            if dependency:
                dependencies.add(dependency)
        operations.append(
            migrations.CreateModel(
                name=state.name,
                fields=[(n, f) for n, f in state.fields.items() if (model, n) not in deferred],
                options=state.options,
                bases=state.bases,
                managers=state.managers,
            )
        )
    operations += [
        migrations.AddField(model_name=model, name=name, field=states[model].fields[name])
        for model, name in planner.deferred
    ]
    migration = migrations.Migration("0001_initial", app_label)
    migration.initial = True
    migration.bulk = True  # written on applications.base.migrations.InitialMigration
    migration.dependencies = sorted(dependencies)
    migration.operations = operations
    return migration
