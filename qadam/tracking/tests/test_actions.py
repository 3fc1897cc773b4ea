"""The audited writes of qadam.tracking.actions, called directly (no HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qadam.accounts.models import User
from qadam.tracking.tests import factories as f


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> None:
    f.use_storage(settings, tmp_path)


def test_the_world_builds(personas: dict[str, User]) -> None:
    world = f.build_world()
    assert world.own_action.assignments.count() == 2
    assert set(world.own_updates) == set(f.STATES)
    assert world.own_evidence["draft"].file.read().startswith(b"%PDF")
