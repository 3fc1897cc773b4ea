"""The web plan import: upload → preview (a dry run) → confirm → report, for the
secretariat only; small imports inline, big ones through the task worker."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from qadam.audit.models import AuditEvent
from qadam.lib.plan_table import PLAN_COLUMNS
from qadam.tracking import importing
from qadam.tracking.models import Action, Plan
from qadam.tracking.tests.test_plan_import import (
    ACTIVITIES,
    FIRST_ROW,
    PDF,
    counts,
    follow_up_xlsx,
    with_cell,
)


@pytest.fixture(autouse=True)
def reference(db: None) -> None:
    call_command("load_reference", only=["institutions"], stdout=io.StringIO())


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/files/"},
        },
    }
    return tmp_path


def data_counts() -> dict[str, int]:
    """What an import writes, audit events aside (an upload is audited)."""
    return {k: v for k, v in counts().items() if k != "audit"}


@pytest.fixture
def admin(client_for: Callable[[str], Client]) -> Client:
    return client_for("admin")


def upload(client: Client, data: bytes, name: str = "follow-up-2022.xlsx", **fields: Any) -> Any:
    payload = {
        "file": SimpleUploadedFile(name, data),
        "title_en": "Follow-up Plan 2022 (web test)",
        "kind": "follow-up",
        "adopted_by": "Government decree No. 258 of 28 April 2022",
        "adopted_on": "2022-04-28",
        **fields,
    }
    return client.post(reverse("tracking:plan-import"), payload)


def token_of(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_the_page_offers_the_upload_and_the_templates(admin: Client) -> None:
    html = admin.get(reverse("tracking:plan-import")).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert reverse("tracking:plan-import-template", args=["xlsx"]) in html
    assert reverse("tracking:plan-import-template", args=["csv"]) in html
    assert "Agencies in charge" in html


def test_the_template_is_public_documentation(client: Client) -> None:
    response = client.get(reverse("tracking:plan-import-template", args=["xlsx"]))
    assert response.status_code == 200
    assert "qadam-plan-template.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Plan"]
    assert [c.value for c in sheet[1]] == list(PLAN_COLUMNS)
    csv = client.get(reverse("tracking:plan-import-template", args=["csv"]))
    assert csv.content.decode("utf-8-sig").startswith("number,title,")
    assert client.get(reverse("tracking:plan-import-template", args=["pdf"])).status_code == 404


def test_upload_previews_then_confirm_imports_inline(admin: Client) -> None:
    before = data_counts()
    token = token_of(upload(admin, follow_up_xlsx()))
    assert data_counts() == before  # the preview is a dry run
    assert AuditEvent.objects.filter(action="tracking.plan.import.upload").count() == 1
    page = admin.get(reverse("tracking:plan-import-preview", args=[token])).content.decode()
    assert "Preview: nothing has been written yet" in page
    assert "To create: 4. To update: 0. Unchanged: 0. Rejected: 0." in page
    assert page.count("<td>follow-up-2022.xlsx</td>") == 4
    assert "The plan gives no outcome for this action." in page
    assert "Confirm the import" in page

    response = admin.post(reverse("tracking:plan-import-confirm", args=[token]))
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.title == {"en": "Follow-up Plan 2022 (web test)"}
    assert plan.adopted_by == "Government decree No. 258 of 28 April 2022"
    assert plan.actions.count() == 4
    page = admin.get(response["Location"]).content.decode()
    assert "The plan is imported." in page and "Imported" in page
    assert reverse("tracking:plan-detail", args=[plan.pk]) in page
    # A second confirmation is refused: the upload is imported already.
    admin.post(reverse("tracking:plan-import-confirm", args=[token]))
    assert Action.objects.count() == 4


def test_importing_again_into_the_plan_reports_unchanged(admin: Client) -> None:
    plan_token = token_of(upload(admin, follow_up_xlsx()))
    admin.post(reverse("tracking:plan-import-confirm", args=[plan_token]))
    plan = Plan.objects.get()
    token = token_of(upload(admin, follow_up_xlsx(), plan=str(plan.pk), title_en=""))
    page = admin.get(reverse("tracking:plan-import-preview", args=[token])).content.decode()
    assert "To create: 0. To update: 0. Unchanged: 4. Rejected: 0." in page


def test_a_rejected_row_is_shown_and_cannot_be_confirmed(admin: Client) -> None:
    before = data_counts()
    token = token_of(upload(admin, follow_up_xlsx(with_cell(0, 4, "MIA, Ministry of Magic"))))
    page = admin.get(reverse("tracking:plan-import-preview", args=[token])).content.decode()
    assert "Some rows are rejected, so this import would write nothing." in page
    assert f"<td>{FIRST_ROW}</td>" in page and "<td>agencies</td>" in page
    assert "Unknown agency “Ministry of Magic”" in page
    assert "Confirm the import" not in page
    response = admin.post(reverse("tracking:plan-import-confirm", args=[token]), follow=True)
    assert "Only a previewed import whose preview rejected no rows" in response.content.decode()
    assert data_counts() == before


def test_an_unreadable_file_is_named_on_its_page(admin: Client) -> None:
    token = token_of(upload(admin, PDF, "plan.xlsx"))
    page = admin.get(reverse("tracking:plan-import-preview", args=[token])).content.decode()
    assert "plan.xlsx: This is a PDF document, not an XLSX or CSV file." in page
    assert "Confirm the import" not in page


def test_the_form_needs_a_plan_or_a_title(admin: Client) -> None:
    response = upload(admin, follow_up_xlsx(), title_en="")
    assert response.status_code == 400
    assert "Choose the plan to import into, or give the title of a new plan." in (
        response.content.decode()
    )
    empty = upload(admin, b"", "empty.xlsx")
    assert empty.status_code == 400 and "The submitted file is empty." in empty.content.decode()


def _run_worker() -> None:
    """What ``manage.py db_worker`` does: run every queued task, then stop (keeping the
    test's connection, as the registry's import tests do)."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0", stdout=io.StringIO())


