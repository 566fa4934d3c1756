"""The designer's editors: one page per spec element, HTMX fragments for every small edit.

Every request reads the tenant's spec afresh (under the tenant's lock for writes), applies
one edit to the dict, and either shows the validator's errors at the inputs they concern
or saves the spec (``store.save``). Only staff and members of the "designers" group get in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from core.naming import derive_name, pinyin_initials
from design.editors import store
from design.editors.paths import column_paths
from design.editors.schema import (
    BUILTIN_REFS,
    CHILD_KINDS,
    KINDS,
    NEW_CHILD,
    Key,
    apply_post,
    as_mapping,
    get_key,
    keys_for,
    to_text,
)
from design.specs.errors import SpecError
from design.specs.loader import format_path

DESIGNERS_GROUP = "designers"
SECTIONS = (*KINDS, "programs")
NAV = (
    ("entities", _("Entities")),
    ("fields", _("Reusable fields")),
    ("forms", _("Forms")),
    ("services", _("Services")),
    ("programs", _("Programs")),
    ("events", _("Events")),
    ("roles", _("Roles")),
    ("operators", _("Operators")),
    ("resources", _("Resources")),
    ("views", _("Views")),
    ("menu", _("Menu")),
)


def is_designer(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.groups.filter(name=DESIGNERS_GROUP).exists())
    )


def designer_required(view):
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_designer(request.user):
            raise PermissionDenied(_t("Only analysts (staff or designers) may edit specs."))
        tenant = kwargs.get("tenant", "")
        if not (store.tenant_exists(tenant) or store.draft_path(tenant).is_file()):
            raise Http404(_t("No such tenant."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- addressing -----------------------------------------------------------------------------


def _section(section: str) -> str:
    if section not in SECTIONS:
        raise Http404(_t("No such section."))
    return "services" if section == "programs" else section


def element_key(element: Any, index: int) -> str:
    if isinstance(element, dict):
        if element.get("name"):
            return str(element["name"])
        if element.get("label"):
            derived = derive_name(str(element["label"]))
            if derived:
                return derived
    return f"@{index}"


def find(data: dict[str, Any], section: str, key: str) -> int:
    items = data.get(section) or []
    for index, element in enumerate(items):
        if element_key(element, index) == key:
            return index
    raise Http404(_t("No such element."))


def children_of(element: Any, child: str) -> list[Any]:
    value = element.get(child) if isinstance(element, dict) else None
    return value if isinstance(value, list) else []


# --- forms and errors -----------------------------------------------------------------------


@dataclass
class Input:
    key: Key
    text: str
    id: str
    errors: list[SpecError] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class EditorForm:
    fid: str
    title: str
    inputs: list[Input]
    url: str  # save (POST); check/render/delete hang below it
    original: str  # the element's key when the form was drawn
    is_new: bool = False
    errors: list[SpecError] = field(default_factory=list)  # about the element, not one input
    elsewhere: list[SpecError] = field(default_factory=list)  # what the edit breaks elsewhere
    checked: bool = False
    can_delete: bool = True

    @property
    def problem_count(self) -> int:
        return len(self.errors) + len(self.elsewhere) + sum(len(i.errors) for i in self.inputs)


def _options(data: dict[str, Any], key: Key) -> list[tuple[str, str]]:
    if isinstance(key.options, tuple):
        return [(o, o) for o in key.options]
    return []


def _path_options(data: dict[str, Any], path: tuple) -> list[tuple[str, str]]:
    """Completion for a view column's dotted path (``views[i].columns[j]``); none when the
    spec does not validate far enough to know its entities."""
    if len(path) < 2 or path[0] != "views" or not isinstance(path[1], int):
        return []
    spec = store.check(data, "completion").spec
    if spec is None:
        return []
    return [(p, p) for p in column_paths(spec, path[1])]


def build_form(
    *,
    fid: str,
    title: str,
    kind: str,
    element: Any,
    child: bool,
    url: str,
    data: dict[str, Any],
    path: tuple,
    errors: list[SpecError],
    original: str,
    is_new: bool = False,
    checked: bool = False,
) -> EditorForm:
    mapping = as_mapping(element, kind)
    inputs = [
        Input(key, to_text(key, get_key(mapping, key.name)), f"{fid}-{key.name.replace('.', '-')}")
        for key in keys_for(kind, mapping, child=child)
    ]
    for item in inputs:
        item.options = _options(data, item.key)
        if item.key.widget == "path":
            item.options = _path_options(data, path)
    form = EditorForm(fid, title, inputs, url, original, is_new=is_new, checked=checked)
    place_errors(form, errors, format_path(path))
    return form


def place_errors(form: EditorForm, errors: list[SpecError], prefix: str) -> None:
    """Each error at the input its path names; the element's own errors; the rest elsewhere."""
    by_key = {item.key.name: item for item in form.inputs}
    for error in errors:
        path = error.path
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            rest = path[len(prefix) :].lstrip(".")
            target = None
            for name in sorted(by_key, key=len, reverse=True):
                if rest == name or rest.startswith(name + ".") or rest.startswith(name + "["):
                    target = by_key[name]
                    break
            if target is None and rest.startswith("params."):
                target = by_key.get("instruction")
            if target is not None:
                target.errors.append(error)
            else:
                form.errors.append(error)
        else:
            form.elsewhere.append(error)


