"""Reference data: taxonomies and their terms, mechanisms, states, institutions, regions.

Taxonomies are data, not code: SDG goals and targets, UPR Info issues, OHCHR themes
and groups of persons are all rows of ``Term`` under a ``Taxonomy``, so a future
taxonomy needs an import, not a migration. Names are {language: text} mappings.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.lib.i18n import pick


class TranslatedNameMixin:
    name: dict[str, str]

    def display_name(self, language: str | None = None) -> str:
        return pick(self.name, language or get_language() or "en").text

    def __str__(self) -> str:
        return self.display_name()


class Taxonomy(TranslatedNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.JSONField(_("name"), default=dict)
    version = models.CharField(_("version"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    # Drives which facet of the recommendation list a taxonomy fills.
    facet = models.CharField(_("facet"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")


class Term(TranslatedNameMixin, models.Model):
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.CharField(_("code"), max_length=80)
    name = models.JSONField(_("name"), default=dict)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    # Other spellings found in sources (renamed themes, cycle-2 codes): an importer
    # resolves a verbatim source name through these.
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    sort_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["taxonomy", "sort_key", "code"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="term_unique_code")
        ]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        name = self.display_name()
        return name if name == self.code else f"{self.code} {name}".strip()


class TermMapping(models.Model):
    """An editable link between terms of two taxonomies (e.g. UPR Info → OHCHR)."""

    class Relation(models.TextChoices):
        EXACT = "exact", _("same meaning")
        BROADER = "broader", _("target is broader")
        NARROWER = "narrower", _("target is narrower")
        RELATED = "related", _("related")

    source = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="mappings_in")
    relation = models.CharField(max_length=10, choices=Relation.choices, default=Relation.EXACT)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="mapping_unique_pair")
        ]
        verbose_name = _("term mapping")
        verbose_name_plural = _("term mappings")

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Mechanism(TranslatedNameMixin, models.Model):
    class Kind(models.TextChoices):
        UPR = "upr", _("Universal Periodic Review")
        TREATY = "treaty", _("Treaty body")
        SPECIAL = "special", _("Special procedures")

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.JSONField(_("name"), default=dict)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")


class Cycle(models.Model):
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("number"))
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["mechanism", "number"]
        constraints = [models.UniqueConstraint(fields=["mechanism", "number"], name="cycle_unique")]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")

    def __str__(self) -> str:
        return str(
            _("%(mechanism)s cycle %(number)s")
            % {"mechanism": self.mechanism.code, "number": self.number}
        )


class Session(models.Model):
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="sessions")
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.SET_NULL)
    number = models.PositiveSmallIntegerField(_("number"))
    start_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["mechanism", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "number"], name="session_unique")
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return str(
            _("%(mechanism)s session %(number)s")
            % {"mechanism": self.mechanism.code, "number": self.number}
        )


class State(TranslatedNameMixin, models.Model):
    class Group(models.TextChoices):
        AFRICA = "Africa", _("African States")
        ASIA = "Asia", _("Asia-Pacific States")
        EEG = "EEG", _("Eastern European States")
        GRULAC = "GRULAC", _("Latin American and Caribbean States")
        WEOG = "WEOG", _("Western European and other States")
        OBSERVER = "Observer", _("Observers and others")

    iso3 = models.CharField(_("ISO code"), max_length=3, unique=True)
    iso2 = models.CharField(max_length=2, blank=True)
    name = models.JSONField(_("name"), default=dict)
    regional_group = models.CharField(
        _("regional group"), max_length=10, choices=Group.choices, blank=True
    )
    # Names as UN documents and UPR Info spell them, to resolve source text.
    aliases = models.JSONField(_("aliases"), default=list, blank=True)

    class Meta:
        ordering = ["iso3"]
        verbose_name = _("state")
        verbose_name_plural = _("states")


class Institution(TranslatedNameMixin, models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AGENCY = "agency", _("Agency or committee")
        PROSECUTION = "prosecution", _("Prosecution")
        NHRI = "nhri", _("National human-rights institution")
        PARLIAMENT = "parliament", _("Parliament")
        COURT = "court", _("Court")
        PRESIDENCY = "presidency", _("Presidential administration")
        LOCAL = "local", _("Local executive body")
        OTHER = "other", _("Other")

    code = models.CharField(_("acronym"), max_length=20, unique=True)
    name = models.JSONField(_("name"), default=dict)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")


class Region(TranslatedNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)  # Open SDG REF_AREA
    name = models.JSONField(_("name"), default=dict)
    valid_from = models.PositiveSmallIntegerField(null=True, blank=True)
    valid_to = models.PositiveSmallIntegerField(null=True, blank=True)
    # Name of the matching feature in geo/kz-regions-2022.geojson, if any.
    shape_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, default="region")  # region / city

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
