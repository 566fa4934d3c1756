"""The code generator: a tenant's normalized spec becomes a Django app under generated/<tenant>/."""
