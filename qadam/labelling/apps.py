from django.apps import AppConfig


class LabellingConfig(AppConfig):
    name = "qadam.labelling"
    label = "labelling"

    def ready(self) -> None:
        from qadam.labelling import rules  # noqa: F401  (registers the permissions)
