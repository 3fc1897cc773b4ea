"""Full-text search over recommendation text, whatever the database.

``search_text`` holds every language's text, normalised. Each query word must
appear (AND); words are matched as prefixes so that "tortur" finds "torture".
"""

from __future__ import annotations

from django.db.models import QuerySet

from qadam.lib.text import normalise_for_match
from qadam.registry.models import Recommendation


def search_filter(qs: QuerySet[Recommendation], q: str) -> QuerySet[Recommendation]:
    for word in normalise_for_match(q).split()[:10]:
        qs = qs.filter(search_text__contains=word)
    return qs
