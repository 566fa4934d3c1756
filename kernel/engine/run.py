"""Run: the state of one engine entry (a service call, a task, a timer tick) inside one transaction."""

from __future__ import annotations

import contextvars
import datetime
import functools
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import NamedTuple

from django.db import connections, router
from django.db.models import (
    CharField,
    DateTimeField,
    IntegerField,
    JSONField,
    Q,
    Subquery,
    UUIDField,
)
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from psycopg import RawCursor

from kernel import live, observe
from kernel.engine.compiled import CompiledRevision, attach_compiled, compiled_revision
from kernel.engine.pids import pid_reserve
from kernel.engine.prepared import Prepared
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import State
from kernel.models import Process, in_tree
from kernel.records import CARRIED, earlier_record_ids

# Columns a transition may change; re-read under the row lock so no decision uses stale state.
MUTABLE_FIELDS = (
    "state",
    "seq",
    "operator_id",
    "priority",
    "assigned_role",
    "context",
    "context_version",
    "suspended_from",
    "retry_count",
    "scheduled_time",
    "start_time",
    "end_time",
    "record_type_id",
    "record_id",
)

_ENGINE_SAVING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "erpsys_engine_saving", default=False
)


@contextmanager
def engine_saving() -> Iterator[None]:
    """Mark record saves done by the engine itself, so the record post_save hook stays out."""
    token = _ENGINE_SAVING.set(True)
    try:
        yield
    finally:
        _ENGINE_SAVING.reset(token)


def is_engine_saving() -> bool:
    """True while the engine itself is saving a record."""
    return _ENGINE_SAVING.get()


# Columns a step never needs; left out of the engine's reads (Django loads them if touched).
_UNREAD_FIELDS = ("erpsys_id", "window_start", "window_end", "created_time", "updated_time")

_LIVE = tuple(state.value for state in State if state != State.TERMINATED)
_READ_FIELDS = tuple(
    f.attname for f in Process._meta.concrete_fields if f.name not in _UNREAD_FIELDS
)


# The live processes of the task's program tree, locked, in pid order (compiled once): one
# index condition (``kernel_proc_tree_state``), so the plan kept for the prepared statement is an
# index scan. The task and the root are live in the common case; when either is not, the lock
# falls back to ``_LOCK_TREE_ALL`` (the task, the root and the live tree).
_LOCK_TREE = Prepared(
    Process,
    lambda pid, root_id: (
        in_tree(Process.objects.select_for_update(), root_id)
        .filter(state__in=_LIVE)
        .defer(*_UNREAD_FIELDS)
        .order_by("pid")
    ),
    lambda pid, root_id: (root_id, *_LIVE),
)
_LOCK_TREE_ALL = Prepared(
    Process,
    lambda pid, root_id: (
        Process.objects.select_for_update()
        .filter(Q(pk=pid) | Q(pk=root_id) | Q(root_id=root_id, state__in=_LIVE))
        .defer(*_UNREAD_FIELDS)
        .order_by("pid")
    ),
    lambda pid, root_id: (pid, root_id, root_id, *_LIVE),
)


def _carrying(locking: Prepared) -> Prepared:
    """``locking`` that also answers whether an earlier step carries a record to the task
    (``kernel.records``), so that look-up costs no statement of its own."""
    return Prepared(
        Process,
        lambda pid, root_id, process, record_type_id: locking.build(pid, root_id).annotate(
            carried=Subquery(earlier_record_ids(process, record_type_id))
        ),
        lambda pid, root_id, process, record_type_id: (
            *_carrying_params(process, record_type_id),
            *locking.params(pid, root_id),
        ),
    )


_LOCK_TREE_CARRYING = _carrying(_LOCK_TREE)
_LOCK_TREE_ALL_CARRYING = _carrying(_LOCK_TREE_ALL)


def _holds(rows: list[Process], pid: int, root_id: int) -> bool:
    """True when the locked live tree includes the task and its root."""
    pks = {row.pk for row in rows}
    return pid in pks and root_id in pks


def _carrying_params(process: Process, record_type_id: int) -> tuple:
    """The values of ``earlier_record_ids``'s statement, in the order its SQL takes them (its
    filters sorted by name, as Django's ``Q`` keeps them)."""
    fanout_id, parent_id = process.fanout_id or 0, process.parent_id or 0
    return (
        process.root_id,
        process.pk,  # pk__lt
        record_type_id,
        0,  # served_id: COALESCE(entity_id, 0)
        process.entity_id,
        0,  # served_type: COALESCE(entity_type_id, 0)
        process.entity_type_id,
        fanout_id,
        process.pk,
        parent_id,  # the parent's fan-out (sub-select), 0 when it has none
        0,
        parent_id,
        parent_id,  # the same, again
        0,
        parent_id,
    )


