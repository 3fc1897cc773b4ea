"""Who may do what with models, suggestions and overlap groups.

Accuracy is published: anyone may read a model version and its evaluation. Machine
suggestions are drafts, so only signed-in people with a role see them; only the
secretariat trains, switches models, starts runs and decides."""

from __future__ import annotations

import rules

from qadam.accounts.rules import (
    is_government,
    is_ngo_member,
    is_observer,
    is_secretariat_admin,
)

has_role = is_secretariat_admin | is_government | is_ngo_member | is_observer

rules.add_perm("labelling.view_modelversion", rules.always_allow)
rules.add_perm("labelling.train", is_secretariat_admin)
rules.add_perm("labelling.activate_modelversion", is_secretariat_admin)
rules.add_perm("labelling.view_suggestions", has_role)
rules.add_perm("labelling.classify", has_role)
rules.add_perm("labelling.run", is_secretariat_admin)
rules.add_perm("labelling.decide", is_secretariat_admin)
rules.add_perm("labelling.view_overlap", has_role)
rules.add_perm("labelling.decide_overlap", is_secretariat_admin)
