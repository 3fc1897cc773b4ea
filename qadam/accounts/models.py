"""Organisations, users and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from qadam.taxonomy.models import Institution, TranslatedNameMixin


class Organisation(TranslatedNameMixin, models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body")
        NHRI = "nhri", _("National human-rights institution")
        NGO = "ngo", _("Non-governmental organisation")
        OBSERVER = "observer", _("International observer")
        PARLIAMENT = "parliament", _("Parliament")

    name = models.JSONField(_("name"), default=dict)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    # A government organisation is one of the reference institutions.
    institution = models.OneToOneField(
        Institution, null=True, blank=True, on_delete=models.PROTECT,
        related_name="organisation",
    )

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")


class User(AbstractUser):
    class Role(models.TextChoices):
        SECRETARIAT_ADMIN = "secretariat_admin", _("Secretariat admin")
        FOCAL_POINT = "focal_point", _("Focal point")
        CONTRIBUTOR = "contributor", _("Contributor")
        NGO_MEMBER = "ngo_member", _("NGO member")
        OBSERVER = "observer", _("Observer")

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    preferred_language = models.CharField(max_length=5, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
