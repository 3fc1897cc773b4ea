from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _heal_search_index(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # A later migration that rebuilds registry_recommendation on SQLite drops the
    # full-text triggers with the old table; put them back after every migrate.
    from qadam.registry.search import ensure_index

    ensure_index(connections[using])


class RegistryConfig(AppConfig):
    name = "qadam.registry"
    label = "registry"

    def ready(self) -> None:
        post_migrate.connect(_heal_search_index, sender=self)
