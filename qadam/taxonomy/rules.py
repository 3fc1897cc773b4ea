"""Who may do what with reference data: everyone reads it; the secretariat edits it."""

from __future__ import annotations

import rules

from qadam.accounts.rules import is_secretariat_admin

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

for model in MODELS:
    # Reference data is public: the portal shows every name and mapping.
    rules.add_perm(f"taxonomy.view_{model}", rules.always_allow)
    for verb in ("add", "change", "delete"):
        rules.add_perm(f"taxonomy.{verb}_{model}", is_secretariat_admin)

# Running load_reference from the web (a future admin action) needs this.
rules.add_perm("taxonomy.load_reference", is_secretariat_admin)
