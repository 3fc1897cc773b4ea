"""Organisations, users, their roles and their API tokens."""

from __future__ import annotations

from datetime import datetime

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
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
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


class ApiToken(models.Model):
    """A personal key to the API: ``Authorization: Bearer qdm_<secret>``.

    Only the SHA-256 of the whole key is stored, so a copy of the database does not
    give anyone access; the key itself is shown once, when it is created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The start of the secret, shown beside the name so its owner can tell keys apart.
    key_prefix = models.CharField(_("key begins with"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (qdm_{self.key_prefix}…)"

    def is_active_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)
