"""Create the local demo admin once, and print how to log in. Never for production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qadam.accounts.models import Organisation, User

USERNAME = "admin"
PASSWORD = "qadam-demo"  # printed on purpose; local demo only


class Command(BaseCommand):
    help = "Create a local demo secretariat admin (refuses in production)."

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("refusing to create a demo admin with QADAM_PRODUCTION on")
        org, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.GOVERNMENT,
            name={
                "en": "National mechanism secretariat (demo)",
                "ru": "Секретариат национального механизма (демо)",
                "kk": "Ұлттық механизм хатшылығы (демо)",
            },
        )
        user, created = User.objects.get_or_create(
            username=USERNAME,
            defaults={
                "role": User.Role.SECRETARIAT_ADMIN,
                "is_staff": True,
                "is_superuser": True,
                "organisation": org,
            },
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        self.stdout.write(f"Demo admin (local only): {USERNAME} / {PASSWORD}")
