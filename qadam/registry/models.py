"""Source documents, recommendations, clusters, labels with provenance, import runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.lib.i18n import Picked, pick
from qadam.taxonomy.models import Mechanism, Session, State, Term


class SourceDocument(models.Model):
    class Kind(models.TextChoices):
        WG_REPORT = "wg-report", _("UPR Working Group report")
        THEMATIC_LIST = "thematic-list", _("OHCHR thematic list")
        CONCLUDING_OBSERVATIONS = "concluding-observations", _("Concluding observations")
        DATABASE = "database", _("Database export")
        OTHER = "other", _("Other")

    # UN symbol (A/HRC/28/10) or, for exports without one, a stable made-up key
    # that says what it is ("upr-info:KAZ:20").
    symbol = models.CharField(_("symbol"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="documents")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT)
    state_under_review = models.ForeignKey(
        State, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    date = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    original = models.FileField(_("original file"), upload_to="documents/%Y/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "symbol"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")

    def __str__(self) -> str:
        return self.symbol


class Cluster(models.Model):
    """A group of recommendations a source puts together (OHCHR "Theme:" rows), or one the
    secretariat confirmed from a suggested overlap group (no document: it spans several)."""

    document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="clusters", null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=500)

    class Meta:
        ordering = ["document", "name"]
        constraints = [models.UniqueConstraint(fields=["document", "name"], name="cluster_unique")]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name


class Response(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    SUPPORTED_IN_PART = "supported-in-part", _("Supported in part")
    NOTED = "noted", _("Noted")
    PENDING = "pending", _("Pending")
    UNKNOWN = "", _("Not stated")


class Recommendation(models.Model):
    document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    # Stable identity inside a document: the number when there is one, else a
    # hash of the normalised text and states (see registry.importing).
    key = models.CharField(max_length=80)
    text = models.JSONField(_("text"), default=dict)  # {language: text}
    original_language = models.CharField(max_length=5, default="en")
    response = models.CharField(
        _("response"), max_length=20, choices=Response.choices, blank=True, db_index=True
    )
    response_text = models.TextField(_("response text"), blank=True)
    action_category = models.PositiveSmallIntegerField(
        _("action category"), null=True, blank=True, db_index=True
    )
    source_of_position = models.CharField(max_length=200, blank=True)
    recommending_states = models.ManyToManyField(
        State, blank=True, related_name="recommendations_made"
    )
    clusters = models.ManyToManyField(Cluster, blank=True, related_name="recommendations")
    # Copied from the document so that the list filters without joins.
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state_under_review = models.ForeignKey(
        State, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # All languages' text in one column for full-text search (see registry.search).
    search_text = models.TextField(blank=True)
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="recommendation_unique_key")
        ]
        indexes = [models.Index(fields=["mechanism", "session", "response"])]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        label = self.number or f"#{self.pk}"
        return f"{self.document.symbol} {label}"

    def text_in(self, language: str | None = None) -> Picked:
        return pick(self.text, language or get_language() or "en")


class Label(models.Model):
    """A recommendation tagged with a term, remembering forever where the tag came from."""

    class Provenance(models.TextChoices):
        IMPORTED = "imported", _("Imported from a source")
        MODEL = "model", _("Suggested by a model")
        USER = "user", _("Set by a user")

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="labels"
    )
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="labels")
    provenance = models.CharField(max_length=10, choices=Provenance.choices)
    # Which source, model version or user: "upr-info", "ohchr", "tfidf-v3", "alice".
    source = models.CharField(_("source"), max_length=80)
    score = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Why a model suggested it: [{"kind", "detail", "weight", "ref"}], see qadam.lib.ml.types.
    reasons = models.JSONField(null=True, blank=True)
    # Who accepted or rejected a suggestion, and when. A later model run never touches a
    # decided label: the decision is the record.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "term", "provenance", "source"], name="label_unique"
            )
        ]
        indexes = [models.Index(fields=["term", "status", "recommendation"])]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return f"{self.term} ({self.get_provenance_display()}: {self.source})"


class ImportRun(models.Model):
    """One import, from the CLI or the web, with its per-row report."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, awaiting preview")
        PREVIEWED = "previewed", _("Previewed, awaiting confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255)
    options = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    counts = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=list, blank=True)  # [{row, outcome, reason, ...}]
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"
