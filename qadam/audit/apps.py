from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qadam.audit"
    label = "audit"