class Run:
    """An identity map of the processes this transaction has locked, plus a runaway-rule guard.

    Precondition: used inside one ``transaction.atomic`` block; every process it hands out is
    locked (``select_for_update`` on PostgreSQL) or was inserted by this run.

    With ``defer_writes`` a state change only marks the process dirty, and ``flush`` writes every
    dirty process in one statement: claim + start + complete, or a wake and the completion that
    follows, become one UPDATE per process, and the processes one action changes one statement.
    The processes the run creates wait in memory too (``insert``, where the database hands out
    pids ahead: ``kernel.engine.pids``) and ``flush`` inserts them in one statement, with every
    change the run made to them since. Whoever creates a deferring run must flush it before the
    transaction ends (``batched_run``), and before reading processes from the table.
    ``trees`` names the program trees whose every live row this run holds (``lock_tree``), so
    questions like "has this program a live member?" are answered without a query.
    """

    MAX_STEPS = 5000

    def __init__(self, *, inline_async: bool = False, defer_writes: bool = False) -> None:
        self.processes: dict[int, Process] = {}
        self.steps = 0
        # True inside the Celery task that performs a queued instruction: run it, do not requeue.
        self.inline_async = inline_async
        self.defer_writes = defer_writes
        self.dirty: dict[int, set[str]] = {}
        # processes created by this run and not inserted yet (pid reserved), in creation order
        self.inserts: dict[int, Process] = {}
        self.trees: set[int] = set()

    def compiled(self, process: Process) -> CompiledRevision:
        """The compiled revision the process runs under."""
        return compiled_revision(process.revision_id)

    def attach(self, process: Process) -> Process:
        """Point the process's service/revision at the cached rows (no query)."""
        return attach_compiled(process)

    def adopt(self, process: Process) -> Process:
        """Register a process this run inserted (it is ours: nobody else can see it yet)."""
        self.processes[process.pk] = process
        return process

    def insert(self, process: Process) -> Process:
        """Insert a process this run created (now, or at ``flush`` when deferring) and adopt it.

        Precondition: ``process`` has no pid yet and is complete enough to be inserted as it is.
        """
        pid = pid_reserve() if self.defer_writes else None
        if pid is None:
            rows_insert([process])
        else:
            process.pk = pid
            self.inserts[pid] = process
        return self.adopt(process)

    def lock(self, process: Process) -> Process:
        """Lock ``process``'s row and refresh its mutable columns; return the run's instance."""
        known = self.processes.get(process.pk)
        if known is not None:
            return known
        rows = list(
            Process.objects.select_for_update()
            .filter(pk=process.pk)
            .values(*MUTABLE_FIELDS, "service_id", "revision_id")
        )
        if not rows:
            raise KernelError(KernelErrorCode.NOT_FOUND, f"process {process.pk} does not exist")
        row = rows[0]
        for name, value in row.items():
            setattr(process, name, value)
        self.attach(process)
        self.processes[process.pk] = process
        return process

    def lock_tree(self, process: Process, *, carry: int | None = None) -> Process:
        """Lock ``process`` and every live process of its program tree in one statement.

        Afterwards the run knows the whole live tree (``trees``): rules, returns and the
        program-completion check find the rows they need in the identity map. With ``carry``
        (the content type of the record the task fills: ``kernel.records.carry_type_id``) the
        same statement finds the record an earlier step carries to the task
        (``kernel.records.CARRIED`` on the returned process).
        """
        known = self.processes.get(process.pk)
        if known is not None:
            return known
        # The tree of the caller's instance (root_id never changes once inserted); an instance
        # that does not know its root only gets its own row and those it is the root of.
        root_id = process.root_id or process.pk
        alias = router.db_for_write(Process)
        if carry is None:
            live_tree, whole, extra = _LOCK_TREE, _LOCK_TREE_ALL, ()
        else:
            live_tree, whole, extra = _LOCK_TREE_CARRYING, _LOCK_TREE_ALL_CARRYING, (process, carry)
        rows = live_tree.run(alias, process.pk, root_id, *extra)
        if not _holds(rows, process.pk, root_id):
            rows = whole.run(alias, process.pk, root_id, *extra)
        if hasattr(process, CARRIED):
            delattr(process, CARRIED)
        found = None
        for row in rows:
            if row.pk in self.processes:
                continue
            if row.pk == process.pk:  # the caller's instance becomes the run's (as ``lock``)
                for field in _READ_FIELDS:
                    setattr(process, field, getattr(row, field))
                if carry is not None:
                    setattr(process, CARRIED, row.carried)
                row = found = process
            self.attach(row)
            self.processes[row.pk] = row
        if found is None:
            raise KernelError(KernelErrorCode.NOT_FOUND, f"process {process.pk} does not exist")
        if (found.root_id or found.pk) == root_id:
            self.trees.add(root_id)
        return found

    def knows_tree(self, process: Process) -> bool:
        """True when every live process of ``process``'s tree is in the identity map."""
        return (process.root_id or process.pk) in self.trees

    def live_members(self, program: Process) -> list[Process] | None:
        """The program's live member processes when the run knows its tree, else None."""
        if not self.knows_tree(program):
            return None
        return [
            p
            for p in self.processes.values()
            if p.program_id == program.pk and p.pk != program.pk and p.state != State.TERMINATED
        ]

    def save(self, process: Process, fields: set[str]) -> None:
        """Write ``fields`` of a process now, or mark them for ``flush`` when deferring."""
        if process.pk in self.inserts:
            return  # inserted whole, as it is at flush
        if self.defer_writes and process.pk in self.processes:
            self.dirty.setdefault(process.pk, set()).update(fields)
            return
        process.save(update_fields=sorted(fields))

    def flush(self) -> None:
        """Insert the new processes in one INSERT (``rows_insert``) and write every dirty
        process in one UPDATE (``rows_update``); on PostgreSQL both are one statement."""
        inserts, self.inserts = list(self.inserts.values()), {}
        if not self.dirty:
            if inserts:
                rows_insert(inserts)
            return
        dirty, self.dirty = self.dirty, {}
        now = timezone.now()
        processes = [self.processes[pk] for pk in dirty]
        for process in processes:
            process.updated_time = now
        names = set().union(*dirty.values()) | {"updated_time"}
        if inserts:
            rows_insert_and_update(inserts, processes, names)
        else:
            rows_update(processes, names)

    def get(self, pid: int | None) -> Process | None:
        """The locked process with this pid (from the map, else one locking query)."""
        if pid is None:
            return None
        known = self.processes.get(pid)
        if known is not None:
            return known
        rows = list(Process.objects.select_for_update().filter(pk=pid).defer(*_UNREAD_FIELDS))
        if not rows:
            raise KernelError(KernelErrorCode.NOT_FOUND, f"process {pid} does not exist")
        process = rows[0]
        self.attach(process)
        self.processes[pid] = process
        return process

    def step(self) -> None:
        """Count one rule execution; a program that loops without end fails instead of hanging."""
        self.steps += 1
        if self.steps > self.MAX_STEPS:
            raise KernelError(
                KernelErrorCode.RUNAWAY, "too many rule executions in one transaction"
            )


