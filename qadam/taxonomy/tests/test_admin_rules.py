"""Permissions on reference data, and the admin pages that edit it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEvent
from qadam.taxonomy.actions import do_load_reference
from qadam.taxonomy.models import Term, TermMapping

pytestmark = pytest.mark.django_db

MODELS = (
    "taxonomy",
    "term",
    "termmapping",
    "mechanism",
    "cycle",
    "session",
    "state",
    "institution",
    "region",
)


ROLES = ("secretariat_admin", "focal_point", "contributor", "ngo_member", "observer", "")


def make_user(role: str, **extra: Any) -> User:
    # No password: hashing one costs more than the rest of a test.
    return User.objects.create(username=f"user-{role or 'none'}", role=role, **extra)


def test_everyone_reads_only_the_secretariat_edits() -> None:
    users = {role: make_user(role) for role in ROLES}
    for model in MODELS:
        assert AnonymousUser().has_perm(f"taxonomy.view_{model}")
        assert users["secretariat_admin"].has_perm(f"taxonomy.change_{model}")
        for role in ROLES[1:]:
            assert not users[role].has_perm(f"taxonomy.change_{model}"), role
            assert not users[role].has_perm(f"taxonomy.delete_{model}"), role
    assert users["secretariat_admin"].has_perm("taxonomy.load_reference")


@pytest.fixture
def staff_client(tmp_path: Path) -> Client:
    # The curated files alone: no third-party data needed for the admin.
    do_load_reference(data_dir=tmp_path)
    client = Client()
    client.force_login(make_user("secretariat_admin", is_staff=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_load_and_search(staff_client: Client, model: str) -> None:
    url = reverse(f"admin:taxonomy_{model}_changelist")
    assert staff_client.get(url).status_code == 200
    assert staff_client.get(url, {"q": "Казахстан"}).status_code == 200


def test_admin_searches_names_in_every_language(staff_client: Client) -> None:
    url = reverse("admin:taxonomy_institution_changelist")
    page = staff_client.get(url, {"q": "Әділет"}).content.decode()
    assert "Ministry of Justice" in page
    url = reverse("admin:taxonomy_state_changelist")
    page = staff_client.get(url, {"q": "Казахстан"}).content.decode()
    assert "KAZ" in page


def test_mapping_is_edited_in_the_admin_and_audited(staff_client: Client) -> None:
    mapping = TermMapping.objects.select_related("source", "target").first()
    assert mapping is not None
    url = reverse("admin:taxonomy_termmapping_change", args=[mapping.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "source": mapping.source_id,
            "target": mapping.target_id,
            "relation": "related",
            "note": "Checked by the secretariat.",
        },
    )
    assert response.status_code == 302
    mapping.refresh_from_db()
    assert (mapping.relation, mapping.note) == ("related", "Checked by the secretariat.")
    event = AuditEvent.objects.get(action="taxonomy.admin.change")
    assert event.changes == {"fields": ["relation", "note"]}


def test_term_page_shows_its_mappings(staff_client: Client) -> None:
    mapping = TermMapping.objects.first()
    assert mapping is not None
    url = reverse("admin:taxonomy_term_change", args=[mapping.source_id])
    page = staff_client.get(url).content.decode()
    assert "mappings to other taxonomies" in page.lower()


def test_a_mapping_added_inline_is_audited(staff_client: Client) -> None:
    source = Term.objects.get(taxonomy__code="upr-info-issue", code="elections")
    target = Term.objects.get(taxonomy__code="ohchr-theme", code="civil-society-cooperation")
    existing = list(source.mappings_out.all())
    data = {
        "taxonomy": source.taxonomy_id,
        "code": source.code,
        "name": json.dumps(source.name),
        "aliases": json.dumps(source.aliases),
        "sort_key": source.sort_key,
        "mappings_out-TOTAL_FORMS": len(existing) + 1,
        "mappings_out-INITIAL_FORMS": len(existing),
        "mappings_in-TOTAL_FORMS": 0,
        "mappings_in-INITIAL_FORMS": 0,
    }
    for i, m in enumerate(existing):
        data.update(
            {
                f"mappings_out-{i}-id": m.pk,
                f"mappings_out-{i}-source": source.pk,
                f"mappings_out-{i}-target": m.target_id,
                f"mappings_out-{i}-relation": m.relation,
                f"mappings_out-{i}-note": m.note,
            }
        )
    n = len(existing)
    data.update(
        {
            f"mappings_out-{n}-source": source.pk,
            f"mappings_out-{n}-target": target.pk,
            f"mappings_out-{n}-relation": "related",
            f"mappings_out-{n}-note": "",
        }
    )
    url = reverse("admin:taxonomy_term_change", args=[source.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = TermMapping.objects.get(source=source, target=target)
    assert AuditEvent.objects.filter(action="taxonomy.admin.add", object_id=str(added.pk)).exists()


def test_non_staff_cannot_reach_the_admin() -> None:
    client = Client()
    client.force_login(make_user("focal_point"))
    response = client.get(reverse("admin:taxonomy_term_changelist"))
    assert response.status_code == 302