# --- the shared request flow ----------------------------------------------------------------


@dataclass
class Target:
    """What one URL addresses: an element of a section, or one child of it."""

    tenant: str
    section: str  # the data section
    url_section: str  # as in the URL (programs -> services)
    key: str
    child: str | None = None
    index: int | None = None

    @property
    def kind(self) -> str:
        if self.child is None:
            return self.section
        return KINDS[self.section].children[self.child]

    def base_url(self) -> str:
        return reverse(
            "design_editors:element",
            kwargs={"tenant": self.tenant, "section": self.url_section, "key": self.key},
        )

    def url(self) -> str:
        if self.child is None:
            return self.base_url()
        return reverse(
            "design_editors:child",
            kwargs={
                "tenant": self.tenant,
                "section": self.url_section,
                "key": self.key,
                "child": self.child,
                "index": self.index,
            },
        )


def _target(
    tenant: str, section: str, key: str, child: str | None = None, index: int | None = None
) -> Target:
    data_section = _section(section)
    if child is not None and child not in KINDS[data_section].children:
        raise Http404(_t("No such list."))
    return Target(tenant, data_section, section, key, child, None if index is None else int(index))


def _locate(data: dict[str, Any], target: Target) -> tuple[int, Any, tuple]:
    """(element index, the addressed element or child or None when new, its data path)."""
    i = find(data, target.section, target.key)
    element = data[target.section][i]
    if target.child is None:
        return i, element, (target.section, i)
    items = children_of(element, target.child)
    if target.index is None or not 0 <= target.index <= len(items):
        raise Http404(_t("No such item."))
    path = (target.section, i, target.child, target.index)
    if target.index == len(items):
        return i, None, path
    return i, items[target.index], path


def _child_title(kind: str, item: Any) -> tuple[str, str]:
    """(title, summary) of a child row."""
    m = as_mapping(item, kind)
    if kind == "rule":
        title = " → ".join(
            str(m.get(k, "")) for k in ("service", "event", "instruction", "operand") if m.get(k)
        )
        params = m.get("params")
        summary = (
            ", ".join(f"{k}={v}" for k, v in params.items()) if isinstance(params, dict) else ""
        )
        if m.get("mode") == "decision":
            summary = (summary + " " + _t("(decision)")).strip()
        return title, summary
    if kind == "field":
        if "field" in m:
            return str(m.get("field")), _t("reusable field")
        extra = f" → {m['to']}" if m.get("to") else ""
        flags = " *" if m.get("required") else ""
        return (
            f"{m.get('label', '')} ({m.get('name', '')})",
            f"{m.get('type', 'char')}{extra}{flags}",
        )
    if kind == "form_field":
        return str(m.get("field", "")), ", ".join(k for k in ("required", "readonly") if m.get(k))
    if kind == "column":
        return str(m.get("label", "")), str(m.get("value", ""))
    if kind == "menu_item":
        return str(m.get("label", "")), str(m.get("entity") or m.get("view") or "")
    return str(m), ""


