"""The admin app with its site through the clearance gate (config/admin.py)."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class DeclassAdminConfig(AdminConfig):
    default_site = "config.admin.DeclassAdminSite"
