"""The designer's pages under /design/ (server-rendered, HTMX for the live parts)."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.labels import BUILTIN_EVENT_LABELS
from core.models import Tenant
from design.models import DesignJob, PublishRecord
from design.specs.errors import SpecInvalid
from design.ui import specfiles, steps
from design.ui.access import designer_required
from design.ui.forms import SpecZipForm, TenantCreateForm
from design.ui.jobs import job_start
from kernel.models import Revision
from workbench.diagram import flowchart


def _tenant_known(tenant: str) -> None:
    if tenant not in specfiles.tenant_names():
        raise Http404(tenant)


def _index(request, *, create=None, upload=None, errors=None, status=200):
    rows = [steps.tenant_status(name) for name in specfiles.tenant_names()]
    context = {
        "rows": rows,
        "create_form": create or TenantCreateForm(),
        "zip_form": upload or SpecZipForm(),
        "import_errors": errors or [],
    }
    return render(request, "design/index.html", context, status=status)


@designer_required
def index(request):
    return _index(request)


@designer_required
@require_POST
def tenant_create(request):
    form = TenantCreateForm(request.POST)
    if not form.is_valid():
        return _index(request, create=form, status=400)
    try:
        spec = specfiles.create_tenant(form.cleaned_data["name"], form.cleaned_data["label"])
    except SpecInvalid as exc:
        for error in exc.errors:
            form.add_error(None, str(error))
        return _index(request, create=form, status=400)
    messages.success(request, _("Tenant %(name)s created.") % {"name": spec.tenant.name})
    return redirect("design:tenant", tenant=spec.tenant.name)


@designer_required
@require_POST
def spec_import(request):
    form = SpecZipForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, upload=form, status=400)
    try:
        files = specfiles.read_zip(form.cleaned_data["archive"].read())
        spec = specfiles.import_files(files)
    except specfiles.ZipRejected as exc:
        return _index(request, upload=form, errors=exc.errors, status=400)
    except SpecInvalid as exc:
        return _index(request, upload=form, errors=[str(e) for e in exc.errors], status=400)
    messages.success(
        request, _("Spec of %(name)s imported and loaded.") % {"name": spec.tenant.name}
    )
    return redirect("design:tenant", tenant=spec.tenant.name)


@designer_required
def spec_download(request, tenant: str):
    _tenant_known(tenant)
    response = HttpResponse(specfiles.zip_bytes(tenant), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{tenant}-spec.zip"'
    return response


def _jobs(tenant: str):
    return DesignJob.objects.filter(tenant__name=tenant).select_related("user")[:10]


@designer_required
def tenant_detail(request, tenant: str):
    _tenant_known(tenant)
    status = steps.tenant_status(tenant)
    return render(
        request,
        "design/tenant.html",
        {"tenant": tenant, "status": status, "state": status.state, "jobs": _jobs(tenant)},
    )


@designer_required
@require_POST
def spec_load(request, tenant: str):
    _tenant_known(tenant)
    try:
        specfiles.load_folder(tenant)
    except SpecInvalid as exc:
        messages.error(request, _("Nothing was loaded: %(n)d error(s).") % {"n": len(exc.errors)})
    else:
        messages.success(request, _("The spec files were loaded into the design database."))
    return redirect("design:tenant", tenant=tenant)


@designer_required
@require_POST
def spec_write(request, tenant: str):
    get_object_or_404(Tenant, name=tenant)
    specfiles.write_db_spec(tenant)
    messages.success(request, _("The design database was written to the spec files."))
    return redirect("design:tenant", tenant=tenant)


def program_diagrams(spec, tenant: str | None = None) -> list[dict]:
    """Each program of ``spec``: its Mermaid text, its rules and node id -> where its rule is
    edited (the rule editor of ``tenant``; an anchor on the page without one)."""
    labels = {s.name: s.label for s in spec.services}
    events = {name: str(label) for name, label in BUILTIN_EVENT_LABELS.items()}
    events.update({e.name: e.label for e in spec.events})
    timers = {e.name for e in spec.events if e.timer}
    out = []
    for service in spec.services:
        if not service.rules:
            continue
        lines, _names, first = flowchart(
            program=service.name,
            rules=service.rules,
            labels=labels,
            events=events,
            timers=timers,
        )
        links = {node: _rule_link(tenant, service.name, index) for node, index in first.items()}
        rules = [
            {
                "anchor": f"rule-{service.name}-{i}",
                "rule": rule,
                "service_label": labels.get(rule.service, rule.service),
                "operand_label": labels.get(rule.operand, rule.operand or ""),
                "event_label": events.get(rule.event, rule.event),
            }
            for i, rule in enumerate(service.rules)
        ]
        out.append(
            {
                "service": service,
                "mermaid": "\n".join(lines),
                "links": links,
                "rules": rules,
            }
        )
    return out


def _rule_link(tenant: str | None, program: str, index: int) -> str:
    if tenant is None:
        return f"#rule-{program}-{index}"
    return reverse(
        "design_editors:child",
        kwargs={
            "tenant": tenant,
            "section": "programs",
            "key": program,
            "child": "rules",
            "index": index,
        },
    )


@designer_required
def programs(request, tenant: str):
    _tenant_known(tenant)
    state = specfiles.spec_state(tenant)
    spec = steps.spec_in_view(state)
    if spec is None and state.db_spec is not None:
        spec = state.db_spec
    drawn = program_diagrams(spec, tenant) if spec else []
    return render(
        request,
        "design/programs.html",
        {
            "tenant": tenant,
            "state": state,
            "programs": drawn,
            "diagrams": [
                {"name": p["service"].name, "mermaid": p["mermaid"], "links": p["links"]}
                for p in drawn
            ],
        },
    )


@designer_required
def preview(request, tenant: str):
    _tenant_known(tenant)
    status = steps.tenant_status(tenant)
    try:
        diffs, problem = steps.code_diff(tenant), None
    except steps.StepRefused as exc:
        diffs, problem = [], str(exc)
    job = None
    if request.GET.get("job"):
        job = DesignJob.objects.filter(pk=request.GET["job"], tenant__name=tenant).first()
    return render(
        request,
        "design/preview.html",
        {
            "tenant": tenant,
            "status": status,
            "state": status.state,
            "diffs": diffs,
            "problem": problem or status.state.problem(),
            "job": job,
        },
    )


@designer_required
def plan(request, tenant: str):
    """The migration plan fragment (it runs makemigrations aside: loaded after the page)."""
    _tenant_known(tenant)
    try:
        items, problem = steps.migration_plan(tenant), None
    except steps.StepRefused as exc:
        items, problem = [], str(exc)
    except Exception as exc:  # noqa: BLE001 - shown in place, the page stays usable
        items, problem = [], str(exc)
    return render(
        request,
        "design/_plan.html",
        {
            "tenant": tenant,
            "plan": items,
            "problem": problem,
            "destructive": steps.plan_is_destructive(items),
        },
    )


@designer_required
@require_POST
def job_create(request, tenant: str, kind: str):
    row = get_object_or_404(Tenant, name=tenant)
    if kind not in DesignJob.Kind.values:
        raise Http404(kind)
    allow_destructive = False
    confirm = request.POST.get("confirm", "").strip()
    if kind == DesignJob.Kind.GENERATE and confirm:
        if confirm != tenant:
            return HttpResponseBadRequest(
                _("Type the tenant name %(name)s exactly to confirm the destructive steps.")
                % {"name": tenant}
            )
        allow_destructive = True
    job = job_start(tenant=row, kind=kind, user=request.user, allow_destructive=allow_destructive)
    if request.htmx:
        job.refresh_from_db()
        return render(request, "design/_job.html", {"job": job})
    return redirect(f"{reverse('design:preview', args=[tenant])}?job={job.pk}")


@designer_required
def job_status(request, job_id: int):
    job = get_object_or_404(DesignJob.objects.select_related("tenant", "user"), pk=job_id)
    return render(request, "design/_job.html", {"job": job})


def _spec_text(files: dict[str, str]) -> str:
    return "".join(f"# ---- {name}\n{files[name]}" for name in sorted(files))


@designer_required
def history(request, tenant: str):
    row = get_object_or_404(Tenant, name=tenant)
    revisions = list(
        Revision.objects.filter(tenant=row).order_by("-number").select_related("publish_record")
    )
    records = {r.revision_id: r for r in PublishRecord.objects.filter(revision__tenant=row)}
    entries = []
    for i, revision in enumerate(revisions):
        record = records.get(revision.pk)
        previous = revisions[i + 1] if i + 1 < len(revisions) else None
        before = records.get(previous.pk) if previous else None
        diff = ""
        if record is not None and before is not None:
            old = _spec_text(before.files)
            diff = "".join(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    _spec_text(record.files).splitlines(keepends=True),
                    fromfile=f"r{previous.number}",
                    tofile=f"r{revision.number}",
                )
            )
        entries.append({"revision": revision, "record": record, "diff": diff})
    shown = None
    if request.GET.get("revision"):
        shown = next(
            (e for e in entries if str(e["revision"].number) == request.GET["revision"]), None
        )
        if shown is None:
            raise Http404("revision")
        if shown["record"] is not None:
            shown = {**shown, "text": _spec_text(shown["record"].files)}
    return render(
        request,
        "design/history.html",
        {"tenant": tenant, "label": row.label, "entries": entries, "shown": shown},
    )
