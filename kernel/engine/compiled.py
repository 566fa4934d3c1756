"""The in-process cache of a revision's services, rules and events (revisions are immutable)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from kernel.models import EventDef, Process, Revision, RuleDef, ServiceDef


@dataclass(frozen=True)
class CompiledRevision:
    """Everything the engine reads from one revision, indexed for O(1) lookups."""

    revision: Revision
    services: dict[str, ServiceDef]
    services_by_id: dict[int, ServiceDef]
    rules_by_id: dict[int, RuleDef]
    # (program name, service name, event) -> rules in order
    rules: dict[tuple[str, str, str], list[RuleDef]]
    events: dict[str, EventDef]
    # events with an expression that some rule of this program/service listens to
    watched: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    expressions: dict[str, Any] = field(default_factory=dict)
    # (service, event) pairs some program has a rule for; services with watched expression events
    listened: frozenset[tuple[str, str]] = frozenset()
    watched_services: frozenset[str] = frozenset()
    # programs with a rule that may leave work for later (an asynchronous instruction, a decision)
    deferring: frozenset[str] = frozenset()

    def rules_for(self, program: str, service: str, event: str) -> list[RuleDef]:
        """The rules of ``program`` about ``service``'s ``event``, in evaluation order."""
        return self.rules.get((program, service, event), [])

    def may_defer(self, program: str) -> bool:
        """True when a rule of ``program`` may be queued or wait for a decision."""
        return program in self.deferring

    def expression_events(self, program: str, service: str) -> list[str]:
        """Spec-defined expression events a rule of ``program`` listens to for ``service``."""
        return self.watched.get((program, service), [])


# Process.service / Process.revision: the descriptors' caches, set without their checks.
_SERVICE_FIELD = Process._meta.get_field("service")
_REVISION_FIELD = Process._meta.get_field("revision")


def attach_compiled(process: Process) -> Process:
    """Point the process's ``service`` and ``revision`` at the compiled revision's rows (no query).

    Sets the relations' cached values directly: the ids are the process's own, so the checks
    the descriptors make on assignment (model type, database router) have nothing to find, and
    on a hot path they cost more than the rest of the attachment.
    """
    if process.revision_id is not None:
        compiled = compiled_revision(process.revision_id)
        if process.service_id is not None:
            _SERVICE_FIELD.set_cached_value(process, compiled.services_by_id[process.service_id])
        _REVISION_FIELD.set_cached_value(process, compiled.revision)
    return process


_CACHE: dict[int, CompiledRevision] = {}
_LOCK = threading.Lock()


def compiled_revision(revision_id: int) -> CompiledRevision:
    """Load (once per process) and index a revision; safe because a revision never changes."""
    hit = _CACHE.get(revision_id)
    if hit is not None:
        return hit
    revision = Revision.objects.select_related("tenant").get(pk=revision_id)
    services = {s.name: s for s in ServiceDef.objects.filter(revision=revision)}
    for service in services.values():
        service.revision = revision
    rule_rows = list(RuleDef.objects.filter(revision=revision).order_by("program", "order", "pk"))
    events = {e.name: e for e in EventDef.objects.filter(revision=revision)}
    rules: dict[tuple[str, str, str], list[RuleDef]] = {}
    watched: dict[tuple[str, str], list[str]] = {}
    for rule in rule_rows:
        rule.revision = revision
        rules.setdefault((rule.program, rule.service, rule.event), []).append(rule)
        event = events.get(rule.event)
        if event is not None and event.expression:
            names = watched.setdefault((rule.program, rule.service), [])
            if rule.event not in names:
                names.append(rule.event)
    expressions = {}
    if any(e.expression for e in events.values()):
        from kernel.rules import compile_expression

        expressions = {
            n: compile_expression(e.expression) for n, e in events.items() if e.expression
        }
    from kernel.syscalls import SYSCALLS

    deferring = frozenset(
        rule.program
        for rule in rule_rows
        if rule.mode == "decision" or getattr(SYSCALLS.get(rule.instruction), "asynchronous", False)
    )
    compiled = CompiledRevision(
        revision=revision,
        services=services,
        services_by_id={s.pk: s for s in services.values()},
        rules_by_id={r.pk: r for r in rule_rows},
        rules=rules,
        events=events,
        watched=watched,
        expressions=expressions,
        listened=frozenset((service, event) for (_program, service, event) in rules),
        watched_services=frozenset(service for (_program, service) in watched),
        deferring=deferring,
    )
    with _LOCK:
        _CACHE[revision_id] = compiled
    return compiled


# tenant id -> (newest revision id, monotonic time it was read)
_NEWEST: dict[int, tuple[int, float]] = {}
# How long another process's publish may go unseen here (this process's publish is seen at once).
NEWEST_REVISION_SECONDS = 2.0


def newest_revision(tenant_id: int) -> CompiledRevision | None:
    """The tenant's newest revision, compiled; None when it was never published.

    The revision id is cached per process: a publish in this process forgets it at once (the
    ``post_save`` of ``Revision``), one in another process is seen within
    ``NEWEST_REVISION_SECONDS``. Starting a program a moment after another process published
    runs it under the previous revision, which is complete and consistent.
    """
    hit = _NEWEST.get(tenant_id)
    now = time.monotonic()
    if hit is None or now - hit[1] > NEWEST_REVISION_SECONDS:
        ids = list(
            Revision.objects.filter(tenant_id=tenant_id)
            .order_by("-number")
            .values_list("pk", flat=True)[:1]
        )
        if not ids:
            return None
        hit = (ids[0], now)
        _NEWEST[tenant_id] = hit
    return compiled_revision(hit[0])


def cache_forget(revision_id: int) -> None:
    """Drop one revision (its id may be reused after a rolled-back test transaction)."""
    with _LOCK:
        _CACHE.pop(revision_id, None)
        _NEWEST.clear()
    _derived_forget()


def cache_clear() -> None:
    """Forget every compiled revision and reserved pid (tests that recreate databases call this)."""
    from kernel.engine.pids import pids_forget

    with _LOCK:
        _CACHE.clear()
        _NEWEST.clear()
    _derived_forget()
    pids_forget()


def _derived_forget() -> None:
    """What other modules remember from compiled revisions (the live groups of a row state)."""
    from kernel.live import groups_of

    groups_of.cache_clear()


@receiver(post_save, sender=Revision, dispatch_uid="kernel.newest_revision")
def _revision_saved(sender, instance: Revision, **kwargs) -> None:
    _NEWEST.pop(instance.tenant_id, None)
