"""The design layer's meta-models, one module each."""

from design.models.tenant import Tenant

__all__ = ["Tenant"]
