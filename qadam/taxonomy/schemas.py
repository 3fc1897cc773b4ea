"""Shapes of the reference data the API serves. Names come in every language at once."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

NAME = "Name by language code (kk, ru, en); a language may be missing."


class ErrorOut(Schema):
    """Every error body: one human-readable message, in the request's language."""

    detail: str


class TaxonomyOut(Schema):
    code: str
    name: dict[str, str] = Field(description=NAME)
    version: str
    description: str
    source: str
    facet: str = Field(description="The recommendation-list parameter it fills, if any.")
    term_count: int


class TermOut(Schema):
    code: str
    name: dict[str, str] = Field(description=NAME)
    parent: str | None = Field(description="Code of the parent term in the same taxonomy.")
    aliases: list[str] = Field(description="Other spellings found in sources.")


class SessionOut(Schema):
    number: int
    start_date: datetime.date | None


class CycleOut(Schema):
    number: int
    start_year: int | None
    end_year: int | None
    sessions: list[SessionOut]


class MechanismOut(Schema):
    code: str
    kind: str = Field(description="upr, treaty or special.")
    name: dict[str, str] = Field(description=NAME)
    cycles: list[CycleOut]
    sessions: list[SessionOut] = Field(description="Sessions not attached to a cycle.")


class StateOut(Schema):
    iso3: str
    iso2: str
    name: dict[str, str] = Field(description=NAME)
    regional_group: str = Field(
        description="UN regional group: Africa, Asia, EEG, GRULAC, WEOG, Observer, or ''."
    )


class InstitutionOut(Schema):
    code: str
    name: dict[str, str] = Field(description=NAME)
    kind: str
    active: bool


class RegionOut(Schema):
    code: str = Field(description="Open SDG REF_AREA code.")
    name: dict[str, str] = Field(description=NAME)
    kind: str = Field(description="region or city.")
    valid_from: int | None = Field(description="First year the region exists.")
    valid_to: int | None = Field(description="Last year the region exists.")
