"""Plain functions that build synthetic tracking rows for tests.

Everything here is invented and named so ("Synthetic ..."): no activity, plan or
progress is presented as the government's. Builders write rows directly (not
through ``qadam.tracking.actions``) so that a test can set up any state without a
user allowed to reach it; what a test *exercises* should go through the ``do_*``
actions or HTTP.

The personas of ``qadam/conftest.py`` belong to the MLSP. ``build_world`` adds a
second ministry (MIA) with its own focal point and contributor, and a plan whose
actions are led by one, the other, or both, with progress updates in every state
and evidence files on some of them. Call it *after* the ``personas`` fixture:
personas create the MLSP organisation themselves.

Evidence files are written to the default storage; point it at a temporary place
in your test module, e.g.::

    @pytest.fixture(autouse=True)
    def _storage(settings, tmp_path):
        f.use_storage(settings, tmp_path)
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from qadam.accounts.models import Organisation, User
from qadam.registry.models import Cluster, Recommendation
from qadam.registry.tests import factories as rf
from qadam.taxonomy.models import Institution
from qadam.tracking.models import (
    Action,
    ActionInstitution,
    Evidence,
    OutcomeType,
    Plan,
    ProgressUpdate,
    Status,
)

# -- file contents -------------------------------------------------------------------

PDF_BYTES = (
    b"%PDF-1.4\n% Synthetic evidence file for tests\n1 0 obj << /Type /Catalog >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes(text: str = "Synthetic evidence") -> bytes:
    """A minimal file that sniffs as DOCX (a ZIP holding word/document.xml)."""
    buffer = io.BytesIO()
    # A fixed timestamp: otherwise two builds a second apart differ in their bytes.
    stamp = (2024, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", stamp), "<Types/>")
        zf.writestr(
            zipfile.ZipInfo("word/document.xml", stamp),
            f"<document><body>{text}</body></document>",
        )
    return buffer.getvalue()


def use_storage(settings: Any, path: Path) -> Path:
    """Send uploads (evidence) to ``path`` for the rest of the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(path), "base_url": "/files/"},
        },
    }
    return path


# -- reference rows ------------------------------------------------------------------

INSTITUTION_NAMES = {
    "MLSP": "Ministry of Labour and Social Protection of the Population",
    "MIA": "Ministry of Internal Affairs",
    "GPO": "General Prosecutor's Office",
    "MJ": "Ministry of Justice",
    "MEAS": "Ministry of Education",
}


def institution(
    code: str = "MLSP", name: str | None = None, kind: str = Institution.Kind.MINISTRY
) -> Institution:
    obj, _ = Institution.objects.get_or_create(
        code=code,
        defaults={
            "name": {"en": name or INSTITUTION_NAMES.get(code, f"Synthetic body {code}")},
            "kind": kind,
        },
    )
    return obj


def organisation(inst: Institution) -> Organisation:
    """The government organisation of an institution (one per institution)."""
    org = Organisation.objects.filter(institution=inst).first()
    if org is None:
        org = Organisation.objects.create(
            name={"en": inst.code}, kind="government", institution=inst
        )
    return org


def user(username: str, role: str = "", institution_code: str | None = None) -> User:
    """A user whose password is ``"pw-" + username``, like the personas'."""
    org = organisation(institution(institution_code)) if institution_code else None
    return User.objects.create_user(
        username=username, password="pw-" + username, role=role, organisation=org
    )


def outcome_type(
    code: str = "synthetic-proposal", name: str = "Synthetic proposal to a ministry"
) -> OutcomeType:
    obj, _ = OutcomeType.objects.get_or_create(code=code, defaults={"name": {"en": name}})
    return obj


# -- plans, actions, updates, evidence -------------------------------------------------


def plan(
    title: str = "Synthetic plan for tests",
    published: bool = True,
    is_demo: bool = False,
    **extra: Any,
) -> Plan:
    defaults: dict[str, Any] = {
        "kind": Plan.Kind.UPR_PLAN,
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2028, 12, 31),
    }
    defaults.update(extra)
    return Plan.objects.create(
        title={"en": title}, published=published, is_demo=is_demo, **defaults
    )


CoExecutor = str | tuple[str, bool]


def action(
    in_plan: Plan | None = None,
    number: str = "1",
    title: str | None = None,
    lead: str | None = "MLSP",
    co: Iterable[CoExecutor] = (),
    published: bool = True,
    recommendations: Iterable[Recommendation] = (),
    clusters: Iterable[Cluster] = (),
    **extra: Any,
) -> Action:
    """An action led by ``lead`` with co-executors given as "MIA" or ("GPO", True) for
    "GPO (as agreed)"."""
    defaults: dict[str, Any] = {
        "timeframe_text": "By the end of 2027",
        "deadline_start": datetime.date(2027, 1, 1),
        "deadline": datetime.date(2027, 12, 31),
        "budget_currency": "KZT",
    }
    defaults.update(extra)
    obj = Action.objects.create(
        plan=in_plan or plan(),
        number=number,
        title={"en": title or f"Synthetic action {number}"},
        published=published,
        **defaults,
    )
    assign(obj, lead, co)
    obj.recommendations.add(*recommendations)
    obj.clusters.add(*clusters)
    return obj