def _panel_context(
    request: HttpRequest,
    loaded: store.Loaded,
    target: Target,
    *,
    element_form: EditorForm | None = None,
    child_form: EditorForm | None = None,
    status: dict[str, Any] | None = None,
    errors: list[SpecError] | None = None,
) -> dict[str, Any]:
    data = loaded.data
    errors = loaded.errors if errors is None else errors
    i = find(data, target.section, target.key)
    element = data[target.section][i]
    top = Target(target.tenant, target.section, target.url_section, target.key)
    if element_form is None:
        element_form = build_form(
            fid="el",
            title=_t("Properties"),
            kind=target.section,
            element=element,
            child=False,
            url=top.url(),
            data=data,
            path=(target.section, i),
            errors=errors,
            original=target.key,
        )
    lists = []
    for child, kind in KINDS[target.section].children.items():
        rows = []
        items = children_of(element, child)
        for j, item in enumerate(items):
            title, summary = _child_title(kind, item)
            prefix = format_path((target.section, i, child, j))
            count = sum(
                1
                for e in errors
                if e.path == prefix or e.path.startswith((prefix + ".", prefix + "["))
            )
            url = _target(target.tenant, target.url_section, target.key, child, j).url()
            rows.append(
                {"index": j, "title": title, "summary": summary, "errors": count, "url": url}
            )
        new_url = _target(target.tenant, target.url_section, target.key, child, len(items)).url()
        lists.append({"name": child, "kind": kind, "rows": rows, "new_url": new_url})
    return {
        "tenant": target.tenant,
        "target": target,
        "element_key": target.key,
        "element_label": as_mapping(element, target.section).get("label", target.key),
        "element_form": element_form,
        "child_form": child_form,
        "lists": lists,
        "status": status,
        "loaded": loaded,
        "section": target.url_section,
    }


def _base_context(tenant: str, loaded: store.Loaded | None) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "nav": NAV,
        "loaded": loaded,
        "draft": loaded.draft if loaded else store.draft_path(tenant).is_file(),
        "draft_errors": len(loaded.errors) if loaded else 0,
    }


def _render_panel(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "design/editors/_panel.html", context)


def _status(saved: store.Saved, *, deleted: bool = False) -> dict[str, Any]:
    return {
        "ok": saved.ok,
        "draft": saved.draft,
        "errors": saved.errors,
        "files": saved.changed_files,
        "deleted": deleted,
    }


def _commit(tenant: str, data: dict[str, Any], action: str) -> store.Saved:
    if action == "draft":
        return store.save_draft(tenant, data)
    return store.save(tenant, data)


# --- views ----------------------------------------------------------------------------------


@designer_required
def tenant_home(request: HttpRequest, tenant: str) -> HttpResponse:
    return redirect("design_editors:section", tenant=tenant, section="entities")


