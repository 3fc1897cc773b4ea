from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "qadam.registry"
    label = "registry"
