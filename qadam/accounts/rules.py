"""Role predicates shared by every app's rules.py."""

from __future__ import annotations

from typing import Any

import rules


def _role(user: Any) -> str:
    return getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""


@rules.predicate
def is_secretariat_admin(user: Any) -> bool:
    return _role(user) == "secretariat_admin" or bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_focal_point(user: Any) -> bool:
    return _role(user) == "focal_point"


@rules.predicate
def is_contributor(user: Any) -> bool:
    return _role(user) == "contributor"


@rules.predicate
def is_ngo_member(user: Any) -> bool:
    return _role(user) == "ngo_member"


@rules.predicate
def is_observer(user: Any) -> bool:
    return _role(user) == "observer"


is_government = is_focal_point | is_contributor
