"""Shapes of the tracking API: plans, actions, progress updates, evidence, assessments.

Texts a person writes in several languages (titles, descriptions) come and go as
``{"kk": …, "ru": …, "en": …}``, all languages at once, so that a client edits the
same object it reads. Money is a decimal string ("1200.50"), never a float.

Write schemas list only the fields a client may set; PATCH schemas have every field
optional and change only the fields sent, plus the ``version`` the client read.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from qadam.registry.schemas import PageParams

Language = Literal["kk", "ru", "en"]
Texts = dict[Language, str]
StatusCode = Literal["not-started", "in-progress", "partial", "done", "obsolete"]
PlanKind = Literal["upr-plan", "follow-up", "policy", "other"]
UpdateState = Literal["draft", "submitted", "returned", "validated", "published"]
Target = Literal["submitted", "validated", "returned", "published"]
Money = Decimal

TEXTS = "Text by language code (kk, ru, en); a language may be missing."
STATUS = "not-started, in-progress, partial, done or obsolete."
VERSION = (
    "The version you read. If someone saved the record since, the change is refused "
    "with 409 and you must reload it."
)


def _some_text(value: dict[str, str] | None) -> dict[str, str] | None:
    # A title must exist in at least one language; blank entries are dropped.
    if value is None:
        return None
    cleaned = {lang: text.strip() for lang, text in value.items() if text and text.strip()}
    if not cleaned:
        raise ValueError("give the text in at least one language")
    return cleaned


def _texts(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {lang: text.strip() for lang, text in value.items() if text and text.strip()}


class ProblemOut(Schema):
    """A refused write: a message, or for a malformed request the list of problems."""

    detail: str | list[dict[str, Any]]


# --- plans ---------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    title: dict[str, str] = Field(description=TEXTS)
    kind: str = Field(description="upr-plan, follow-up, policy or other.")
    adopted_by: str = Field(description="The act that adopted it, e.g. a decree.")
    adopted_on: datetime.date | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    is_demo: bool = Field(description="Demo or synthetic data, not a real plan.")
    published: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PlanPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[PlanOut]


class PlanIn(Schema):
    title: Texts = Field(description=TEXTS)
    kind: PlanKind
    adopted_by: str = Field("", max_length=300)
    adopted_on: datetime.date | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    is_demo: bool = False

    @field_validator("title")
    @classmethod
    def title_in_some_language(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _some_text(value)


class PlanPatch(Schema):
    title: Texts | None = Field(None, description=TEXTS)
    kind: PlanKind | None = None
    adopted_by: str | None = Field(None, max_length=300)
    adopted_on: datetime.date | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    is_demo: bool | None = None

    @field_validator("title")
    @classmethod
    def title_in_some_language(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _some_text(value)


class PublishIn(Schema):
    published: bool = Field(True, description="false withdraws it from the public.")


# --- actions -------------------------------------------------------------------------------


class AssignmentIO(Schema):
    institution: str = Field(description="Institution acronym, e.g. MLSP (see /institutions).")
    role: Literal["lead", "co"] = Field(description="lead (first) or co (co-executor).")
    as_agreed: bool = Field(False, description="Takes part “as agreed” (by consent).")


class ActionOut(Schema):
    id: int
    plan: int
    number: str
    title: dict[str, str] = Field(description=TEXTS)
    description: dict[str, str] = Field(description=TEXTS)
    outcome_type: str | None = Field(description="Outcome type code.")
    timeframe_text: str = Field(description="The deadline as the plan wrote it.")
    deadline_start: datetime.date | None = Field(description="Start of the deadline period.")
    deadline: datetime.date | None = Field(description="The deadline (end of the period).")
    overdue: bool = Field(description="Past its deadline and neither done nor obsolete.")
    status: str = Field(description=STATUS)
    budget_planned: Money | None
    budget_spent: Money | None
    budget_currency: str = Field(description="ISO 4217 code, KZT by default.")
    budget_source: str
    institutions: list[AssignmentIO] = Field(description="Lead first, then co-executors.")
    recommendations: list[int] = Field(description="Linked recommendations you can see.")
    clusters: list[int]
    indicators: list[str] = Field(description="Codes of the indicators it should move.")
    flags: list[str] = Field(description="Problems a plan import raised, until resolved.")
    version: int = Field(description="Send it back with a change (optimistic locking).")
    published: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ActionPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[ActionOut]


class ActionParams(PageParams):
    plan: int | None = Field(None, description="Only this plan's actions.")
    institution: str | None = Field(
        None, description="Institution acronym: actions it leads or co-executes."
    )
    status: list[StatusCode] = Field([], description=f"{STATUS} Repeat for several (OR).")
    overdue: bool | None = Field(
        None, description="true: past the deadline and not done; false: the others."
    )
    due_within_days: int | None = Field(
        None,
        ge=0,
        le=3660,
        description="Not done, with a deadline from today to this many days ahead.",
    )


class _ActionFields(Schema):
    number: str | None = Field(None, max_length=20)
    description: Texts | None = Field(None, description=TEXTS)
    outcome_type: str | None = Field(None, description="Outcome type code, or null.")
    timeframe_text: str | None = Field(None, max_length=200)
    deadline_start: datetime.date | None = None
    deadline: datetime.date | None = None
    status: StatusCode | None = None
    budget_planned: Money | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    budget_spent: Money | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    budget_currency: str | None = Field(None, min_length=3, max_length=3)
    budget_source: str | None = Field(None, max_length=200)

    @field_validator("description")
    @classmethod
    def description_trimmed(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _texts(value)

    @field_validator("budget_currency")
    @classmethod
    def currency_upper(cls, value: str | None) -> str | None:
        # ISO 4217 codes are upper case; "kzt" from a script means KZT.
        return value.upper() if value else value


class ActionIn(_ActionFields):
    plan: int
    title: Texts = Field(description=TEXTS)
    institutions: list[AssignmentIO] = Field([], description="Lead first, then co-executors.")
    recommendations: list[int] = Field([], description="Recommendation ids to link.")

    @field_validator("title")
    @classmethod
    def title_in_some_language(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _some_text(value)


class ActionPatch(_ActionFields):
    version: int = Field(description=VERSION)
    title: Texts | None = Field(None, description=TEXTS)
    flags: list[str] | None = Field(None, description="Send [] once the problems are fixed.")

    @field_validator("title")
    @classmethod
    def title_in_some_language(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _some_text(value)


class LinksIn(Schema):
    recommendations: list[int] = Field([], description="Recommendation ids.")
    cluster: int | None = Field(None, description="A cluster id: all its recommendations.")


class InstitutionsIn(Schema):
    institutions: list[AssignmentIO] = Field(description="Lead first, then co-executors.")


# --- progress updates and evidence ---------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    name: str = Field(description="The file name as uploaded.")
    content_type: str
    size: int = Field(description="Bytes.")
    url: str = Field(description="Where to download it (same authentication).")
    created_at: datetime.datetime


class UpdateOut(Schema):
    id: int
    action: int
    institution: str = Field(description="Acronym of the reporting institution.")
    as_of: datetime.date
    text: str
    language: str
    proposed_status: str = Field(description=f"{STATUS} Or '' for no change.")
    spent: Money | None = Field(description="Money spent to date, as reported.")
    state: UpdateState
    review_comment: str = Field(
        description="The secretariat's comment; shown to the institution and the secretariat."
    )
    is_demo: bool
    version: int = Field(description="Send it back with a change (optimistic locking).")
    evidence: list[EvidenceOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class UpdatePage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[UpdateOut]


class UpdateIn(Schema):
    as_of: datetime.date
    text: str = Field(min_length=1)
    language: Language = "ru"
    proposed_status: StatusCode | Literal[""] = ""
    spent: Money | None = Field(None, ge=0, max_digits=16, decimal_places=2)


class UpdatePatch(Schema):
    version: int = Field(description=VERSION)
    as_of: datetime.date | None = None
    text: str | None = Field(None, min_length=1)
    language: Language | None = None
    proposed_status: StatusCode | Literal[""] | None = None
    spent: Money | None = Field(None, ge=0, max_digits=16, decimal_places=2)


class TransitionIn(Schema):
    to: Target = Field(
        description="submitted (focal point), validated or returned (secretariat, from "
        "submitted), published (secretariat, from validated)."
    )
    comment: str = Field("", description="The reviewer's comment (validate or return).")
    version: int | None = Field(None, description=VERSION)


# --- assessments ---------------------------------------------------------------------------


class AssessmentOut(Schema):
    recommendation: int
    status: str = Field(description=f"The override if any, else the derived status: {STATUS}")
    derived_status: str = Field(description="Derived from the linked actions' statuses.")
    override_status: str = Field(description="Set by the secretariat, or ''.")
    override_reason: str
    actions: list[int] = Field(description="Linked actions you can see.")
    updated_at: datetime.datetime | None = Field(description="null: never computed yet.")


class AssessmentIn(Schema):
    status: StatusCode | Literal[""] = Field(description=f"{STATUS} '' removes the override.")
    reason: str = Field("", description="Why; required with a status.")
