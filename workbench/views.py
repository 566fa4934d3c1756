"""Workbench pages: thin views over kernel.services (writes) and workbench.pages (reads).

Every page is behind the tenant gate: anonymous visitors go to ``/<tenant>/login/``, a signed-in
user who is not an active operator of the tenant gets 403, and every lookup is scoped to the
tenant (another tenant's pid or entity is 404).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.i18n import set_language

from applications.tenancy import entity_model, entity_name_of, operator_of
from kernel import selectors, services
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import State
from kernel.models import Operator, Process, ServiceDef
from kernel.records import task_record
from kernel.resources import stock_adjust
from workbench import pages
from workbench import resources as wb_resources
from workbench.diagram import program_diagram
from workbench.forms import StockAdjustForm, entity_form, entity_label, task_form

LIVE_STATES = pages.LIVE


def error_text(exc: KernelError, process: Process | None = None) -> str:
    """Why a kernel call was refused, as a person reads it."""
    code = str(exc.code)
    if code == KernelErrorCode.NOT_PERMITTED and process is not None and process.service_id:
        roles = process.service.roles + ([process.assigned_role] if process.assigned_role else [])
        names = ", ".join(role_labels(process.tenant_id, roles)) or "-"
        if process.operator_id is not None and process.state == State.RUNNING:
            return _("Another operator is working on this task.")
        return _("You may not do “%(task)s”: it needs the role %(roles)s.") % {
            "task": process.service.label,
            "roles": names,
        }
    texts = {
        KernelErrorCode.NOT_PERMITTED: _("You may not do this."),
        KernelErrorCode.ILLEGAL_TRANSITION: _("This is not possible in the task's present state."),
        KernelErrorCode.RESOURCE_SHORT: _("A required resource is not available: the task waits."),
        KernelErrorCode.DECISION_CLOSED: _("This decision has already been taken."),
        KernelErrorCode.NOT_A_CANDIDATE: _("That is not one of the choices."),
        KernelErrorCode.NOT_STARTABLE: _("This program cannot be started by hand."),
        KernelErrorCode.UNKNOWN_ENTITY: _("No such record."),
        KernelErrorCode.UNKNOWN_OPERATOR: _("No such operator."),
        KernelErrorCode.INVALID_RECORD: _("Please correct the errors below."),
        KernelErrorCode.TENANT_MISMATCH: _("This belongs to another tenant."),
        KernelErrorCode.INCIDENT_CLOSED: _("This incident has already been resolved."),
    }
    return texts.get(code, exc.message)


def role_labels(tenant_id: int, names: list[str]) -> list[str]:
    from kernel.models import Role

    labels = dict(
        Role.objects.filter(tenant_id=tenant_id, name__in=names).values_list("name", "label")
    )
    return [labels.get(name, name) for name in names]


class TenantPage(View):
    """The tenant gate and the request's operator."""

    tenant: ClassVar[str] = ""
    operator: Operator

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse(f"{self.tenant}:login"))
        operator = operator_of(request.user, self.tenant)
        if operator is None:
            raise PermissionDenied
        self.operator = operator
        return super().dispatch(request, *args, **kwargs)

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        base = {
            "tenant": self.tenant,
            "tenant_label": self.operator.tenant.label or self.tenant,
            "operator": self.operator,
            "menu": pages.menu(tenant=self.tenant, user=self.request.user),
            "creatable": pages.creatable(tenant=self.tenant, user=self.request.user),
            "state_labels": pages.STATE_LABELS,
            "state_colors": pages.STATE_COLORS,
        }
        return render(self.request, template, {**base, **context}, status=status)

    def process_or_404(self, pid: int) -> Process:
        process = (
            Process.objects.select_related(
                "service", "operator", "creator", "entity_type", "record_type", "tenant"
            )
            .filter(tenant_id=self.operator.tenant_id, pk=pid)
            .first()
        )
        if process is None:
            raise Http404(_("No such task."))
        return process

    def back(self, default: str) -> HttpResponseRedirect:
        """Back to the ``next`` the form names (same host only), else ``default``."""
        target = self.request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {self.request.get_host()}):
            target = default
        return HttpResponseRedirect(target or default)


