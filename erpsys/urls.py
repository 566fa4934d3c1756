"""Root URLs: system admin, health, JWT, the designer and every tenant's prefix."""

from django.contrib import admin
from django.urls import include, path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from applications.urls import tenant_root_urlpatterns
from core.adminsafe import safe_changelists
from erpsys.health import healthz
from erpsys.metrics import metrics
from workbench.front import front_door

# JSON errors on API paths, Django's pages elsewhere (erpsys.error_views).
handler400 = "erpsys.error_views.bad_request"
handler403 = "erpsys.error_views.permission_denied"
handler404 = "erpsys.error_views.page_not_found"
handler500 = "erpsys.error_views.server_error"

safe_changelists(admin.site)  # a filter the database refuses: a message, never a 500

urlpatterns = [
    path("", front_door, name="front-door"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("design/", include("design.ui.urls")),
    path("design/", include("design.editors.urls")),
    path("api/token/", TokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("api/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    *tenant_root_urlpatterns(),
]
