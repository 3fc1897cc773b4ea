import pytest
from django.contrib.auth.models import AnonymousUser

from qadam.accounts.models import Organisation
from qadam.accounts.rules import (
    is_contributor,
    is_focal_point,
    is_government,
    is_ngo_member,
    is_observer,
    is_secretariat_admin,
)

PREDICATES = {
    "admin": is_secretariat_admin,
    "focal_point": is_focal_point,
    "contributor": is_contributor,
    "ngo_member": is_ngo_member,
    "observer": is_observer,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [*PREDICATES, "outsider"])
def test_each_persona_holds_exactly_its_own_role(personas, persona):
    held = {name for name, pred in PREDICATES.items() if pred(personas[persona])}
    assert held == ({persona} if persona in PREDICATES else set())


def test_anonymous_holds_no_role():
    assert not any(pred(AnonymousUser()) for pred in PREDICATES.values())


@pytest.mark.django_db
def test_superuser_counts_as_secretariat_admin(make_user):
    root = make_user("root")
    root.is_superuser = True
    assert is_secretariat_admin(root)


@pytest.mark.django_db
def test_focal_points_and_contributors_are_government(personas):
    assert is_government(personas["focal_point"])
    assert is_government(personas["contributor"])
    assert not is_government(personas["ngo_member"])


@pytest.mark.django_db
def test_organisation_types_cover_the_five_kinds():
    assert set(Organisation.Kind.values) == {"government", "nhri", "ngo", "observer", "parliament"}