class LanguageView(TenantPage):
    """Django's set_language behind the tenant gate (POST language, next)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        return set_language(request)


class BoardView(TenantPage):
    """The task board: Public, Mine and Team (the HTMX partial re-renders the tabs on change)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        tab = request.GET.get("tab", "public")
        tabs = pages.board_tabs(tenant=self.tenant, operator=self.operator)
        if tab not in {t.name for t in tabs} | {"decisions", "incidents"}:
            tab = "public"
        supervisor = bool(services.operator_supervises(self.operator))
        context = {
            "tabs": tabs,
            "active": tab,
            # failed rules a supervisor may retry or skip (kernel.Incident)
            "incidents": selectors.incident_list(operator=self.operator) if supervisor else [],
            "decisions": selectors.decision_list(operator=self.operator),
            "team_counts": pages.team_counts(operator=self.operator),
            "programs": pages.startable(operator=self.operator),
        }
        if request.htmx and request.GET.get("partial") == "lists":
            return self.render("workbench/_board_lists.html", context)
        return self.render("workbench/board.html", context)


class SearchView(TenantPage):
    """Entities and tasks by label, name or pinyin initials; for a program, entities to start it on."""

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("q", "")[:100]
        program = request.GET.get("program", "")
        if program:
            service = next(
                (s for s in pages.startable(operator=self.operator) if s.name == program), None
            )
            name, rows = (
                pages.entity_choices(tenant=self.tenant, service=service, text=text)
                if service
                else ("", [])
            )
            paths = pages.search_columns(self.operator.tenant_id)
            return self.render(
                "workbench/_start_choices.html",
                {"service": service, "entity_name": name, "rows": pages.titles(rows, paths)},
            )
        found = pages.search(
            tenant=self.tenant, operator=self.operator, user=request.user, text=text
        )
        template = "workbench/_search_results.html" if request.htmx else "workbench/search.html"
        return self.render(template, {"q": text, **found})


