"""System admin (/admin/) for the tenant rows."""

from django.contrib import admin

from core.models import Tenant

SEARCH = ("label", "name", "pym")
READONLY = ("pym", "erpsys_id", "created_time", "updated_time")


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("label", "name", "language", "timezone", "spec_version", "updated_time")
    search_fields = SEARCH
    readonly_fields = READONLY
