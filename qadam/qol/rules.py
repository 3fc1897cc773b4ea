"""Who may do what with quality-of-life standards.

The standard and its verdicts are public: the point is that anyone can check a region.
Only the secretariat saves a new version or starts an evaluation; everyone may try a
"what if" (it is computed, never saved)."""

from __future__ import annotations

import rules

from qadam.accounts.rules import is_secretariat_admin

rules.add_perm("qol.view_standard", rules.always_allow)
rules.add_perm("qol.what_if", rules.always_allow)
rules.add_perm("qol.edit_standard", is_secretariat_admin)
rules.add_perm("qol.evaluate", is_secretariat_admin)