@designer_required
def section_list(request: HttpRequest, tenant: str, section: str) -> HttpResponse:
    data_section = _section(section)
    kind = KINDS[data_section]
    status = None
    created_key = None
    with store.tenant_lock(tenant):
        loaded = store.load(tenant)
        posted: dict[str, str] = {}
        if request.method == "POST":
            posted = {k: request.POST.get(k, "") for k in kind.create}
            element = apply_post(data_section, {}, request.POST, child=False)
            if data_section == "entities" and "fields" not in element:
                element["fields"] = []
            data = store.copy_data(loaded.data)
            data.setdefault(data_section, []).append(element)
            saved = _commit(tenant, data, request.POST.get("_action", "save"))
            status = _status(saved)
            if saved.ok or saved.draft:
                created_key = element_key(element, len(data[data_section]) - 1)
                loaded = store.load(tenant)
    if created_key and request.POST.get("_action") != "draft" and status["ok"]:
        return redirect("design_editors:element", tenant=tenant, section=section, key=created_key)
    items = []
    for index, element in enumerate(loaded.data.get(data_section) or []):
        m = as_mapping(element, data_section)
        if section == "programs" and not m.get("rules"):
            continue
        summary = [
            to_text(Key(k, k, "list" if isinstance(m.get(k), list) else "text"), m.get(k))
            for k in kind.summary
        ]
        if data_section == "services" and m.get("rules"):
            summary.append(_t("program: %(n)d rules") % {"n": len(m["rules"])})
        items.append(
            {
                "key": element_key(element, index),
                "label": m.get("label", ""),
                "name": m.get("name", ""),
                "summary": " · ".join(s for s in summary if s),
            }
        )
    create_inputs = [
        Input(key, posted.get(key.name, ""), f"new-{key.name}", options=_options(loaded.data, key))
        for key in kind.keys
        if key.name in kind.create
    ]
    context = {
        **_base_context(tenant, loaded),
        "section": section,
        "section_label": dict(NAV)[section],
        "items": items,
        "create_inputs": create_inputs,
        "status": status,
    }
    return render(request, "design/editors/section.html", context)


@designer_required
def element(request: HttpRequest, tenant: str, section: str, key: str) -> HttpResponse:
    """GET: the element's page. POST: save its properties (HTMX: the panel comes back)."""
    target = _target(tenant, section, key)
    if request.method == "GET":
        loaded = store.load(tenant)
        context = {**_base_context(tenant, loaded), **_panel_context(request, loaded, target)}
        context["section_label"] = dict(NAV)[section]
        return render(request, "design/editors/element.html", context)
    return _save(request, target)


@designer_required
def child(
    request: HttpRequest, tenant: str, section: str, key: str, child: str, index: int
) -> HttpResponse:
    """GET: the panel with this child's editor open. POST: save the child."""
    target = _target(tenant, section, key, child, index)
    if request.method == "GET":
        loaded = store.load(tenant)
        return _render_panel(
            request,
            _panel_context(request, loaded, target, child_form=_child_form(loaded, target)),
        )
    return _save(request, target)


def _child_form(
    loaded: store.Loaded,
    target: Target,
    element: Any = None,
    errors: list[SpecError] | None = None,
    checked: bool = False,
    is_new: bool | None = None,
) -> EditorForm:
    _i, current, path = _locate(loaded.data, target)
    if is_new is None:
        is_new = current is None
    if element is None:
        element = current
        if is_new:
            parent = as_mapping(loaded.data[target.section][path[1]], target.section)
            element = NEW_CHILD[target.kind](parent)
    title = _t("New item") if is_new else _child_title(target.kind, element)[0]
    return build_form(
        fid="child",
        title=title,
        kind=target.kind,
        element=element,
        child=True,
        url=target.url(),
        data=loaded.data,
        path=path,
        errors=loaded.errors if errors is None else errors,
        original=str(target.index),
        is_new=is_new,
        checked=checked,
    )


def _edited(
    loaded: store.Loaded, target: Target, post: Any
) -> tuple[dict[str, Any], Any, tuple, bool]:
    """A copy of the data with the posted inputs applied to the addressed element or child."""
    data = store.copy_data(loaded.data)
    i, current, path = _locate(data, target)
    if target.child is None:
        updated = apply_post(target.section, current, post, child=False)
        data[target.section][i] = updated
        return data, updated, path, False
    parent = data[target.section][i]
    items = parent.setdefault(target.child, [])
    is_new = current is None
    if is_new:
        current = NEW_CHILD[target.kind](as_mapping(parent, target.section))
    updated = apply_post(target.kind, current, post, child=True)
    if target.index == len(items):
        items.append(updated)
    else:
        items[target.index] = updated
    return data, updated, path, is_new


def _stale(loaded: store.Loaded, target: Target, post: Any) -> bool:
    """The form was drawn for another element than the one now at its place."""
    original = post.get("_original")
    if original is None:
        return False
    if target.child is None:
        return original != target.key
    items = children_of(
        loaded.data[target.section][find(loaded.data, target.section, target.key)], target.child
    )
    if post.get("_new") == "1":
        return target.index != len(items)
    return original != str(target.index) or target.index >= len(items)


