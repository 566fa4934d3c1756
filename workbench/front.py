"""The front door at ``/``: the tenants, or straight to the signed-in operator's task board."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from applications.tenancy import installed_tenants


def tenant_rows() -> list[dict[str, str]]:
    """Each installed tenant with its label and board URL, in name order."""
    from core.models import Tenant

    labels = dict(Tenant.objects.values_list("name", "label"))
    rows = []
    for name in sorted(installed_tenants()):
        try:
            url = reverse(f"{name}:board")
        except NoReverseMatch:  # an installed app without tenant URLs
            continue
        rows.append({"name": name, "label": labels.get(name) or name, "url": url})
    return rows


def front_door(request: HttpRequest) -> HttpResponse:
    """``/``: a signed-in operator of exactly one tenant goes to its board; everyone else sees
    the tenants (each leads to its board, which asks for the tenant's login)."""
    rows = tenant_rows()
    user = request.user
    mine: list[dict[str, str]] = []
    if user.is_authenticated:
        from kernel.models import Operator

        names = set(
            Operator.objects.filter(user=user, is_active=True).values_list(
                "tenant__name", flat=True
            )
        )
        mine = [row for row in rows if row["name"] in names]
        if len(mine) == 1:
            return HttpResponseRedirect(mine[0]["url"])
    return render(
        request,
        "workbench/front_door.html",
        {"tenants": rows, "mine": {row["name"] for row in mine}},
    )
