"""Progress updates over HTTP: drafting with evidence, submitting, validating,
returning, publishing; bad uploads and refused steps; the evidence download."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from qadam.accounts.models import User
from qadam.tracking.models import Assessment, Evidence, ProgressUpdate
from qadam.tracking.tests import factories as f

ClientFor = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _english_storage(settings: Any, tmp_path: Path) -> Iterator[None]:
    f.use_storage(settings, tmp_path / "private")
    with translation.override("en"):
        yield


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    return tmp_path / "private"


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _draft(client: Client, action_pk: int, **extra: Any) -> Any:
    data = {
        "as_of": "2026-03-31",
        "text": "Synthetic progress: a draft law was prepared",
        "language": "en",
        **extra,
    }
    return client.post(reverse("tracking:update-create", args=[action_pk]), data)


def _step(client: Client, update: ProgressUpdate, to: str, comment: str = "") -> Any:
    update.refresh_from_db()
    return client.post(
        reverse("tracking:update-transition", args=[update.pk]),
        {"to": to, "comment": comment, "version": update.version},
    )


def test_a_focal_point_drafts_with_several_evidence_files_and_submits(
    personas: dict[str, User], client_for: ClientFor, storage: Path
) -> None:
    action = f.action(lead="MLSP")
    client = client_for("focal_point")
    response = _draft(
        client,
        action.pk,
        proposed_status="in-progress",
        spent="250000",
        evidence_files=[
            SimpleUploadedFile("synthetic-order.pdf", f.PDF_BYTES),
            SimpleUploadedFile("synthetic-minutes.docx", f.docx_bytes()),
        ],
    )
    update = ProgressUpdate.objects.get()
    assert response["Location"] == reverse("tracking:update-detail", args=[update.pk])
    assert update.state == "draft"
    assert update.institution.code == "MLSP"
    assert update.author == personas["focal_point"]
    assert update.spent == Decimal("250000")
    names = sorted(update.evidence.values_list("original_name", flat=True))
    assert names == ["synthetic-minutes.docx", "synthetic-order.pdf"]
    assert len(_stored_files(storage)) == 2
    # Stored under a random name, never the user's.
    assert all("synthetic" not in p.name for p in _stored_files(storage))

    page = client.get(reverse("tracking:update-detail", args=[update.pk])).content.decode()
    assert "Submit to the secretariat" in page
    assert _step(client, update, "submitted").status_code == 302
    update.refresh_from_db()
    assert update.state == "submitted"
    assert update.submitted_by == personas["focal_point"]


def test_contributor_drafts_but_cannot_submit(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(lead="MLSP")
    contributor = client_for("contributor")
    response = _draft(contributor, action.pk)
    update = ProgressUpdate.objects.get()
    assert response.status_code == 302
    page = contributor.get(reverse("tracking:update-detail", args=[update.pk])).content.decode()
    assert "Your focal point submits it to the secretariat." in page
    assert "Submit to the secretariat" not in page
    assert "Edit the update" in page

    assert _step(contributor, update, "submitted").status_code == 403
    update.refresh_from_db()
    assert update.state == "draft"

    # The focal point of the same ministry submits it.
    assert _step(client_for("focal_point"), update, "submitted").status_code == 302
    update.refresh_from_db()
    assert update.state == "submitted"


def test_returned_update_can_be_resubmitted(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    update = f.update(f.action(lead="MLSP"), "submitted", "MLSP")
    secretariat, focal = client_for("admin"), client_for("focal_point")

    no_reason = _step(secretariat, update, "returned")
    assert no_reason.status_code == 400
    assert "Say why the update is returned" in no_reason.content.decode()

    assert (
        _step(secretariat, update, "returned", "Synthetic: attach the signed order").status_code
        == 302
    )
    update.refresh_from_db()
    assert (update.state, update.review_comment) == (
        "returned",
        "Synthetic: attach the signed order",
    )

    queue = focal.get(reverse("tracking:queue")).content.decode()
    assert "Synthetic: attach the signed order" in queue

    edit = focal.get(reverse("tracking:update-edit", args=[update.pk])).content.decode()
    assert "The secretariat returned this update" in edit
    focal.post(
        reverse("tracking:update-edit", args=[update.pk]),
        {
            "as_of": "2026-04-30",
            "text": "Synthetic progress with the signed order",
            "language": "en",
            "version": update.version,
            "evidence_files": [SimpleUploadedFile("synthetic-signed-order.pdf", f.PDF_BYTES)],
        },
    )
    assert update.evidence.count() == 1
    assert _step(focal, update, "submitted").status_code == 302
    update.refresh_from_db()
    assert update.state == "submitted"
    assert update.text == "Synthetic progress with the signed order"


def test_validated_update_moves_action_status_and_recommendation_assessment(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    rec = f.recommendation("Synthetic recommendation to adopt a social code", number="3.1")
    action = f.action(lead="MLSP", recommendations=[rec], budget_planned=Decimal("900"))
    other = f.action(
        f.plan("Synthetic second plan"), lead="MIA", recommendations=[rec], status="in-progress"
    )
    update = f.update(action, "submitted", "MLSP", proposed_status="done", spent=Decimal("800"))
    secretariat = client_for("admin")

    assert _step(secretariat, update, "validated", "Synthetic: well evidenced").status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert action.budget_spent == Decimal("800")
    # One action done, the other in progress: partially implemented.
    assert Assessment.objects.get(recommendation=rec).derived_status == "partial"
    page = client_for("anonymous").get(reverse("tracking:assessment", args=[rec.pk]))
    assert "Partially implemented" in page.content.decode()

    # Publishing makes it public, with its evidence.
    assert _step(secretariat, update, "published").status_code == 302
    update.refresh_from_db()
    assert update.state == "published"
    other.refresh_from_db()
    assert other.status == "in-progress"  # another institution's action is not touched


def test_a_step_the_workflow_does_not_allow_is_refused_with_a_clear_message(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    update = f.update(f.action(lead="MLSP"), "draft", "MLSP")
    response = _step(client_for("admin"), update, "validated")
    assert response.status_code == 400
    assert "A progress update cannot go from “Draft” to “Validated”." in response.content.decode()
    update.refresh_from_db()
    assert update.state == "draft"

    published = f.update(f.action(lead="MLSP"), "published", "MLSP")
    response = _step(client_for("focal_point"), published, "submitted")
    assert response.status_code == 400
    assert "cannot go from “Published” to “Submitted”" in response.content.decode()


def test_two_reviewers_at_once_the_second_is_told(
    personas: dict[str, User], client_for: ClientFor, make_user: Callable[..., User]
) -> None:
    update = f.update(f.action(lead="MLSP"), "submitted", "MLSP")
    colleague = Client()
    colleague.force_login(make_user("synthetic-second-admin", "secretariat_admin"))
    started = update.version
    _step(client_for("admin"), update, "validated")
    response = colleague.post(
        reverse("tracking:update-transition", args=[update.pk]),
        {"to": "returned", "comment": "Synthetic late comment", "version": started},
    )
    # Validated by then: returning is no longer a step from there.
    assert response.status_code == 400
    assert "cannot go from “Validated” to “Returned”" in response.content.decode()
    update.refresh_from_db()
    assert update.state == "validated"
    assert update.review_comment == ""


def test_a_stale_edit_of_an_update_is_refused(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    update = f.update(f.action(lead="MLSP"), "draft", "MLSP", text="Synthetic original text")
    started = update.version
    form = {"as_of": "2026-01-31", "language": "en", "version": started}
    focal, contributor = client_for("focal_point"), client_for("contributor")
    assert (
        focal.post(
            reverse("tracking:update-edit", args=[update.pk]),
            {**form, "text": "Synthetic text by the focal point"},
        ).status_code
        == 302
    )
    response = contributor.post(
        reverse("tracking:update-edit", args=[update.pk]),
        {**form, "text": "Synthetic text by the contributor"},
    )
    assert response.status_code == 409
    assert "changed by someone else after you opened it" in response.content.decode()
    update.refresh_from_db()
    assert update.text == "Synthetic text by the focal point"


def test_oversized_evidence_is_refused_and_nothing_saved(
    personas: dict[str, User], client_for: ClientFor, settings: Any, storage: Path
) -> None:
    settings.QADAM_MAX_EVIDENCE_BYTES = 1000
    action = f.action(lead="MLSP")
    big = f.PDF_BYTES + b"0" * 2000
    response = _draft(
        client_for("focal_point"),
        action.pk,
        evidence_files=[
            SimpleUploadedFile("synthetic-fine.pdf", f.PDF_BYTES),
            SimpleUploadedFile("synthetic-huge.pdf", big),
        ],
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "synthetic-huge.pdf is 2.1\xa0KB; evidence files may be at most 1000\xa0bytes." in html
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert _stored_files(storage) == []
    # What the user typed survives.
    assert "Synthetic progress: a draft law was prepared" in html


def test_pdf_renamed_docx_is_refused(
    personas: dict[str, User], client_for: ClientFor, storage: Path
) -> None:
    action = f.action(lead="MLSP")
    response = _draft(
        client_for("focal_point"),
        action.pk,
        evidence_files=[SimpleUploadedFile("synthetic-report.docx", f.PDF_BYTES)],
    )
    assert response.status_code == 400
    assert (
        "synthetic-report.docx is named like one type but its contents are PDF"
        in response.content.decode()
    )
    assert not ProgressUpdate.objects.exists()
    assert _stored_files(storage) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("synthetic.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "is not a PDF, Word, Excel"),
        ("synthetic-empty.pdf", b"", "is empty"),
        ("synthetic.png", f.PDF_BYTES, "named like one type but its contents are PDF"),
    ],
)
def test_other_bad_uploads_are_refused_by_content(
    name: str, data: bytes, message: str, personas: dict[str, User], client_for: ClientFor
) -> None:
    update = f.update(f.action(lead="MLSP"), "draft", "MLSP")
    response = client_for("focal_point").post(
        reverse("tracking:update-edit", args=[update.pk]),
        {
            "as_of": "2026-01-31",
            "text": "Synthetic text",
            "language": "en",
            "version": update.version,
            "evidence_files": [SimpleUploadedFile(name, data)],
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not update.evidence.exists()
    update.refresh_from_db()
    assert update.text != "Synthetic text"


def test_progress_cannot_be_dated_in_the_future(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _draft(client_for("focal_point"), f.action(lead="MLSP").pk, as_of=str(tomorrow))
    assert response.status_code == 400
    assert "Progress cannot be reported for a future date." in response.content.decode()


def test_the_evidence_download_is_a_private_attachment(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    update = f.update(f.action(lead="MLSP"), "draft", "MLSP")
    evidence = f.evidence(
        update,
        f.docx_bytes(),
        "Synthetic minutes.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response: Any = client_for("contributor").get(reverse("tracking:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Synthetic minutes.docx"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content) == f.docx_bytes()
    # The file's storage path is never shown: the page links to the view only.
    page = client_for("contributor").get(reverse("tracking:update-detail", args=[update.pk]))
    assert evidence.file.name not in page.content.decode()
    assert "/files/" not in page.content.decode()


def test_the_action_page_shows_only_the_updates_each_reader_may_see(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    world = f.build_world()
    url = reverse("tracking:action-detail", args=[world.own_action.pk])
    public = client_for("observer").get(url).content.decode()
    assert "Synthetic MLSP published" in public
    for state in ("draft", "submitted", "returned", "validated"):
        assert f"Synthetic MLSP {state}<" not in public
        assert f"synthetic-mlsp-{state}.pdf" not in public
    assert "Report progress" not in public and "Edit the action" not in public
    own = client_for("contributor").get(url).content.decode()
    for state in f.STATES:
        assert f"synthetic-mlsp-{state}.pdf" in own
    assert "Report progress" in own


def test_a_draft_is_deleted_with_its_files(
    personas: dict[str, User], client_for: ClientFor, storage: Path
) -> None:
    update = f.update(f.action(lead="MLSP"), "draft", "MLSP")
    f.evidence(update)
    assert len(_stored_files(storage)) == 1
    client = client_for("contributor")
    assert (
        "Delete the progress update"
        in client.get(reverse("tracking:update-delete", args=[update.pk])).content.decode()
    )
    client.post(reverse("tracking:update-delete", args=[update.pk]))
    assert not ProgressUpdate.objects.exists()
    assert _stored_files(storage) == []