def _save(request: HttpRequest, target: Target) -> HttpResponse:
    action = request.POST.get("_action", "save")
    with store.tenant_lock(target.tenant):
        loaded = store.load(target.tenant)
        if _stale(loaded, target, request.POST):
            status = {"ok": False, "stale": True, "errors": []}
            return _render_panel(request, _panel_context(request, loaded, target, status=status))
        data, updated, path, is_new = _edited(loaded, target, request.POST)
        saved = _commit(target.tenant, data, action)
        status = _status(saved)
        if saved.ok or saved.draft:
            loaded = store.load(target.tenant)
            if target.child is None:
                new_key = element_key(updated, path[1])
                if new_key != target.key:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = Target(
                        target.tenant, target.section, target.url_section, new_key
                    ).url()
                    return response
                context = _panel_context(request, loaded, target, status=status)
            else:
                context = _panel_context(
                    request, loaded, target, status=status, child_form=_child_form(loaded, target)
                )
            return _respond(request, target, context)
    # Nothing written: the posted values stay in the form, the errors at their inputs.
    shown = store.Loaded(loaded.tenant, data, loaded.draft, saved.errors)
    form = _form_for(shown, target, updated, path, saved.errors, checked=True, is_new=is_new)
    if target.child is None:
        context = _panel_context(request, shown, target, element_form=form, status=status)
    else:
        context = _panel_context(request, shown, target, child_form=form, status=status)
    return _respond(request, target, context)


def _respond(request: HttpRequest, target: Target, context: dict[str, Any]) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _render_panel(request, context)
    context.update(_base_context(target.tenant, context["loaded"]))
    context["section_label"] = dict(NAV)[target.url_section]
    return render(request, "design/editors/element.html", context)


def _form_for(
    loaded: store.Loaded,
    target: Target,
    element: Any,
    path: tuple,
    errors: list[SpecError],
    *,
    checked: bool,
    is_new: bool = False,
) -> EditorForm:
    if target.child is None:
        return build_form(
            fid="el",
            title=_t("Properties"),
            kind=target.section,
            element=element,
            child=False,
            url=target.url(),
            data=loaded.data,
            path=path,
            errors=errors,
            original=target.key,
            checked=checked,
        )
    return _child_form(
        loaded, target, element=element, errors=errors, checked=checked, is_new=is_new
    )


