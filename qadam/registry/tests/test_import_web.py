"""The web import flow, end to end: upload → preview → confirm → task → report."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from qadam.audit.models import AuditEvent
from qadam.registry import actions
from qadam.registry.models import ImportRun, Recommendation
from qadam.registry.tests.fixtures import (
    PDF_BYTES,
    TEMPLATE_ROWS,
    load_reference_data,
    registry_counts,
    template_csv,
    upr_info_csv,
    with_row,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """URLs carry the language; a request in another language must not leak out."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def reference(db: None) -> None:
    load_reference_data()


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


@pytest.fixture
def admin(client_for: Callable[[str], Client]) -> Client:
    return client_for("admin")


def _upload(client: Client, data: bytes, name: str = "synthetic.csv", **fields: Any) -> Any:
    payload = {"kind": "template", "file": SimpleUploadedFile(name, data), **fields}
    return client.post(reverse("registry:import"), payload)


def _run_worker() -> None:
    """What ``manage.py db_worker`` does: run every queued task, then stop.

    The worker closes "old" connections between tasks; inside a test's transaction
    that would close the test's own connection (on PostgreSQL), so not here.
    """
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0", stdout=io.StringIO())


def _latest_run() -> ImportRun:
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    return run


def test_import_page_offers_the_five_kinds_the_options_and_the_templates(admin: Client) -> None:
    response = admin.get(reverse("registry:import"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("upr-report", "upr-info", "ohchr-list", "uhri", "template"):
        assert f'value="{kind}"' in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert 'name="skip_invalid"' in html and 'name="state"' in html and 'name="sessions"' in html
    assert reverse("registry:import-template", args=["xlsx"]) in html
    assert reverse("registry:import-template", args=["csv"]) in html
    assert "At most 50.0" in html  # the size limit, from QADAM_MAX_IMPORT_BYTES


def test_upload_stores_the_file_privately_and_shows_a_preview_writing_nothing(
    admin: Client, private_storage: Path
) -> None:
    before = registry_counts()
    response = _upload(admin, template_csv())
    run = _latest_run()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import-run", args=[run.pk])
    assert run.status == ImportRun.Status.PREVIEWED and run.dry_run
    assert run.counts["created"] == 3
    assert Path(run.file.path).read_bytes() == template_csv()
    assert private_storage in Path(run.file.path).parents
    assert registry_counts() == before
    page = admin.get(response["Location"]).content.decode()
    assert "Preview: nothing has been written yet" in page
    assert "Confirm the import" in page
    assert page.count("<td>synthetic.csv</td>") == 3  # one report row per recommendation


def test_confirm_queues_a_stored_task_that_the_worker_runs(
    admin: Client, personas: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _upload(admin, template_csv())
    run = _latest_run()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("registry:import-run-confirm", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED and not run.dry_run
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"][0] == run.pk  # in the database: survives a restart
    assert Recommendation.objects.count() == 0

    queued = admin.get(reverse("registry:import-run", args=[run.pk]))
    html = queued.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "<progress" in html and queued["Refresh"] == "3"

    _run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert (run.progress, run.counts["created"]) == (100, 3)
    assert run.finished_at is not None
    assert Recommendation.objects.count() == 3

    done = admin.get(reverse("registry:import-run", args=[run.pk]))
    assert "Refresh" not in done
    assert '<meta http-equiv="refresh"' not in done.content.decode()


def test_the_audit_log_and_the_run_page_name_who_uploaded_and_confirmed(
    client_for: Callable[[str], Client],
    personas: dict[str, Any],
    make_user: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _upload(client_for("admin"), template_csv())
    run = _latest_run()
    colleague = make_user("bota", "secretariat_admin")
    other = Client()
    other.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        other.post(reverse("registry:import-run-confirm", args=[run.pk]))
    _run_worker()
    events = {
        e.action: e.actor
        for e in AuditEvent.objects.filter(object_type="registry.importrun", object_id=run.pk)
    }
    assert events == {
        "registry.import.upload": personas["admin"],
        "registry.import.preview": personas["admin"],
        "registry.import.confirm": colleague,
        "registry.import": colleague,
    }
    page = other.get(reverse("registry:import-run", args=[run.pk])).content.decode()
    assert "Imported the recommendations" in page and "bota" in page and "aigerim" in page


def test_preview_with_rejected_rows_cannot_be_confirmed(admin: Client) -> None:
    bad = with_row(TEMPLATE_ROWS, 1, ohchr_themes="Not a real theme")
    _upload(admin, template_csv(bad))
    run = _latest_run()
    assert run.status == ImportRun.Status.PREVIEWED
    page = admin.get(reverse("registry:import-run", args=[run.pk])).content.decode()
    assert "Confirm the import" not in page
    assert "unknown term “Not a real theme”" in page
    response = admin.post(reverse("registry:import-run-confirm", args=[run.pk]), follow=True)
    assert "can be confirmed" in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED
    assert not DBTaskResult.objects.exists()


def test_skip_invalid_lets_the_valid_rows_be_imported(
    admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    bad = with_row(TEMPLATE_ROWS, 1, ohchr_themes="Not a real theme")
    _upload(admin, template_csv(bad), skip_invalid="on")
    run = _latest_run()
    assert run.options == {"skip_invalid": True}
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("registry:import-run-confirm", args=[run.pk]))
    _run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.counts["created"] == 2 and run.counts["rejected"] == 1
    assert Recommendation.objects.count() == 2


def test_a_run_cannot_be_confirmed_twice(
    admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(admin, template_csv())
    run = _latest_run()
    url = reverse("registry:import-run-confirm", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url)
        admin.post(url)
    assert DBTaskResult.objects.count() == 1


def test_report_filters_by_outcome(admin: Client) -> None:
    bad = with_row(TEMPLATE_ROWS, 1, ohchr_themes="Not a real theme")
    _upload(admin, template_csv(bad), skip_invalid="on")
    run = _latest_run()
    url = reverse("registry:import-run", args=[run.pk])
    page = admin.get(url, {"outcome": "rejected"}).content.decode()
    assert page.count("<td>synthetic.csv</td>") == 1
    assert "Not a real theme" in page
    page = admin.get(url, {"outcome": "created"}).content.decode()
    assert page.count("<td>synthetic.csv</td>") == 2


def test_unreadable_upload_fails_with_the_error_named(admin: Client) -> None:
    _upload(admin, PDF_BYTES, name="renamed.csv")
    run = _latest_run()
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("renamed.csv: this is a PDF document")
    page = admin.get(reverse("registry:import-run", args=[run.pk])).content.decode()
    assert "renamed.csv: this is a PDF document" in page
    assert "Confirm the import" not in page


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("list.pdf", "ohchr-list", "expected a file ending in .docx"),
        ("report.csv", "upr-report", "expected a file ending in .txt"),
        ("export.xlsx", "upr-info", "expected a file ending in .csv"),
    ],
)
def test_upload_with_the_wrong_extension_is_refused(
    admin: Client, name: str, kind: str, message: str
) -> None:
    response = _upload(admin, b"x,y\n1,2\n", name=name, kind=kind)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_upload_over_the_size_limit_is_refused(admin: Client, settings: Any) -> None:
    settings.QADAM_MAX_IMPORT_BYTES = 100
    response = _upload(admin, template_csv())
    html = response.content.decode()
    assert response.status_code == 400
    assert "the largest file accepted is 100" in html
    assert "At most 100" in html
    assert not ImportRun.objects.exists()


def test_empty_upload_is_refused(admin: Client) -> None:
    response = _upload(admin, b"")
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


def test_state_and_session_filters_are_for_upr_info_only(admin: Client) -> None:
    response = _upload(admin, template_csv(), state="Kazakhstan")
    assert response.status_code == 400
    assert "apply to UPR Info exports only" in response.content.decode()


def test_upr_info_options_are_stored_and_applied(admin: Client) -> None:
    response = _upload(
        admin,
        upr_info_csv(),
        name="upr.csv",
        kind="upr-info",
        state="Kazakhstan",
        sessions="20, 7",
    )
    assert response.status_code == 302
    run = _latest_run()
    assert run.options == {"skip_invalid": False, "state": "Kazakhstan", "sessions": ["7", "20"]}
    assert run.counts["created"] == 2  # the row to France is left out


def test_bad_session_number_is_refused(admin: Client) -> None:
    response = _upload(admin, upr_info_csv(), name="u.csv", kind="upr-info", sessions="7, x")
    assert response.status_code == 400
    assert "x is not a session number" in response.content.decode()


def test_big_upload_is_previewed_by_the_worker(
    admin: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(actions, "INLINE_PREVIEW_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin, template_csv())
    run = _latest_run()
    assert (run.status, run.dry_run) == (ImportRun.Status.QUEUED, True)
    page = admin.get(reverse("registry:import-run", args=[run.pk])).content.decode()
    assert "Preview in progress" in page
    _run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED
    assert run.counts["created"] == 3 and Recommendation.objects.count() == 0


def test_preview_again_after_the_reference_data_changed(admin: Client) -> None:
    from qadam.taxonomy.models import Taxonomy, Term

    _upload(admin, template_csv(with_row(TEMPLATE_ROWS, 1, ohchr_themes="Synthetic theme")))
    run = _latest_run()
    assert run.counts["rejected"] == 1
    Term.objects.create(
        taxonomy=Taxonomy.objects.get(code="ohchr-theme"),
        code="synthetic",
        name={"en": "Synthetic theme"},
    )
    admin.post(reverse("registry:import-run-preview", args=[run.pk]))
    run.refresh_from_db()
    assert run.counts["rejected"] == 0 and run.status == ImportRun.Status.PREVIEWED


def test_run_list_shows_web_and_command_line_runs(admin: Client) -> None:
    _upload(admin, template_csv())
    ImportRun.objects.create(kind="upr-info", filename="cli.csv", status="done")
    html = admin.get(reverse("registry:import-run-list")).content.decode()
    assert "synthetic.csv" in html and "cli.csv" in html
    assert "aigerim" in html and "command line" in html
    assert "UPR Info database export (CSV)" in html and "Qadam template (CSV/XLSX)" in html


def test_download_of_the_stored_upload_is_an_attachment(admin: Client) -> None:
    _upload(admin, template_csv())
    run = _latest_run()
    response = admin.get(reverse("registry:import-run-file", args=[run.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="synthetic.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.getvalue() == template_csv()


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_import_pages_render_in_every_language(admin: Client, language: str) -> None:
    _upload(admin, template_csv())
    run = _latest_run()
    for url in (
        f"/{language}/import/",
        f"/{language}/import/runs/",
        f"/{language}/import/runs/{run.pk}/",
    ):
        assert admin.get(url).status_code == 200


def test_a_file_name_too_long_to_keep_is_refused(admin: Client) -> None:
    response = _upload(admin, template_csv(), name="x" * 250 + ".csv")
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


def test_an_unexpected_error_fails_the_run_and_writes_nothing(
    admin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr("qadam.registry.importing.Importer.run", explode)
    before = registry_counts()
    _upload(admin, template_csv())
    run = _latest_run()
    assert run.status == ImportRun.Status.FAILED
    assert "unexpected error; nothing was written" in run.error
    assert registry_counts() == before


def test_a_task_delivered_twice_imports_once(
    admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from qadam.registry.tasks import run_import

    _upload(admin, template_csv())
    run = _latest_run()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("registry:import-run-confirm", args=[run.pk]))
    _run_worker()
    audit_before = AuditEvent.objects.filter(action="registry.import").count()
    assert run_import.call(run.pk) == ImportRun.Status.DONE
    assert AuditEvent.objects.filter(action="registry.import").count() == audit_before


@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_where_the_web_process_sees_it() -> None:
    """Outside a transaction at once; inside the import's transaction only on PostgreSQL."""
    from django.db import connection, transaction

    run = ImportRun.objects.create(kind="template", filename="p.csv", status="running")
    with actions._ProgressWriter(run.pk) as progress:
        progress(37)
        run.refresh_from_db()
        assert run.progress == 37
        with transaction.atomic():
            progress(60)
    run.refresh_from_db()
    assert run.progress == (60 if connection.vendor == "postgresql" else 37)


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_runs_a_confirmed_import_after_commit(
    client_for: Callable[[str], Client],
) -> None:
    """No test transaction here: the task is committed, then a worker picks it up."""
    load_reference_data()
    admin = client_for("admin")
    _upload(admin, template_csv())
    run = _latest_run()
    admin.post(reverse("registry:import-run-confirm", args=[run.pk]))
    assert DBTaskResult.objects.get().status == "READY"
    call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0", stdout=io.StringIO())
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert Recommendation.objects.count() == 3
