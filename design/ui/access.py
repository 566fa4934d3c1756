"""Who may use the designer: staff, or members of the group ``designers``."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

DESIGNERS_GROUP = "designers"


def is_designer(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.groups.filter(name=DESIGNERS_GROUP).exists()


def designer_required(view):
    """Anonymous visitors go to the login page; signed-in users who are not designers get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_designer(request.user):
            raise PermissionDenied("designers only")
        return view(request, *args, **kwargs)

    return wrapped