def _check_or_render(request: HttpRequest, target: Target, template: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    loaded = store.load(target.tenant)
    data, updated, path, is_new = _edited(loaded, target, request.POST)
    checked = store.check(data, target.tenant)
    shown = store.Loaded(loaded.tenant, data, loaded.draft, checked.errors)
    form = _form_for(shown, target, updated, path, checked.errors, checked=True, is_new=is_new)
    return render(
        request,
        template,
        {"form": form, "target": target, "tenant": target.tenant, "warnings": checked.warnings},
    )


@designer_required
def element_check(
    request: HttpRequest,
    tenant: str,
    section: str,
    key: str,
    child: str | None = None,
    index: int | None = None,
) -> HttpResponse:
    """The validator's verdict on the posted (unsaved) inputs, as out-of-band error slots."""
    return _check_or_render(
        request, _target(tenant, section, key, child, index), "design/editors/_check.html"
    )


@designer_required
def element_render(
    request: HttpRequest,
    tenant: str,
    section: str,
    key: str,
    child: str | None = None,
    index: int | None = None,
) -> HttpResponse:
    """The form drawn again for the posted inputs (a new field type shows its own inputs)."""
    return _check_or_render(
        request, _target(tenant, section, key, child, index), "design/editors/_form.html"
    )


@designer_required
def element_delete(
    request: HttpRequest,
    tenant: str,
    section: str,
    key: str,
    child: str | None = None,
    index: int | None = None,
) -> HttpResponse:
    """GET: what depends on it (the errors deleting it would cause). POST: delete and save."""
    target = _target(tenant, section, key, child, index)
    with store.tenant_lock(tenant):
        loaded = store.load(tenant)
        data = store.copy_data(loaded.data)
        i, current, _path = _locate(data, target)
        if current is None:
            raise Http404(_t("No such item."))
        if target.child is None:
            del data[target.section][i]
            label = as_mapping(current, target.section).get("label", target.key)
        else:
            del data[target.section][i][target.child][target.index]
            label = _child_title(target.kind, current)[0]
        broken = store.breakage(loaded.data, data, tenant)
        if request.method == "GET":
            context = {
                **_base_context(tenant, loaded),
                "target": target,
                "label": label,
                "broken": broken,
                "section_label": dict(NAV)[section],
            }
            template = (
                "design/editors/_delete.html"
                if request.headers.get("HX-Request")
                else "design/editors/delete.html"
            )
            return render(request, template, context)
        saved = _commit(tenant, data, request.POST.get("_action", "save"))
    if not (saved.ok or saved.draft) and target.child is not None:
        top = Target(tenant, target.section, target.url_section, target.key)
        context = _panel_context(request, loaded, top, status=_status(saved))
        return _respond(request, top, context)
    if not (saved.ok or saved.draft):
        context = {
            **_base_context(tenant, loaded),
            "target": target,
            "label": label,
            "broken": saved.errors,
            "refused": True,
            "section_label": dict(NAV)[section],
        }
        template = (
            "design/editors/_delete.html"
            if request.headers.get("HX-Request")
            else "design/editors/delete.html"
        )
        return render(request, template, context, status=200)
    if target.child is None:
        url = reverse("design_editors:section", kwargs={"tenant": tenant, "section": section})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    loaded = store.load(tenant)
    top = Target(tenant, target.section, target.url_section, target.key)
    context = _panel_context(request, loaded, top, status=_status(saved, deleted=True))
    return _respond(request, top, context)


@designer_required
def child_move(
    request: HttpRequest, tenant: str, section: str, key: str, child: str, index: int
) -> HttpResponse:
    """Move a child one place up or down and save."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target = _target(tenant, section, key, child, index)
    index = target.index
    step = -1 if request.POST.get("direction") == "up" else 1
    with store.tenant_lock(tenant):
        loaded = store.load(tenant)
        data = store.copy_data(loaded.data)
        i, current, _path = _locate(data, target)
        items = data[target.section][i][child]
        other = index + step
        if current is None or not 0 <= other < len(items):
            status = None
        else:
            items[index], items[other] = items[other], items[index]
            saved = _commit(tenant, data, "save")
            status = _status(saved)
            loaded = store.load(tenant)
    top = Target(tenant, target.section, target.url_section, target.key)
    return _respond(request, top, _panel_context(request, loaded, top, status=status))


@designer_required
def draft_discard(request: HttpRequest, tenant: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with store.tenant_lock(tenant):
        store.discard_draft(tenant)
    return redirect(
        request.POST.get("next")
        or reverse("design_editors:section", kwargs={"tenant": tenant, "section": "entities"})
    )


@designer_required
def pick(request: HttpRequest, tenant: str, source: str) -> HttpResponse:
    """Elements of a section whose label, name, pinyin or pinyin initials match ``q``."""
    data_section = _section(source) if source != "events" else "events"
    loaded = store.load(tenant)
    query = request.GET.get("q", "").strip().lower()
    candidates: list[tuple[str, str]] = []
    for index, item in enumerate(loaded.data.get(data_section) or []):
        m = as_mapping(item, data_section)
        candidates.append((element_key(item, index), str(m.get("label", ""))))
    candidates.extend((name, name) for name in BUILTIN_REFS.get(data_section, ()))
    picks = []
    for name, label in candidates:
        keys = (
            name.lower(),
            label.lower(),
            pinyin_initials(label),
            derive_name(label).replace("_", ""),
        )
        if not query or any(query in k for k in keys):
            picks.append({"name": name, "label": label})
    return render(
        request,
        "design/editors/_picks.html",
        {"picks": picks[:20], "for_id": request.GET.get("for", "")},
    )


CHILD_KIND_NAMES = tuple(CHILD_KINDS)
