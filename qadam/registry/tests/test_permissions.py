"""Who may import: the full persona × action matrix, over HTTP.

Only secretariat admins import, preview, confirm, see runs and download stored
uploads. Anonymous visitors are sent to the login page; every other signed-in
persona gets 403, the same 403 whether the run exists or not. The import
template is documentation, so everyone may download it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qadam.accounts.models import User
from qadam.audit.models import AuditEvent
from qadam.registry.actions import do_create_import_run, do_preview_import_run
from qadam.registry.models import ImportRun
from qadam.registry.tests.fixtures import template_csv

PERSONAS = (
    "anonymous",
    "admin",
    "focal_point",
    "contributor",
    "ngo_member",
    "observer",
    "outsider",
)
ACTIONS = (
    "view_import_page",
    "upload",
    "preview",
    "confirm",
    "view_run",
    "list_runs",
    "download_upload",
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """URLs carry the language; a request in another language must not leak into ours."""
    with translation.override("en"):
        yield


@pytest.fixture
def private_storage(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/files/"},
        },
    }
    return tmp_path


@pytest.fixture
def run(personas: dict[str, User], private_storage: Path) -> ImportRun:
    """A previewed run of the secretariat, ready to confirm (invalid rows are skipped)."""
    created = do_create_import_run(
        "template", template_csv(), "synthetic.csv", personas["admin"], {"skip_invalid": True}
    )
    return do_preview_import_run(created)


def _request(client: Client, action: str, run: ImportRun) -> Any:
    pk = run.pk
    if action == "view_import_page":
        return client.get(reverse("registry:import"))
    if action == "upload":
        upload = SimpleUploadedFile("other.csv", template_csv(), content_type="text/csv")
        return client.post(reverse("registry:import"), {"kind": "template", "file": upload})
    if action == "preview":
        return client.post(reverse("registry:import-run-preview", args=[pk]))
    if action == "confirm":
        return client.post(reverse("registry:import-run-confirm", args=[pk]))
    if action == "view_run":
        return client.get(reverse("registry:import-run", args=[pk]))
    if action == "list_runs":
        return client.get(reverse("registry:import-run-list"))
    if action == "download_upload":
        return client.get(reverse("registry:import-run-file", args=[pk]))
    raise AssertionError(action)


def _matrix() -> list[Any]:
    cases = []
    for persona in PERSONAS:
        for action in ACTIONS:
            allowed = persona == "admin"
            verb = "can" if allowed else "cannot"
            cases.append(pytest.param(persona, action, id=f"{persona}_{verb}_{action}"))
    return cases


def _side_effects(run: ImportRun) -> tuple[Any, ...]:
    run.refresh_from_db()
    return (
        ImportRun.objects.count(),
        run.status,
        run.dry_run,
        AuditEvent.objects.filter(action__startswith="registry.import").count(),
    )


@pytest.mark.parametrize(("persona", "action"), _matrix())
def test_only_secretariat_admins_import(
    persona: str, action: str, client_for: Callable[[str], Client], run: ImportRun
) -> None:
    before = _side_effects(run)
    response = _request(client_for(persona), action, run)
    if persona == "anonymous":
        _assert_sent_to_login(response)
    elif persona != "admin":
        assert response.status_code == 403
    else:
        _assert_granted(action, response, run)
        return
    assert _side_effects(run) == before, "a refused request must change nothing"


def _assert_sent_to_login(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/en/import/")


def _assert_granted(action: str, response: Any, run: ImportRun) -> None:
    run_url = reverse("registry:import-run", args=[run.pk])
    if action in ("view_import_page", "view_run", "list_runs"):
        assert response.status_code == 200
    elif action == "upload":
        newest = ImportRun.objects.order_by("-pk").first()
        assert newest is not None and newest.pk != run.pk
        assert response.status_code == 302
        assert response["Location"] == reverse("registry:import-run", args=[newest.pk])
    elif action in ("preview", "confirm"):
        assert response.status_code == 302
        assert response["Location"] == run_url
        run.refresh_from_db()
        expected = ImportRun.Status.QUEUED if action == "confirm" else ImportRun.Status.PREVIEWED
        assert run.status == expected
    else:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response.getvalue() == template_csv()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_everyone_may_download_the_import_template(
    persona: str, fmt: str, client_for: Callable[[str], Client]
) -> None:
    response = client_for(persona).get(reverse("registry:import-template", args=[fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="qadam-import-template.{fmt}"'
    )
    body = response.content
    assert body.startswith(b"PK") if fmt == "xlsx" else b"text" in body


def test_unknown_template_format_is_not_found(client_for: Callable[[str], Client]) -> None:
    response = client_for("anonymous").get(reverse("registry:import-template", args=["pdf"]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("admin", "anonymous")])
@pytest.mark.parametrize("page", ["import-run", "import-run-file"])
def test_refusal_does_not_reveal_whether_a_run_exists(
    persona: str, page: str, client_for: Callable[[str], Client], run: ImportRun
) -> None:
    client = client_for(persona)
    existing = client.get(reverse(f"registry:{page}", args=[run.pk]))
    missing = client.get(reverse(f"registry:{page}", args=[run.pk + 1000]))
    assert existing.status_code == missing.status_code == 403
    assert existing.content == missing.content


@pytest.mark.parametrize(
    "page", ["import-run", "import-run-file", "import-run-preview", "import-run-confirm"]
)
def test_admin_gets_not_found_for_a_run_that_does_not_exist(
    page: str, client_for: Callable[[str], Client], run: ImportRun
) -> None:
    client = client_for("admin")
    url = reverse(f"registry:{page}", args=[run.pk + 1000])
    response = client.post(url) if page.endswith(("preview", "confirm")) else client.get(url)
    assert response.status_code == 404


def test_admin_gets_not_found_for_the_file_of_a_command_line_run(
    client_for: Callable[[str], Client], private_storage: Path
) -> None:
    cli_run = ImportRun.objects.create(kind="template", filename="cli.csv", status="done")
    response = client_for("admin").get(reverse("registry:import-run-file", args=[cli_run.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["import-run-preview", "import-run-confirm"])
def test_preview_and_confirm_refuse_get(
    page: str, client_for: Callable[[str], Client], run: ImportRun
) -> None:
    response = client_for("admin").get(reverse(f"registry:{page}", args=[run.pk]))
    assert response.status_code == 405
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED


def test_stored_uploads_are_not_served_under_a_public_url(
    client_for: Callable[[str], Client], run: ImportRun, private_storage: Path
) -> None:
    stored = Path(run.file.path)
    assert stored.is_file() and private_storage in stored.parents
    for persona in ("anonymous", "admin"):
        response = client_for(persona).get("/files/" + run.file.name)
        assert response.status_code == 404


def test_superuser_without_role_may_import(
    make_user: Callable[..., User], client_for: Callable[[str], Client]
) -> None:
    root = make_user("root")
    root.is_superuser = True
    root.save()
    client = Client()
    client.force_login(root)
    assert client.get(reverse("registry:import")).status_code == 200
