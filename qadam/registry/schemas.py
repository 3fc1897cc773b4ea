"""Shapes of the registry's JSON API: query parameters in, documents and recommendations out.

Query parameters carry the same names as the web list's URL (see registry.queries), so a
query string copied from the browser works on the API. The filtering itself reads
``request.GET`` through ``RecommendationQuery.from_params``; these schemas exist to
validate paging and language, and to document every parameter in the OpenAPI document.
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

Language = Literal["kk", "ru", "en"]

_LIST = "Repeat the parameter to select several values (OR)."


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    # 25, as the web list, so that a web URL's `page` lands on the same rows.
    page_size: int = Field(25, ge=1, le=100, description="Items per page, at most 100.")


class RecommendationParams(PageParams):
    q: str = Field(
        "",
        description="Full-text search over every language's text, ignoring case, Latin accents "
        "and typography. Every word must match the start of a word (“tortur” finds “torture”, "
        "“пыт” finds “пытки”).",
    )
    mechanism: list[str] = Field([], description=f"Mechanism code, e.g. UPR. {_LIST}")
    cycle: list[str] = Field([], description=f"Cycle number. {_LIST}")
    session: list[str] = Field([], description=f"Session number. {_LIST}")
    response: list[str] = Field(
        [],
        description="State's response: supported, supported-in-part, noted, pending, "
        f"or none (not stated). {_LIST}",
    )
    sur: list[str] = Field([], description=f"State under review, ISO 3166 alpha-3. {_LIST}")
    by: list[str] = Field([], description=f"Recommending state, ISO 3166 alpha-3. {_LIST}")
    rgroup: list[str] = Field(
        [],
        description="UN regional group of a recommending state: Africa, Asia, EEG, GRULAC, "
        f"WEOG, Observer. {_LIST}",
    )
    action: list[str] = Field([], description=f"UPR Info action category, 1 to 5. {_LIST}")
    theme: list[str] = Field([], description=f"OHCHR theme code (ohchr-theme). {_LIST}")
    group: list[str] = Field([], description=f"OHCHR group of persons code (ohchr-group). {_LIST}")
    issue: list[str] = Field([], description=f"UPR Info issue code (upr-info-issue). {_LIST}")
    goal: list[str] = Field([], description=f"SDG goal code, e.g. 5 (sdg-goal). {_LIST}")
    target: list[str] = Field([], description=f"SDG target code, e.g. 5.2 (sdg-target). {_LIST}")
    # A plain string rather than an enum: the web list falls back to the default order on
    # an unknown value, and the API must accept whatever the web URL carries.
    sort: str = Field(
        "document",
        description="Order: document (newest session first, then symbol), number, date, "
        "-date, response. Unknown values fall back to document.",
    )
    lang: Language | None = Field(
        None,
        description="Language of `text` and of names. Without it, the Accept-Language "
        "header decides; English when neither is given.",
    )
    facets: bool = Field(False, description="Add counts per filter value over the results.")


class DocumentParams(PageParams):
    mechanism: list[str] = Field([], description=f"Mechanism code, e.g. UPR. {_LIST}")
    kind: list[str] = Field(
        [],
        description="Document kind: wg-report, thematic-list, concluding-observations, "
        f"database, other. {_LIST}",
    )


class LanguageParams(Schema):
    lang: Language | None = Field(
        None, description="Language of `text` and of names; else Accept-Language decides."
    )


class DocumentRef(Schema):
    id: int
    symbol: str


class StateRef(Schema):
    iso3: str
    name: str = Field(description="Name in the requested language.")


class LabelOut(Schema):
    taxonomy: str = Field(description="Code of the taxonomy, e.g. sdg-target.")
    code: str
    name: str = Field(description="Term name in the requested language.")
    provenance: Literal["imported", "model", "user"]
    source: str = Field(description="Which source, model version or user set the label.")
    score: float | None = Field(description="Model confidence, for model suggestions.")
    status: Literal["suggested", "confirmed"]


class RecommendationOut(Schema):
    id: int
    number: str
    document: DocumentRef
    mechanism: str = Field(description="Mechanism code.")
    cycle: int | None
    session: int | None
    state_under_review: str | None = Field(description="ISO 3166 alpha-3.")
    text: str = Field(description="Text in the requested language, or a fallback.")
    text_language: str = Field(description="Language `text` is really in.")
    text_fallback: bool = Field(description="True when `text` is not in the requested language.")
    texts: dict[str, str] = Field(description="Every available text, by language.")
    original_language: str
    response: str = Field(description="supported, supported-in-part, noted, pending or ''.")
    action_category: int | None
    recommending_states: list[StateRef]
    labels: list[LabelOut] = Field(
        description="Confirmed labels (imported, set by a person, or accepted suggestions). "
        "Machine suggestions awaiting review are under /labelling/suggestions."
    )
    clusters: list[str] = Field(description="Names of the source's groups it belongs to.")
    url: str | None = Field(description="The web page of this recommendation.")


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class RecommendationPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[RecommendationOut]
    facets: dict[str, list[FacetValueOut]] | None = Field(
        None, description="Only with facets=true: counts per value of each filter."
    )


class DocumentOut(Schema):
    id: int
    symbol: str
    title: str
    kind: str
    mechanism: str
    cycle: int | None
    session: int | None
    state_under_review: str | None
    date: datetime.date | None
    language: str
    recommendation_count: int = Field(description="Recommendations you can see in it.")


class DocumentPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[DocumentOut]
