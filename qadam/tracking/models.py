"""Plans, actions, responsible institutions, deadlines, budgets, progress and assessments.

Who does what by when, with what money and with what evidence: every one of those
is an explicit column here, never free text alone. Free-text originals (a plan's
"By the end of 2023") are kept beside the parsed dates they became.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.lib.i18n import pick
from qadam.registry.models import Cluster, Recommendation
from qadam.taxonomy.models import Institution


class Plan(models.Model):
    class Kind(models.TextChoices):
        UPR_PLAN = "upr-plan", _("Interagency plan for a UPR cycle")
        FOLLOW_UP = "follow-up", _("Follow-up plan")
        POLICY = "policy", _("Policy, concept or programme")
        OTHER = "other", _("Other plan")

    title = models.JSONField(_("title"), default=dict)  # {language: text}
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    adopted_by = models.CharField(_("adopted by"), max_length=300, blank=True)  # decree
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    period_start = models.DateField(_("start"), null=True, blank=True)
    period_end = models.DateField(_("end"), null=True, blank=True)
    # Demo and synthetic plans say so everywhere they are shown.
    is_demo = models.BooleanField(_("demo"), default=False)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return pick(self.title, get_language() or "en").text


class OutcomeType(models.Model):
    """What an action is meant to produce: "Proposal to the Presidential Administration"."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.JSONField(_("name"), default=dict)

    class Meta:
        ordering = ["code"]
        verbose_name = _("outcome type")
        verbose_name_plural = _("outcome types")

    def __str__(self) -> str:
        return pick(self.name, get_language() or "en").text


class Status(models.TextChoices):
    NOT_STARTED = "not-started", _("Not started")
    IN_PROGRESS = "in-progress", _("In progress")
    PARTIAL = "partial", _("Partially implemented")
    DONE = "done", _("Fully implemented")
    OBSOLETE = "obsolete", _("No longer relevant")


class Action(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    number = models.CharField(_("number"), max_length=20, blank=True)
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    outcome_type = models.ForeignKey(
        OutcomeType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The deadline as a period: "By the end of 2023" is 2023-01-01..2023-12-31 with
    # the original text kept; an exact date has start == end.
    timeframe_text = models.CharField(_("timeframe as written"), max_length=200, blank=True)
    deadline_start = models.DateField(_("deadline from"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        db_index=True,
    )
    # Budget: planned and spent amounts in one currency, with the source of funds.
    budget_planned = models.DecimalField(
        _("planned budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_spent = models.DecimalField(
        _("spent"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(_("currency"), max_length=3, default="KZT")
    budget_source = models.CharField(_("source of funds"), max_length=200, blank=True)
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="actions")
    clusters = models.ManyToManyField(Cluster, blank=True, related_name="actions")
    # The statistics that show whether the action worked (e.g. 3-2-1 for a child-health action).
    indicators = models.ManyToManyField(
        "indicators.Indicator", blank=True, related_name="actions", verbose_name=_("indicators")
    )
    institutions: models.ManyToManyField[Institution, ActionInstitution] = models.ManyToManyField(
        Institution, through="ActionInstitution", related_name="actions"
    )
    # Flags a plan import raised (missing outcome, missing agencies...), shown to the
    # secretariat until resolved.
    flags = models.JSONField(default=list, blank=True)
    # Optimistic locking: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        title = pick(self.title, get_language() or "en").text
        return f"{self.number} {title}".strip()


class ActionInstitution(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO = "co", _("Co-executor")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="assignments")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=4, choices=Role.choices)
    # "GPO (as agreed)": a body outside the government's command takes part by consent.
    as_agreed = models.BooleanField(_("as agreed"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["action", "position"]
        constraints = [
            models.UniqueConstraint(fields=["action", "institution"], name="assignment_unique")
        ]
        indexes = [models.Index(fields=["institution", "action"])]
        verbose_name = _("responsible institution")
        verbose_name_plural = _("responsible institutions")

    def __str__(self) -> str:
        return f"{self.institution.code} ({self.get_role_display()})"


class ProgressUpdate(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        VALIDATED = "validated", _("Validated")
        PUBLISHED = "published", _("Published")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField(_("as of"))
    text = models.TextField(_("progress"))
    language = models.CharField(max_length=5, default="ru")
    proposed_status = models.CharField(
        _("proposed status"), max_length=20, choices=Status.choices, blank=True
    )
    spent = models.DecimalField(
        _("spent to date"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    is_demo = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        indexes = [
            # The work queues: an institution's drafts, returned and submitted updates,
            # newest first, and the secretariat's oldest-first review lists. Both read
            # their first rows in index order instead of sorting every match.
            models.Index(fields=["institution", "state", "-as_of", "-id"], name="update_queue"),
            models.Index(fields=["state", "updated_at"], name="update_review"),
        ]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return f"{self.action} @ {self.as_of}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Never the user's name in the path: it may leak through logs or guesses.
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"evidence/{instance.update.action_id}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Assessment(models.Model):
    """A recommendation's implementation status: derived from its actions, or overridden."""

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.CASCADE, related_name="assessment"
    )
    derived_status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    override_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.status}"

    @property
    def status(self) -> str:
        return self.override_status or self.derived_status


class FollowUpDeadline(models.Model):
    """A date a mechanism set: "information within 24 months" on chosen recommendations."""

    title = models.JSONField(_("title"), default=dict)
    due = models.DateField(_("due"), db_index=True)
    document_symbol = models.CharField(max_length=120, blank=True)
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="+")
    institutions = models.ManyToManyField(Institution, blank=True, related_name="+")
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["due"]
        verbose_name = _("follow-up deadline")
        verbose_name_plural = _("follow-up deadlines")

    def __str__(self) -> str:
        return pick(self.title, get_language() or "en").text


class DigestSent(models.Model):
    """One row per institution and day: the guard that a digest is never sent twice."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "period"], name="digest_once")
        ]
