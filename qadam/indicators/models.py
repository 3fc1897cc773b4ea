"""Statistical indicators: datasets, indicators, series and their observations.

A *dataset* is one imported repository (the statistics bureau's Open SDG data, the
kz-stats tables). An *indicator* is one of its files (``3-2-1``); a *series* is one
disaggregation of it (total, female, rural, aged 15-24 ...), and an *observation* is
one value for a region (REF_AREA code, '' for the whole country) and a year. Rows an
import could not use are not stored here: they are listed, with reasons, in the
import run's report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.lib.i18n import pick
from qadam.taxonomy.models import Term


class Dataset(models.Model):
    class Kind(models.TextChoices):
        OPENSDG = "opensdg", _("Open SDG data repository")
        KZ_STATS = "kz-stats", _("kz-stats tables")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.JSONField(_("name"), default=dict)
    # Where it was last imported from: a folder or an http(s) URL.
    origin = models.CharField(_("origin"), max_length=500, blank=True)
    credit = models.TextField(_("credit"), blank=True)
    # Fingerprint of the files last imported, so re-running an unchanged import is a no-op.
    fingerprint = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return pick(self.name, get_language() or "en").text or self.code


class Indicator(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    # The global SDG indicator this national one reports on, when there is one.
    sdg = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.JSONField(_("title"), default=dict)
    unit = models.JSONField(_("unit"), default=dict, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    # Known breaks in the series, [[year, reason code]], drawn on the charts.
    breaks = models.JSONField(default=list, blank=True)
    has_regions = models.BooleanField(default=False)
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sort_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["dataset", "sort_key", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "code"], name="indicator_unique_code")
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.display_title()}".strip()

    def display_title(self, language: str | None = None) -> str:
        return pick(self.title, language or get_language() or "en").text


class Series(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="series")
    # series|unit|COLUMN=value;COLUMN=value, unique within the indicator.
    key = models.CharField(max_length=400)
    series_code = models.CharField(max_length=100, blank=True)
    unit_code = models.CharField(max_length=40, blank=True)
    disaggregation = models.JSONField(default=dict, blank=True)
    label = models.JSONField(default=dict, blank=True)
    is_total = models.BooleanField(default=False)

    class Meta:
        ordering = ["indicator", "-is_total", "key"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "key"], name="series_unique_key")
        ]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.display_label()

    def display_label(self, language: str | None = None) -> str:
        return pick(self.label, language or get_language() or "en").text or self.key


class Observation(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="observations")
    region = models.CharField(max_length=10, blank=True)  # REF_AREA; '' = national
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()
    # Comma-separated flags the import raised: border-break-2022, method-break-2018 ...
    flags = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["series", "year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["series", "region", "year"], name="observation_unique")
        ]


class IndicatorLink(models.Model):
    """A link the secretariat made between an indicator and a recommendation it measures.

    Links through SDG targets are derived, not stored; these are the deliberate ones."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="links")
    recommendation = models.ForeignKey(
        "registry.Recommendation", on_delete=models.CASCADE, related_name="indicator_links"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "recommendation"], name="indicator_link_unique"
            )
        ]


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        UNCHANGED = "unchanged", _("unchanged")
        FAILED = "failed", _("failed")

    dataset_code = models.SlugField(_("dataset"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Dataset.Kind.choices)
    origin = models.CharField(_("origin"), max_length=500)
    force = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    counts = models.JSONField(default=dict, blank=True)
    # Rows set aside, flagged or corrected: [{file, row, field, code, message, action}].
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("indicator import")
        verbose_name_plural = _("indicator imports")
