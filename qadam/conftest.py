"""Shared fixtures: the named personas every app's tests speak through."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

if TYPE_CHECKING:
    from qadam.accounts.models import Organisation, User


def pytest_configure(config: pytest.Config) -> None:
    # Pure qadam.lib tests may run without Django (-p no:django).
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        # The default hasher costs ~0.5 s per user; tests need no real security.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_between_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    # LocaleMiddleware activates the request's language on the test thread; without
    # this a Kazakh page in one test would leave the next test speaking Kazakh.
    yield
    if request.config.pluginmanager.hasplugin("django"):
        from django.utils import translation

        translation.activate("en")


PERSONAS = ("admin", "focal_point", "contributor", "ngo_member", "observer", "outsider")


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    from qadam.accounts.models import User

    def make(username: str, role: str = "", organisation: Organisation | None = None) -> User:
        return User.objects.create_user(
            username=username, password="pw-" + username, role=role, organisation=organisation
        )

    return make


@pytest.fixture
def personas(make_user: Callable[..., User]) -> dict[str, User]:
    """Aigerim (secretariat admin), Daniyar (MLSP focal point), Saule (MLSP contributor),
    Nurlan (NGO member), Olivia (UNDP observer) and Timur (an outsider, no role)."""
    # Imported here so that pure qadam.lib tests run without Django (-p no:django).
    from qadam.accounts.models import Organisation
    from qadam.taxonomy.models import Institution

    mlsp, _ = Institution.objects.get_or_create(
        code="MLSP",
        defaults={
            "name": {"en": "Ministry of Labour and Social Protection of the Population"},
            "kind": Institution.Kind.MINISTRY,
        },
    )
    gov = Organisation.objects.create(name={"en": "MLSP"}, kind="government", institution=mlsp)
    mfa = Organisation.objects.create(name={"en": "MFA (secretariat)"}, kind="government")
    ngo = Organisation.objects.create(name={"en": "Kazakhstan Bureau for Human Rights"}, kind="ngo")
    undp = Organisation.objects.create(name={"en": "UNDP"}, kind="observer")
    return {
        "admin": make_user("aigerim", "secretariat_admin", mfa),
        "focal_point": make_user("daniyar", "focal_point", gov),
        "contributor": make_user("saule", "contributor", gov),
        "ngo_member": make_user("nurlan", "ngo_member", ngo),
        "observer": make_user("olivia", "observer", undp),
        "outsider": make_user("timur"),
    }


@pytest.fixture
def client_for(personas: dict[str, User]) -> Callable[[str], Client]:
    """A logged-in HTTP client for a persona; "anonymous" gives a fresh client."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(personas[persona])
        return client

    return make


@pytest.fixture
def run_worker() -> Callable[[], None]:
    """What ``manage.py db_worker`` does: run every queued task, then stop."""

    def run() -> None:
        import io
        from unittest import mock

        from django.core.management import call_command

        # The worker closes "old" connections between tasks; inside a test's
        # transaction that would close the test's own connection on PostgreSQL.
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ):
            call_command(
                "db_worker", "--batch", "--no-startup-delay", "-v", "0", stdout=io.StringIO()
            )

    return run


@pytest.fixture(scope="session")
def data_dir() -> str:
    from django.conf import settings

    path = str(settings.QADAM_DATA_DIR)
    if not os.path.isdir(path):
        pytest.skip(f"QADAM_DATA_DIR {path} is missing")
    return path


# -- browser tests (marked ``browser``): Debian's headless Chromium via Playwright --

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM, used by
    # the tests to build data, would otherwise refuse to run next to it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    return Path(os.environ.get("QADAM_SCREENSHOT_DIR", "/tmp"))