def test_a_big_import_runs_as_a_background_task(
    admin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "INLINE_ROWS", 2)
    token = token_of(upload(admin, follow_up_xlsx()))
    response = admin.post(reverse("tracking:plan-import-confirm", args=[token]), follow=True)
    page = response.content.decode()
    assert "The import is queued; this page follows its progress." in page
    assert response.redirect_chain[-1][0].endswith(f"/{token}/")
    queued = admin.get(reverse("tracking:plan-import-preview", args=[token]))
    assert queued["Refresh"] == "3" and Plan.objects.count() == 0
    _run_worker()
    done = admin.get(reverse("tracking:plan-import-preview", args=[token]))
    assert not done.has_header("Refresh")
    assert "Created: 4." in done.content.decode()
    assert Plan.objects.get().actions.count() == 4
    # A task delivered twice imports once.
    from qadam.tracking.tasks import import_staged_plan

    assert import_staged_plan.call(token, None) == "done"


def test_a_queued_import_whose_user_is_gone_writes_nothing(
    admin: Client, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "INLINE_ROWS", 2)
    token = token_of(upload(admin, follow_up_xlsx()))
    admin.post(reverse("tracking:plan-import-confirm", args=[token]))
    from qadam.tracking.tasks import import_staged_plan

    assert import_staged_plan.call(token, personas["admin"].pk + 1000) == "failed"
    assert importing.load_staged(token).error.startswith("The user who confirmed the import")
    assert Plan.objects.count() == 0


@pytest.mark.parametrize("persona", ["focal_point", "contributor", "ngo_member", "observer"])
def test_only_the_secretariat_may_import(
    persona: str, client_for: Callable[[str], Client], admin: Client
) -> None:
    token = token_of(upload(admin, follow_up_xlsx()))
    client = client_for(persona)
    assert client.get(reverse("tracking:plan-import")).status_code == 403
    assert upload(client, follow_up_xlsx()).status_code == 403
    preview = reverse("tracking:plan-import-preview", args=[token])
    assert client.get(preview).status_code == 403
    assert client.post(reverse("tracking:plan-import-confirm", args=[token])).status_code == 403
    assert Plan.objects.count() == 0


def test_anonymous_visitors_log_in_first_and_unknown_imports_are_404(
    client: Client, admin: Client
) -> None:
    response = client.get(reverse("tracking:plan-import"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    missing = reverse("tracking:plan-import-preview", args=["0" * 32])
    assert admin.get(missing).status_code == 404
    assert admin.get(missing.replace("0" * 32, "..%2Fstate.json")).status_code == 404


def test_the_activities_quoted_in_the_issue_are_the_test_material() -> None:
    assert len(ACTIVITIES) == 4 and ACTIVITIES[3][2:] == [None, None, None]
