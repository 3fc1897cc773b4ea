"""Quality-of-life standards: versioned documents, and their stored evaluations.

A standard ("sufficient quality of life in Kazakhstan") is a YAML document (format
qadam-qol-standard/1, see docs/qol.md): components, indicators, goalposts, thresholds,
weights, aggregation and missing-data rules. Every edit makes a new version; versions are
never changed, so an evaluation always names exactly what it computed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.lib.i18n import pick


class Standard(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.JSONField(_("title"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("quality-of-life standard")
        verbose_name_plural = _("quality-of-life standards")

    def __str__(self) -> str:
        return pick(self.title, get_language() or "en").text or self.code

    def latest(self) -> StandardVersion | None:
        return self.versions.order_by("-number").first()


class StandardVersion(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()  # the parsed, validated YAML document
    yaml = models.TextField()  # the text as saved, for export and for diffs
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["standard", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="qol_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} v{self.number}"


class Evaluation(models.Model):
    """One computation of a version on the data as it was: verdicts for every region and
    year, and the uncertainty analysis of one year."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="evaluations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Fingerprints of the datasets used, so a stale evaluation can be told apart.
    data_fingerprint = models.CharField(max_length=64, blank=True)
    seed = models.PositiveIntegerField(default=20251)
    draws = models.PositiveIntegerField(default=1000)
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # of the uncertainty
    results = models.JSONField(default=list, blank=True)  # one row per region and year
    uncertainty = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