class StartView(TenantPage):
    """Start a ``manual_start`` program on an entity (POST program, entity, id)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        program = request.POST.get("program", "")
        board = reverse(f"{self.tenant}:board")
        model = entity_model(self.tenant, request.POST.get("entity", ""))
        row = None
        if model is not None:
            row = model._default_manager.filter(pk=request.POST.get("id") or None).first()
        if model is None or row is None:
            messages.error(request, _("No such record."))
            return self.back(board)
        try:
            services.check_startable(tenant=self.operator.tenant, program=program)
            process = services.process_start(
                tenant=self.operator.tenant, program=program, entity=row, operator=self.operator
            )
        except KernelError as exc:
            messages.error(request, error_text(exc))
            return self.back(board)
        messages.success(
            request,
            _("Started “%(program)s” for %(entity)s.")
            % {"program": process.service.label, "entity": row},
        )
        return self.back(pages.entity_url(self.tenant, row) or board)


class TaskActionView(TenantPage):
    """POST claim / complete (no record) / suspend / resume / cancel / shift / decide on a task."""

    ACTIONS = ("claim", "complete", "suspend", "resume", "cancel", "shift", "decide")

    def post(self, request: HttpRequest, pid: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404(_("No such action."))
        process = self.process_or_404(pid)
        operator = self.operator
        default = reverse(f"{self.tenant}:board")
        try:
            if action == "claim":
                services.task_claim(process=process, operator=operator)
                default = reverse(f"{self.tenant}:task", kwargs={"pid": pid})
                done = _("Claimed “%(task)s”.")
            elif action == "complete":
                services.task_complete(process=process, operator=operator)
                done = _("Completed “%(task)s”.")
            elif action == "suspend":
                services.task_suspend(process=process, operator=operator)
                done = _("Suspended “%(task)s”.")
            elif action == "resume":
                services.task_resume(process=process, operator=operator)
                done = _("Resumed “%(task)s”.")
            elif action == "cancel":
                services.task_cancel(process=process, operator=operator)
                done = _("Cancelled “%(task)s”.")
            elif action == "shift":
                to = Operator.objects.filter(
                    tenant_id=operator.tenant_id,
                    name=request.POST.get("operator", ""),
                    is_active=True,
                ).first()
                if to is None:
                    raise KernelError(KernelErrorCode.UNKNOWN_OPERATOR, "no such operator")
                try:
                    if not services.supervises(process=process, operator=to):
                        services.check_permitted(process=process, operator=to)
                except KernelError:
                    messages.error(
                        request,
                        _("%(operator)s holds none of the roles of “%(task)s”.")
                        % {"operator": to.label or to.name, "task": process.service.label},
                    )
                    return self.back(default)
                services.task_shift(process=process, operator=operator, to_operator=to)
                done = _("Handed “%(task)s” to %(operator)s.")
            else:
                rule = request.POST.get("rule", "")
                if not rule.isdigit():
                    raise KernelError(KernelErrorCode.NOT_A_CANDIDATE, "no choice given")
                services.decision_answer_for(process=process, rule_id=int(rule), operator=operator)
                done = _("Decided on “%(task)s”.")
        except KernelError as exc:
            messages.error(request, error_text(exc, process))
            return self.back(default)
        who = request.POST.get("operator", "")
        names = dict(
            Operator.objects.filter(tenant_id=operator.tenant_id, name=who).values_list(
                "name", "label"
            )
        )
        task = process.service.label if process.service_id else pid
        messages.success(request, done % {"task": task, "operator": names.get(who) or who})
        return self.back(default)


class TaskView(TenantPage):
    """A task's form: Save keeps working, Complete finishes; decisions show their choices."""

    def context(self, process: Process, form=None) -> dict[str, Any]:
        operator = self.operator
        allowed, reason = True, ""
        try:
            services.check_permitted(process=process, operator=operator)
        except KernelError as exc:
            allowed, reason = False, error_text(exc, process)
        if allowed and process.operator_id not in (None, operator.pk):
            allowed = False
            reason = _("This task is in the hands of %(operator)s.") % {
                "operator": process.operator.label or process.operator.name
            }
        live = process.state in LIVE_STATES and process.state != State.SUSPENDED
        record = task_record(process)
        entity = process.entity if process.entity_type_id else None
        if form is None:
            form = task_form(
                process.service, record=record, entity=entity, disabled=not (allowed and live)
            )
        decision = selectors.decision_open(process=process)
        decidable = decision is not None and (
            not decision.decided_by or set(decision.decided_by) & services.operator_roles(operator)
        )
        _columns, rows = pages.task_table(
            [process],
            tenant=self.tenant,
            tenant_id=operator.tenant_id,
            scope="mine",
            operator=operator,
        )
        entity = process.entity if process.entity_type_id else None
        carried = record is not None and record.pk != process.record_id
        return {
            "process": process,
            "row": rows[0],
            "record": record,
            "record_kind": record._meta.verbose_name if record is not None else "",
            # a record an earlier step produced: the form continues it
            "carried_from": getattr(record, "pid_id", None) if carried else None,
            "task_form": form,
            "allowed": allowed,
            "reason": reason,
            "editable": allowed and live,
            "entity": entity,
            "entity_url": pages.entity_url(self.tenant, entity) if entity is not None else None,
            "decision": decision,
            "choices": selectors.decision_choices(decision=decision) if decidable else [],
            "record_fields": pages.record_fields(record) if form is None else [],
        }

    def get(self, request: HttpRequest, pid: int) -> HttpResponse:
        process = self.process_or_404(pid)
        return self.render("workbench/task.html", self.context(process))

    def post(self, request: HttpRequest, pid: int) -> HttpResponse:
        process = self.process_or_404(pid)
        action = request.POST.get("action", "save")
        record = task_record(process)
        entity = process.entity if process.entity_type_id else None
        form = task_form(
            process.service, record=record, entity=entity, data=request.POST, files=request.FILES
        )
        call = services.task_complete if action == "complete" else services.task_save
        if form is not None and not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.render("workbench/task.html", self.context(process, form), status=400)
        try:
            with transaction.atomic():
                call(
                    process=process,
                    operator=self.operator,
                    data=form.data() if form is not None else None,
                    related=form.save_related if form is not None else None,
                )
        except KernelError as exc:
            if form is not None and exc.details.get("errors"):
                form.add_errors(exc.details["errors"])
            messages.error(request, error_text(exc, process))
            return self.render("workbench/task.html", self.context(process, form), status=400)
        label = process.service.label if process.service_id else pid
        if action == "complete":
            messages.success(request, _("Completed “%(task)s”.") % {"task": label})
            return HttpResponseRedirect(reverse(f"{self.tenant}:board") + "?tab=mine")
        messages.success(request, _("Saved “%(task)s”.") % {"task": label})
        return HttpResponseRedirect(reverse(f"{self.tenant}:task", kwargs={"pid": pid}))