def writing_cursor(connection):
    """Django's cursor for the engine's own INSERT/UPDATE statements.

    On PostgreSQL with server-side binding it runs over a psycopg ``RawCursor`` that is handed
    the statement with native ``$1, $2, ...`` placeholders, numbered once per statement text:
    psycopg does not cache its own conversion of a statement with over 50 parameters (a process
    INSERT has 33 per row), and converting one cost more than sending it. Django's side (execute
    wrappers, query logging, ``%s`` in what they see) is unchanged.
    """
    if connection.vendor != "postgresql" or not connection.features.uses_server_side_binding:
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _NumberedCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


class _NumberedCursor(RawCursor):
    """A ``RawCursor`` that takes ``%s`` placeholders (only those: no ``%`` otherwise)."""

    def execute(self, query, params=None, **options):
        return super().execute(_numbered(query), params, **options)


@functools.lru_cache(maxsize=512)
def _numbered(query: str) -> str:
    parts = query.split("%s")
    if "%" in "".join(parts):
        raise ValueError("an engine statement may hold no % but its %s placeholders")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


def rows_insert(processes: list[Process]) -> None:
    """INSERT new processes: one statement for those whose pids were reserved (``Run.insert``),
    else one each, the database giving the pid. The statement is built once per shape.

    Built directly, like ``rows_update``: ``save``/``bulk_create`` compile the INSERT of all 33
    columns again for every row, which costs more than the statement. No ``post_save`` is sent:
    the live task lists and the kernel events are told here (``kernel.live``, ``kernel.observe``).
    """
    alias = router.db_for_write(Process)
    connection = connections[alias]
    reserved = [p for p in processes if p.pk is not None]
    with writing_cursor(connection) as cursor:
        if reserved:
            cursor.execute(
                _insert_sql(connection, len(reserved), True),
                _insert_params(reserved, connection, True),
            )
        for process in processes:
            if process.pk is None:
                cursor.execute(
                    _insert_sql(connection, 1, False), _insert_params([process], connection, False)
                )
                process.pk = _inserted_pk(connection, cursor)
    _inserted(processes, alias)


