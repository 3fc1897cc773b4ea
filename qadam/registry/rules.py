"""Who may do what in the registry. Published recommendations are public."""

from __future__ import annotations

import rules

from qadam.accounts.rules import is_secretariat_admin

rules.add_perm("registry.view_recommendation", rules.always_allow)
rules.add_perm("registry.view_sourcedocument", rules.always_allow)
# Only the secretariat imports, until the tracking work adds more writers.
rules.add_perm("registry.import", is_secretariat_admin)
rules.add_perm("registry.view_importrun", is_secretariat_admin)
rules.add_perm("registry.download_original", is_secretariat_admin)
rules.add_perm("registry.change_label", is_secretariat_admin)
