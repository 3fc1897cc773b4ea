"""Shapes of the labelling API: classification, linking, suggestions, models, overlaps."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from qadam.registry.schemas import PageParams

MAX_TEXTS = 1000


class TextIn(Schema):
    id: str = Field(..., max_length=200, description="Your identifier, returned as is.")
    text: str = Field(..., description="The text to label, in Kazakh, Russian or English.")
    lang: str | None = Field(
        None, pattern="^(kk|ru|en)$", description="kk, ru or en; recognised when missing."
    )


class ClassifyIn(Schema):
    texts: list[TextIn] = Field(..., min_length=1, max_length=MAX_TEXTS)


class ReasonOut(Schema):
    kind: str = Field(description='"terms", "query", "title" or "similar".')
    detail: str
    weight: float
    ref: str


class SuggestedLabelOut(Schema):
    taxonomy: str = Field(description="Taxonomy code, e.g. ohchr-theme or sdg-target.")
    term: str = Field(
        description="SDG codes as codes (5.2); other taxonomies by the term's English name."
    )
    score: float = Field(description="Calibrated probability, 0 to 1.")
    reasons: list[ReasonOut]


class ClassifiedOut(Schema):
    id: str
    labels: list[SuggestedLabelOut]
    model_version: str
    notes: list[str] = Field(
        description='Why less was said: "empty", "unsupported-script", "truncated", '
        '"no-<lang>-examples:<taxonomy>".'
    )


class LinkIn(Schema):
    text: str = Field(..., min_length=1, description="A paragraph of a report or plan.")
    k: int = Field(10, ge=1, le=50, description="How many recommendations, at most 50.")
    lang: str | None = Field(None, pattern="^(kk|ru|en)$")


class LinkOut(Schema):
    id: int = Field(description="Recommendation id.")
    symbol: str = Field(description="Symbol of its source document.")
    number: str
    text: dict[str, str]
    score: float = Field(description="Cosine similarity of the words, boosted by shared labels.")
    shared_words: list[str]
    shared_terms: list[str] = Field(description="Labels suggested for the text that it carries.")


class SuggestionParams(PageParams):
    taxonomy: str = Field("", description="Taxonomy code.")
    term: str = Field("", description="Term code.")
    model: str = Field("", description="Model version name.")
    min_score: float = Field(0.0, ge=0, le=1, description="Lowest score, 0 to 1.")


class SuggestionOut(Schema):
    id: int
    recommendation: int
    symbol: str
    number: str
    taxonomy: str
    term: str
    term_name: dict[str, str]
    score: float | None
    model_version: str
    reasons: list[dict[str, Any]]
    created_at: datetime.datetime


class SuggestionPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[SuggestionOut]


class DecideIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=MAX_TEXTS)
    accept: bool


class DecidedOut(Schema):
    decided: int = Field(description="How many suggestions changed; decided ones are skipped.")


class ModelVersionOut(Schema):
    name: str
    status: str
    active: bool
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    error: str
    training: dict[str, Any] = Field(
        description="Per taxonomy: examples, terms, mean_f1_out_of_fold and, in the "
        "detail, per_term (positives, threshold, f1)."
    )
    bytes: int | None


class OverlapMemberOut(Schema):
    id: int
    symbol: str
    number: str
    similarity: float


class OverlapGroupOut(Schema):
    id: int
    status: str
    score: float
    shared_words: list[str]
    members: list[OverlapMemberOut]
    cluster: int | None


class OverlapParams(PageParams):
    status: str = Field("suggested", pattern="^(suggested|confirmed|rejected)$")


class OverlapPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[OverlapGroupOut]
