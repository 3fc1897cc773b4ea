"""Full-text search over recommendation text, whatever the database.

``search_text`` holds every language's text, normalised (``normalise_for_match``:
case-folded, Latin accents stripped, Cyrillic kept whole). A query is normalised
the same way and split into word tokens; every token must match (AND), as a
prefix, so that "tortur" finds "torture" and "пыт" finds "пытки".

Each backend uses its own index, created by migration 0002:

* SQLite: an external-content FTS5 table ``registry_recommendation_fts`` over
  ``search_text``, kept in sync by triggers on insert, update and delete.
* PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)``; queries are
  written with the very same expression so that the planner can use it.
* Anything else: ``search_text LIKE %word%`` per token (a full scan, but correct).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection as default_connection
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.db.models.expressions import RawSQL

from qadam.lib.text import normalise_for_match
from qadam.registry.models import Recommendation

FTS_TABLE = "registry_recommendation_fts"
MAX_TOKENS = 10
# Tokens as both FTS5 (unicode61) and PostgreSQL's parser see them, near enough:
# runs of letters and digits. Hyphens, apostrophes and slashes separate words.
_TOKEN = re.compile(r"[^\W_]+")

# SQLite: the FTS5 table and the triggers that keep it in step with the rows.
# remove_diacritics 0: search_text is already folded by normalise_for_match, and
# folding again here would turn Cyrillic "й" into "и" on one side only.
SQLITE_CREATE_TABLE = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    search_text,
    content='registry_recommendation',
    content_rowid='id',
    tokenize='unicode61 remove_diacritics 0'
)"""
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""
CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON registry_recommendation BEGIN
    INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
END""",
    f"{FTS_TABLE}_ad": f"""
CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON registry_recommendation BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END""",
    f"{FTS_TABLE}_au": f"""
CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_text ON registry_recommendation
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
END""",
}
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}"
]

# PostgreSQL: the index expression. The query below repeats it character for
# character (the planner matches expressions, not intentions).
PG_INDEX = "registry_recommendation_search_gin"
PG_VECTOR = "to_tsvector('simple'::regconfig, {column})"
PG_CREATE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON registry_recommendation "
    f"USING gin ({PG_VECTOR.format(column='search_text')})"
)
PG_DROP_INDEX = f"DROP INDEX IF EXISTS {PG_INDEX}"


def query_tokens(q: str) -> list[str]:
    """The words of a query, normalised like ``search_text``, at most MAX_TOKENS."""
    return _TOKEN.findall(normalise_for_match(q))[:MAX_TOKENS]


def search_filter(qs: QuerySet[Recommendation], q: str) -> QuerySet[Recommendation]:
    """Recommendations whose text has every word of ``q`` (as a prefix)."""
    tokens = query_tokens(q)
    if not tokens:
        return qs
    vendor = connections[qs.db].vendor
    if vendor == "sqlite":
        return qs.filter(
            pk__in=RawSQL(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts5_query(tokens)]
            )
        )
    if vendor == "postgresql":
        return qs.filter(_TsMatch(F("search_text"), Value(tsquery(tokens))))
    for token in tokens:
        qs = qs.filter(search_text__contains=token)
    return qs


def matching_ids_sql(q: str, using: str = "default") -> tuple[str, tuple[Any, ...]] | None:
    """A query for the ids of every recommendation matching ``q`` (one column, ``id``),
    straight from the index; None when ``q`` has no words (no filter). On SQLite it
    reads the FTS table alone, without touching a single row."""
    tokens = query_tokens(q)
    if not tokens:
        return None
    if connections[using].vendor == "sqlite":
        sql = f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        return sql, (fts5_query(tokens),)
    qs = search_filter(Recommendation.objects.using(using).order_by(), q)
    sql, params = qs.values_list("id", flat=True).query.sql_with_params()
    return sql, tuple(params)


def fts5_query(tokens: list[str]) -> str:
    """``"tortur"* AND "women"*``: quoted, so no token is read as FTS5 syntax."""
    return " AND ".join('"{}"*'.format(t.replace('"', '""')) for t in tokens)


def tsquery(tokens: list[str]) -> str:
    """``'tortur':* & 'women':*`` for to_tsquery; tokens are letters and digits only."""
    return " & ".join("'{}':*".format(t.replace("'", "''")) for t in tokens)


class _TsMatch(Func):
    """``to_tsvector('simple', search_text) @@ to_tsquery('simple', q)``, index-shaped."""

    arity = 2
    output_field = BooleanField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.source_expressions[0])
        query, query_params = compiler.compile(self.source_expressions[1])
        sql = f"{PG_VECTOR.format(column=column)} @@ to_tsquery('simple'::regconfig, {query})"
        return sql, (*column_params, *query_params)


# -- index maintenance ------------------------------------------------------------------


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the vendor's search index (idempotent) and fill it from the rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_CREATE_TABLE)
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            cursor.execute(PG_CREATE_INDEX)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_DROP:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(PG_DROP_INDEX)


def ensure_index(connection: BaseDatabaseWrapper | None = None) -> bool:
    """Re-create a lost SQLite index; True if it had to.

    Django's SQLite schema editor rebuilds a table (copy, drop, rename) for most
    ALTERs, and dropping the old table drops its triggers with it. A later
    migration on registry_recommendation would thus silently stop index updates;
    calling this after ``migrate`` (a post_migrate handler) heals it.
    """
    connection = connection or default_connection
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
            list(SQLITE_TRIGGERS),
        )
        if cursor.fetchone()[0] == len(SQLITE_TRIGGERS):
            return False
    install(connection)
    return True


def rebuild(connection: BaseDatabaseWrapper | None = None) -> None:
    """Rebuild the whole SQLite index from the rows (PostgreSQL's needs no help)."""
    connection = connection or default_connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
