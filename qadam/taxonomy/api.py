"""Read endpoints for reference data: taxonomies and terms, mechanisms, states,
institutions and regions. All of it is public; names come in every language at once,
so a client can cache one answer whatever its user's language."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Router

from qadam.taxonomy.models import (
    Cycle,
    Institution,
    Mechanism,
    Region,
    Session,
    State,
    Taxonomy,
)
from qadam.taxonomy.schemas import (
    ErrorOut,
    InstitutionOut,
    MechanismOut,
    RegionOut,
    StateOut,
    TaxonomyOut,
    TermOut,
)

router = Router(tags=["reference data"])


@router.get("/taxonomies", response=list[TaxonomyOut], summary="List taxonomies")
def list_taxonomies(request: HttpRequest) -> QuerySet[Taxonomy]:
    """SDG goals and targets, OHCHR themes and groups, UPR Info issues, and any taxonomy
    imported later. `facet` names the recommendation-list parameter each one fills."""
    # Meta.ordering is dropped from GROUP BY queries, so the order is spelt out.
    return Taxonomy.objects.annotate(term_count=Count("terms")).order_by("sort_order", "code")


@router.get(
    "/taxonomies/{code}/terms",
    response={200: list[TermOut], 404: ErrorOut},
    summary="List the terms of a taxonomy",
)
def list_terms(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """Every term in the taxonomy's order, with its parent's code (a target's goal) and
    the other spellings sources use for it. 404 for an unknown taxonomy code."""
    taxonomy = Taxonomy.objects.filter(code=code).first()
    if taxonomy is None:
        raise Http404
    terms = taxonomy.terms.select_related("parent").order_by("sort_key", "code")
    return [
        {
            "code": t.code,
            "name": t.name,
            "parent": t.parent.code if t.parent else None,
            "aliases": t.aliases,
        }
        for t in terms
    ]


@router.get("/mechanisms", response=list[MechanismOut], summary="List mechanisms")
def list_mechanisms(request: HttpRequest) -> list[dict[str, Any]]:
    """UPR, treaty bodies and special procedures, each with its cycles and their sessions;
    sessions not attached to a cycle are listed apart."""
    mechanisms = Mechanism.objects.prefetch_related(
        Prefetch("cycles", queryset=Cycle.objects.order_by("number")),
        Prefetch("sessions", queryset=Session.objects.order_by("number")),
    )
    return [_mechanism_out(m) for m in mechanisms]


def _mechanism_out(mechanism: Mechanism) -> dict[str, Any]:
    sessions = list(mechanism.sessions.all())
    cycles = [
        {
            "number": c.number,
            "start_year": c.start_year,
            "end_year": c.end_year,
            "sessions": [_session_out(s) for s in sessions if s.cycle_id == c.pk],
        }
        for c in mechanism.cycles.all()
    ]
    return {
        "code": mechanism.code,
        "kind": mechanism.kind,
        "name": mechanism.name,
        "cycles": cycles,
        "sessions": [_session_out(s) for s in sessions if s.cycle_id is None],
    }


def _session_out(session: Session) -> dict[str, Any]:
    return {"number": session.number, "start_date": session.start_date}


@router.get("/states", response=list[StateOut], summary="List states")
def list_states(request: HttpRequest) -> QuerySet[State]:
    """Every state with its ISO codes, names and UN regional group: the values of the
    recommendation list's `sur`, `by` and `rgroup` parameters."""
    return State.objects.all()


@router.get("/institutions", response=list[InstitutionOut], summary="List institutions")
def list_institutions(request: HttpRequest) -> QuerySet[Institution]:
    """Kazakhstan's state bodies that lead or co-execute actions, by acronym."""
    return Institution.objects.all()


@router.get("/regions", response=list[RegionOut], summary="List regions")
def list_regions(request: HttpRequest) -> QuerySet[Region]:
    """Kazakhstan's regions and cities of republican significance, with the years each
    existed (regions were split in 2022)."""
    return Region.objects.all()
