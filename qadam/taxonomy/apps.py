from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "qadam.taxonomy"
    label = "taxonomy"
