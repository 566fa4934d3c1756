"""A URLconf with two tenants (alpha, beta) over kernel.Role, to test the tenant plumbing."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt.views import TokenObtainPairView

from applications.api import EntitySerializer, EntityViewSet
from applications.base.admin import EntityAdmin
from applications.sites import tenant_site
from applications.urls import tenant_urlpatterns
from kernel.models import Role


class RoleSerializer(EntitySerializer):
    class Meta:
        model = Role
        fields = ["id", "label", "name", "pym", "erpsys_id"]


def _tenant(name: str) -> list:
    site = tenant_site(name)
    if not site.is_registered(Role):
        site.register(Role, EntityAdmin)
    viewset = type(
        f"{name.title()}RoleViewSet",
        (EntityViewSet,),
        {"tenant": name, "queryset": Role.objects.all(), "serializer_class": RoleSerializer},
    )
    router = DefaultRouter()
    router.register("roles", viewset, basename="role")
    return tenant_urlpatterns(tenant=name, router=router, site=site)


urlpatterns = [
    path("api/token/", TokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("alpha/", include(_tenant("alpha"))),
    path("beta/", include(_tenant("beta"))),
]
