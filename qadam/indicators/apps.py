from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "qadam.indicators"
    label = "indicators"

    def ready(self) -> None:
        from qadam.indicators import rules  # noqa: F401  (registers the permissions)
