"""Who may do what with indicators.

Official statistics are public: anyone reads indicators, series and observations.
Import reports name files and rows of a source, so every role may read them; only the
secretariat imports data and links indicators to recommendations."""

from __future__ import annotations

import rules

from qadam.accounts.rules import is_secretariat_admin

rules.add_perm("indicators.view_indicator", rules.always_allow)
rules.add_perm("indicators.view_import", rules.is_authenticated)
rules.add_perm("indicators.import", is_secretariat_admin)
rules.add_perm("indicators.link", is_secretariat_admin)
