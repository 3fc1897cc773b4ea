from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "qadam.tracking"
    label = "tracking"
