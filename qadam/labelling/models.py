"""Model versions with their evaluation, labelling runs, and suggested overlap groups.

The suggestions themselves are registry labels (provenance "model", source = the model
version's name), so every page and filter that knows labels knows them too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qadam.registry.models import Cluster, Recommendation


class ModelVersion(models.Model):
    """One `qadam train`: its files, what it learned from and how well it did."""

    class Status(models.TextChoices):
        TRAINING = "training", _("Training")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TRAINING)
    # Exactly one ready version is active: the one suggestions and `qadam classify` use.
    active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Training data per taxonomy, per-term fit, evaluation and file sizes (see labelling.engine).
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

    def __str__(self) -> str:
        return self.name


class LabellingRun(models.Model):
    """Suggesting labels for many recommendations, as a background job that resumes.

    Recommendations are taken in primary-key order and `last_pk` is committed with each
    batch, so a killed worker's successor carries on where the last batch ended."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Which recommendations: {} for all, or {"document": id} / {"ids": [...]}.
    scope = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    suggested = models.PositiveIntegerField(default=0)
    last_pk = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("labelling run")
        verbose_name_plural = _("labelling runs")

    def __str__(self) -> str:
        return f"{self.model_version} #{self.pk}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


class OverlapGroup(models.Model):
    """Recommendations that ask for the same thing, as the duplicate detector grouped them.

    Confirming one makes it a registry cluster, so one action can answer all of it."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SUGGESTED, db_index=True
    )
    # Members in the detector's order, representative first.
    members: models.ManyToManyField[Recommendation, OverlapMember] = models.ManyToManyField(
        Recommendation, through="OverlapMember", related_name="+"
    )
    score = models.FloatField(default=0.0)
    shared_words = models.JSONField(default=list, blank=True)
    # A stable key of the sorted member ids: re-running the detector finds the same group.
    key = models.CharField(max_length=64, unique=True)
    cluster = models.OneToOneField(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="overlap_group"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("overlap group")
        verbose_name_plural = _("overlap groups")

    def __str__(self) -> str:
        return f"#{self.pk}"


class OverlapMember(models.Model):
    group = models.ForeignKey(OverlapGroup, on_delete=models.CASCADE, related_name="memberships")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    similarity = models.FloatField(default=0.0)

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "recommendation"], name="overlap_member_once")
        ]