def rows_insert_and_update(inserts: list[Process], updates: list[Process], names: set[str]) -> None:
    """``rows_insert(inserts)`` and ``rows_update(updates, names)`` in one statement where the
    database can (PostgreSQL: the INSERT as a data-modifying ``WITH``, whose rows no UPDATE
    touches), saving a round trip per operator action; else the two statements."""
    alias = router.db_for_write(Process)
    connection = connections[alias]
    if connection.vendor != "postgresql" or any(p.pk is None for p in inserts):
        rows_insert(inserts)
        rows_update(updates, names)
        return
    parts, update_sql, update_params = _update_statement(updates, names, connection)
    with writing_cursor(connection) as cursor:
        cursor.execute(
            _with([_insert_sql(connection, len(inserts), True), *parts], update_sql),
            _insert_params(inserts, connection, True) + update_params,
        )
    _inserted(inserts, alias)
    live.note_many(updates, alias)


def _inserted(processes: list[Process], alias: str) -> None:
    for process in processes:
        process._state.adding = False
        process._state.db = alias
    live.note_many(processes, alias)
    observe.created(processes, alias)


_INSERT_SQL: dict[tuple[str, int, bool], str] = {}


# The columns of an INSERT with a reserved pid, and without (the database gives it).
_INSERT_FIELDS = {
    True: tuple(Process._meta.concrete_fields),
    False: tuple(f for f in Process._meta.concrete_fields if not f.primary_key),
}


def _insert_sql(connection, rows: int, with_pk: bool) -> str:
    key = (connection.alias, rows, with_pk)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        fields = _INSERT_FIELDS[with_pk]
        row = f"({', '.join(['%s'] * len(fields))})"
        sql = (
            f"INSERT INTO {quote(Process._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row] * rows)}"
        )
        if not with_pk and connection.vendor == "postgresql":
            sql += f" RETURNING {quote(Process._meta.pk.column)}"
        _INSERT_SQL[key] = sql
    return sql


def _insert_params(processes: list[Process], connection, with_pk: bool) -> list:
    params: list = []
    for process in processes:
        _prepared(params, process, _insert_prep(with_pk, connection.vendor), connection)
    return params


def _prepared(params: list, process: Process, prep: _Prep, connection) -> None:
    """Append the database values of ``process``'s columns in ``prep`` to ``params``: what
    ``get_db_prep_save`` gives, without calling it where it would hand the value back as it is."""
    for field in prep.stamped:
        field.pre_save(process, True)  # sets the attribute (auto_now, auto_now_add)
    for (field, plain), value in zip(prep.columns, prep.values(process), strict=True):
        if value is None and not isinstance(field, JSONField):
            params.append(None)  # what every other field's get_db_prep_save gives for None
        elif (
            plain is not None
            and type(value) is plain
            and (plain is not datetime.datetime or value.tzinfo is not None)
        ):
            params.append(value)  # e.g. an int for an integer column, a str for a text one
        else:
            params.append(field.get_db_prep_save(value, connection=connection))


