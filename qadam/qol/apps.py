from django.apps import AppConfig


class QolConfig(AppConfig):
    name = "qadam.qol"
    label = "qol"

    def ready(self) -> None:
        from qadam.qol import rules  # noqa: F401  (registers the permissions)