class ProcessView(TenantPage):
    """A process: state, who, when, record, context, children and its program's diagram."""

    def get(self, request: HttpRequest, pid: int) -> HttpResponse:
        process = self.process_or_404(pid)
        record = task_record(process)
        entity = process.entity if process.entity_type_id else None
        children = list(
            Process.objects.filter(tenant_id=process.tenant_id, parent_id=process.pk)
            .select_related("service", "operator")
            .order_by("pid")
        )
        return self.render(
            "workbench/process.html",
            {
                "process": process,
                "record": record,
                "record_fields": pages.record_fields(record),
                "entity": entity,
                "entity_url": pages.entity_url(self.tenant, entity) if entity is not None else None,
                "children": children,
                "diagram": program_diagram(process),
                "resources": wb_resources.process_resources(process),
                "may_view_resources": wb_resources.may_view(self.operator),
            },
        )


class EntityView(TenantPage):
    """An entity's page: profile, tasks by state, history, programs to start."""

    def row_or_404(self, entity: str, erpsys_id: Any) -> models.Model:
        model = entity_model(self.tenant, entity)
        if model is None or not any(f.name == "erpsys_id" for f in model._meta.concrete_fields):
            raise Http404(_("No such record."))
        meta = model._meta
        if not self.request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            raise PermissionDenied
        row = model._default_manager.filter(erpsys_id=erpsys_id).first()
        if row is None:
            raise Http404(_("No such record."))
        return row

    def get(self, request: HttpRequest, entity: str, erpsys_id: Any) -> HttpResponse:
        row = self.row_or_404(entity, erpsys_id)
        columns, groups = pages.entity_tasks(tenant=self.tenant, operator=self.operator, row=row)
        meta = row._meta
        change_url = None
        if request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
            change_url = reverse(
                f"{self.tenant}:{meta.app_label}_{meta.model_name}_change", args=[row.pk]
            )
        programs: list[ServiceDef] = pages.startable(operator=self.operator, row=row)
        return self.render(
            "workbench/entity.html",
            {
                "row": row,
                "entity_name": entity,
                "kind": meta.verbose_name,
                "profile": pages.profile(tenant_id=self.operator.tenant_id, row=row),
                "columns": columns,
                "groups": groups,
                "history": pages.entity_history(
                    tenant=self.tenant, row=row, processes=pages.all_processes(groups)
                ),
                "programs": programs,
                "change_url": change_url,
            },
        )


class ResourcePage(TenantPage):
    """Resource pages: operators with a role of the tenant (``workbench.resources.may_view``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # the gate redirects to login
        operator = operator_of(request.user, self.tenant)
        if operator is None or not wb_resources.may_view(operator):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ResourceListView(ResourcePage):
    """Every resource: capacity or stock, what is free, who holds it, who waits for it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(
            "workbench/resources.html",
            {"rows": wb_resources.resource_rows(operator=self.operator)},
        )