def _plain_type(field, vendor: str) -> type | None:
    """The Python type whose values ``field.get_db_prep_save`` passes through unchanged on a
    database of ``vendor`` (a datetime only when it is aware)."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, IntegerField | AutoFieldMixin):
        return int
    if type(target) is CharField:
        return str
    if vendor == "postgresql":  # psycopg adapts these itself; Django hands them over as they are
        if type(target) is UUIDField:
            return uuid.UUID
        if type(target) is DateTimeField:
            return datetime.datetime
    return None


class _Prep(NamedTuple):
    """How to read the database values of some columns of a process (``_prepared``)."""

    columns: tuple  # (field, the type its get_db_prep_save passes through as it is)
    values: Callable[[Process], tuple]  # the columns' attribute values, in order
    stamped: tuple  # fields whose pre_save stamps the value first (auto_now, auto_now_add)


def _prep(fields: Sequence, vendor: str, *, stamping: bool) -> _Prep:
    return _Prep(
        tuple((field, _plain_type(field, vendor)) for field in fields),
        attrgetter(*(field.attname for field in fields)) if len(fields) > 1 else _one(fields),
        tuple(
            field
            for field in fields
            if stamping
            and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        ),
    )


def _one(fields: Sequence) -> Callable[[Process], tuple]:
    attname = fields[0].attname
    return lambda process: (getattr(process, attname),)


@functools.cache
def _insert_prep(with_pk: bool, vendor: str) -> _Prep:
    return _prep(_INSERT_FIELDS[with_pk], vendor, stamping=True)


def _inserted_pk(connection, cursor) -> int:
    if connection.vendor == "postgresql":
        return cursor.fetchone()[0]
    return connection.ops.last_insert_id(cursor, Process._meta.db_table, Process._meta.pk.column)


def rows_update(processes: list[Process], names: set[str]) -> None:
    """One statement writing ``names`` of every process (``_update_statement``).

    Built directly: ``bulk_update`` compiles a ``Case``/``When`` tree per value, which costs more
    than the statement itself for the few rows one operator action changes.
    """
    connection = connections[router.db_for_write(Process)]
    parts, sql, params = _update_statement(processes, names, connection)
    with writing_cursor(connection) as cursor:
        cursor.execute(_with(parts, sql), params)
    live.note_many(processes, connection.alias)


def _update_statement(
    processes: list[Process], names: set[str], connection
) -> tuple[list[str], str, list]:
    """The UPDATE of ``names`` for every process: (data-modifying ``WITH`` parts, the statement
    they precede, the parameters of both in order).

    PostgreSQL: one ``UPDATE ... WHERE pid = %s`` per process, all but the last as ``WITH`` parts
    of the last. Each is a primary-key look-up in any plan; a ``pid IN (...)`` of several pids is
    planned as a sequential scan while the table is small, and a prepared statement keeps the
    plan it got then. Elsewhere one UPDATE, with ``CASE pid WHEN ...`` for the values that differ
    (cast where the backend needs it, as Django's ``bulk_update`` does).
    """
    quote = connection.ops.quote_name
    meta = Process._meta
    table, pk_column = quote(meta.db_table), quote(meta.pk.column)
    params: list = []
    if connection.vendor == "postgresql":
        one, prep = _update_one(connection, frozenset(names))
        for process in processes:
            _prepared(params, process, prep, connection)
            params.append(process.pk)
        return [one] * (len(processes) - 1), one, params
    fields = sorted((meta.get_field(name) for name in names), key=lambda f: f.column)
    cast = connection.features.requires_casted_case_in_updates
    assignments: list[str] = []
    for field in fields:
        values = [
            field.get_db_prep_save(getattr(p, field.attname), connection=connection)
            for p in processes
        ]
        if all(value == values[0] for value in values[1:]):
            assignments.append(f"{quote(field.column)} = %s")
            params.append(values[0])
            continue
        whens = " ".join(["WHEN %s THEN %s"] * len(processes))
        case = f"CASE {pk_column} {whens} END"
        if cast:
            case = f"CAST({case} AS {field.cast_db_type(connection)})"
        assignments.append(f"{quote(field.column)} = {case}")
        for process, value in zip(processes, values, strict=True):
            params += [process.pk, value]
    where = ", ".join(["%s"] * len(processes))
    params += [process.pk for process in processes]
    return (
        [],
        f"UPDATE {table} SET {', '.join(assignments)} WHERE {pk_column} IN ({where})",
        params,
    )


# (alias, names) -> the one-process UPDATE of those columns and how to prepare its values
_UPDATE_ONE: dict[tuple[str, frozenset], tuple[str, _Prep]] = {}


def _update_one(connection, names: frozenset) -> tuple[str, _Prep]:
    """``UPDATE ... SET <names> WHERE pid = %s`` (columns in name order), built once."""
    key = (connection.alias, names)
    built = _UPDATE_ONE.get(key)
    if built is None:
        quote = connection.ops.quote_name
        meta = Process._meta
        fields = sorted((meta.get_field(name) for name in names), key=lambda f: f.column)
        sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        built = _UPDATE_ONE[key] = (
            f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s",
            _prep(fields, connection.vendor, stamping=False),
        )
    return built


def _with(parts: list[str], statement: str) -> str:
    """``statement`` preceded by ``parts`` as data-modifying ``WITH`` queries (PostgreSQL)."""
    if not parts:
        return statement
    return f"WITH {', '.join(f'w{i} AS ({part})' for i, part in enumerate(parts))} {statement}"


@contextmanager
def batched_run(**options) -> Iterator[Run]:
    """A run that defers process writes and flushes them when the block ends without error."""
    run = Run(defer_writes=True, **options)
    yield run
    run.flush()