def assign(obj: Action, lead: str | None, co: Iterable[CoExecutor] = ()) -> None:
    rows = [(lead, "lead", False)] if lead else []
    for item in co:
        code, agreed = (item, False) if isinstance(item, str) else item
        rows.append((code, "co", agreed))
    ActionInstitution.objects.bulk_create(
        ActionInstitution(
            action=obj, institution=institution(code), role=role, as_agreed=agreed, position=i
        )
        for i, (code, role, agreed) in enumerate(rows)
    )


def update(
    of: Action,
    state: str = ProgressUpdate.State.DRAFT,
    institution_code: str | None = None,
    author: User | None = None,
    as_of: datetime.date = datetime.date(2026, 6, 30),
    text: str | None = None,
    **extra: Any,
) -> ProgressUpdate:
    """A progress update by ``institution_code`` (default: the action's lead)."""
    if institution_code is None:
        lead = of.assignments.order_by("position").select_related("institution").first()
        assert lead is not None, "give institution_code for an action nobody leads"
        inst = lead.institution
    else:
        inst = institution(institution_code)
    return ProgressUpdate.objects.create(
        action=of,
        institution=inst,
        author=author,
        as_of=as_of,
        text=text or f"Synthetic progress ({state}) on {of.number}",
        state=state,
        **extra,
    )


def evidence(
    of: ProgressUpdate,
    data: bytes = PDF_BYTES,
    filename: str = "synthetic-evidence.pdf",
    content_type: str = "application/pdf",
) -> Evidence:
    import hashlib

    ev = Evidence(
        update=of,
        original_name=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    ev.file.save(filename, ContentFile(data), save=False)
    ev.save()
    return ev


def recommendation(
    text: str = "Synthetic recommendation to be implemented", **kw: Any
) -> Recommendation:
    """A published registry recommendation (see qadam.registry.tests.factories)."""
    return rf.recommendation(text, **kw)


def cluster(name: str, members: Iterable[Recommendation], doc: Any = None) -> Cluster:
    members = list(members)
    document = doc or (members[0].document if members else rf.document())
    obj, _ = Cluster.objects.get_or_create(document=document, name=name)
    obj.recommendations.add(*members)
    return obj


# -- a shared scene ----------------------------------------------------------------


STATES = [s for s, _ in ProgressUpdate.State.choices]


@dataclass
class World:
    """Two ministries' work in one published plan and one unpublished plan.

    * ``own_action``: MLSP leads (published); ``shared_action``: MIA leads with MLSP
      as co-executor "(as agreed)" (published); ``other_action``: MIA alone
      (published); ``own_hidden`` and ``other_hidden``: unpublished actions (in
      ``draft_plan``) of MLSP and MIA.
    * ``own_updates[state]`` and ``other_updates[state]``: MLSP's updates on
      ``own_action`` and MIA's on ``other_action``, one per state.
    * ``own_evidence[state]`` and ``other_evidence[state]``: a PDF on each update.
    """

    mlsp: Institution
    mia: Institution
    other_focal_point: User
    other_contributor: User
    plan: Plan
    draft_plan: Plan
    own_action: Action
    shared_action: Action
    other_action: Action
    own_hidden: Action
    other_hidden: Action
    rec: Recommendation
    own_updates: dict[str, ProgressUpdate] = field(default_factory=dict)
    other_updates: dict[str, ProgressUpdate] = field(default_factory=dict)
    own_evidence: dict[str, Evidence] = field(default_factory=dict)
    other_evidence: dict[str, Evidence] = field(default_factory=dict)


def build_world(with_evidence: bool = True) -> World:
    """The scene of the permission matrix; see ``World``. Needs the personas first."""
    mlsp, mia = institution("MLSP"), institution("MIA")
    rec = recommendation("Synthetic recommendation on social protection", number="1.1")
    outcome = outcome_type()
    published = plan("Synthetic interagency plan (tests)", published=True)
    draft = plan("Synthetic draft plan (tests)", published=False)
    own = action(
        published,
        "1",
        "Synthetic MLSP action",
        "MLSP",
        co=[("GPO", True)],
        recommendations=[rec],
        outcome_type=outcome,
        budget_planned=Decimal("1000000"),
    )
    shared = action(published, "2", "Synthetic shared action", "MIA", co=[("MLSP", True)])
    other = action(published, "3", "Synthetic MIA action", "MIA", co=["MJ"])
    own_hidden = action(draft, "1", "Synthetic unpublished MLSP action", "MLSP", published=False)
    other_hidden = action(draft, "2", "Synthetic unpublished MIA action", "MIA", published=False)
    world = World(
        mlsp,
        mia,
        user("erlan", "focal_point", "MIA"),
        user("madina", "contributor", "MIA"),
        published,
        draft,
        own,
        shared,
        other,
        own_hidden,
        other_hidden,
        rec,
    )
    for state in STATES:
        world.own_updates[state] = update(own, state, "MLSP", text=f"Synthetic MLSP {state}")
        world.other_updates[state] = update(other, state, "MIA", text=f"Synthetic MIA {state}")
        if with_evidence:
            world.own_evidence[state] = evidence(
                world.own_updates[state], filename=f"synthetic-mlsp-{state}.pdf"
            )
            world.other_evidence[state] = evidence(
                world.other_updates[state], filename=f"synthetic-mia-{state}.pdf"
            )
    return world


__all__ = [
    "PDF_BYTES",
    "PNG_BYTES",
    "STATES",
    "Status",
    "World",
    "action",
    "assign",
    "build_world",
    "cluster",
    "docx_bytes",
    "evidence",
    "institution",
    "organisation",
    "outcome_type",
    "plan",
    "recommendation",
    "update",
    "use_storage",
    "user",
]