class ResourceView(ResourcePage):
    """One resource with its ledger (paginated, newest first); keepers adjust the stock here."""

    def context(self, pk: int, form: StockAdjustForm | None = None) -> dict[str, Any]:
        row = wb_resources.resource_detail(operator=self.operator, pk=pk)
        if row is None:
            raise Http404(_("No such resource."))
        page = Paginator(wb_resources.ledger_entries(row.resource), wb_resources.LEDGER_PAGE)
        return {
            "row": row,
            "page": page.get_page(self.request.GET.get("page")),
            "form": form if form is not None else StockAdjustForm(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render("workbench/resource.html", self.context(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        context = self.context(pk, StockAdjustForm(request.POST))
        row, form = context["row"], context["form"]
        if not row.can_adjust:
            raise PermissionDenied
        if not form.is_valid():
            return self.render("workbench/resource.html", context, status=400)
        data = form.cleaned_data
        amount = {"counted" if data["reason"] == "count" else "quantity": data["quantity"]}
        try:
            stock_adjust(
                resource=row.resource,
                operator=self.operator,
                reason=data["reason"],
                note=data["note"],
                **amount,
            )
        except KernelError as exc:
            form.add_error(None, resource_error_text(exc))
            return self.render("workbench/resource.html", self.context(pk, form), status=400)
        messages.success(request, _("The stock was adjusted."))
        return HttpResponseRedirect(reverse(f"{self.tenant}:resource", args=[pk]))


def resource_error_text(exc: KernelError) -> str:
    """Why a stock adjustment was refused, as a person reads it."""
    texts = {
        KernelErrorCode.RESOURCE_SHORT: _(
            "Not possible: running tasks hold part of this stock. Write off at most what is free, "
            "and count at least what is held."
        ),
        KernelErrorCode.NOT_PERMITTED: _("You may not adjust this stock."),
        KernelErrorCode.INVALID_PARAMS: _("Please enter a valid quantity."),
    }
    return str(texts.get(str(exc.code), exc.message))


class EntityNewView(TenantPage):
    """A new row of an entity (e.g. a customer) from its default form; needs the ``add`` right
    (the spec's role key ``entities``), then on to the new row's entity page."""

    def model_or_403(self, entity: str) -> type[models.Model]:
        model = next(
            (m for m, _ in pages.creatable_models(self.tenant) if entity_name_of(m) == entity),
            None,
        )
        if model is None:
            raise Http404(_("No such record."))
        meta = model._meta
        if not self.request.user.has_perm(f"{meta.app_label}.add_{meta.model_name}"):
            raise PermissionDenied
        return model

    def page(self, model: type[models.Model], form, status: int = 200) -> HttpResponse:
        return self.render(
            "workbench/entity_new.html",
            {"form": form, "kind": model._meta.verbose_name},
            status=status,
        )

    def get(self, request: HttpRequest, entity: str) -> HttpResponse:
        model = self.model_or_403(entity)
        return self.page(model, entity_form(model))

    def post(self, request: HttpRequest, entity: str) -> HttpResponse:
        model = self.model_or_403(entity)
        form = entity_form(model, data=request.POST, files=request.FILES)
        if not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.page(model, form, status=400)
        with transaction.atomic():
            row = form.save(commit=False)
            if not row.label:
                row.label = entity_label(row, form)
            row.save()
            form.save_m2m()
        messages.success(
            request,
            _("Created %(kind)s “%(row)s”.") % {"kind": model._meta.verbose_name, "row": row},
        )
        return HttpResponseRedirect(pages.entity_url(self.tenant, row))


class IncidentActionView(TenantPage):
    """POST ``retry`` (run the failed rule again) or ``skip`` (carry on without it) on an incident."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        from kernel.models import Incident, IncidentState

        if action not in ("retry", "skip"):
            raise Http404(_("No such action."))
        incident = (
            Incident.objects.select_related("process__service")
            .filter(tenant_id=self.operator.tenant_id, pk=pk)
            .first()
        )
        if incident is None:
            raise Http404(_("No such incident."))
        board = reverse(f"{self.tenant}:board") + "?tab=incidents"
        call = services.incident_retry if action == "retry" else services.incident_skip
        try:
            incident = call(incident=incident, operator=self.operator)
        except KernelError as exc:
            messages.error(request, error_text(exc))
            return self.back(board)
        if incident.state == IncidentState.OPEN:
            messages.error(
                request, _("The rule failed again: %(reason)s") % {"reason": incident.reason}
            )
        elif incident.state == IncidentState.RETRIED:
            messages.success(request, _("The rule ran again; the process goes on."))
        else:
            messages.success(request, _("Skipped the failed rule; the process goes on."))
        return self.back(board)
