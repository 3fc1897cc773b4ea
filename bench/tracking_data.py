"""Synthetic implementation-tracking data for the tracking benchmark (bench/tracking.py).

Everything here is invented and says so: plans are titled "SYNTHETIC benchmark plan",
actions "SYNTHETIC action", progress "SYNTHETIC progress", clusters "SYNTHETIC
cluster", users "synthetic-bench-…". Nothing is presented as a government's work. The
institutions are the real reference institutions (``manage.py load_reference``), as a
plan's agencies in charge would be.

The recommendations come from the registry benchmark's generator (bench/synthetic.py,
real UPR Info rows resampled and marked synthetic) through the real importer. The
tracking rows are written with ``bulk_create`` (not through ``qadam.tracking.actions``,
which audits and checks one object at a time): plans, actions with their lead and
co-executors, links to 1-5 recommendations, progress updates in every state, evidence
rows (metadata only: no file is written), the assessments the links derive, a few
treaty-body follow-up deadlines, and one audit event per plan, action and update so
that the history lookups on detail pages search a log of realistic size.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

# Sizes at full scale; --quick divides rows by 10 (plans stay 20).
FULL = {"recommendations": 250_000, "actions": 50_000, "updates": 200_000}
PLANS = 20
EVIDENCE_SHARE = 0.1  # of updates
CLUSTER_DOCUMENTS = 100  # synthetic documents whose recommendations get clusters
CLUSTERS_PER_DOCUMENT = 3
CLUSTER_LINK_SHARE = 0.03  # of actions, linked to a cluster as well
OVERRIDE_SHARE = 0.005  # of assessed recommendations
FOLLOWUPS = 6
BATCH = 5000
IMPORT_BATCH = 25_000

DEADLINE_FROM = datetime.date(2015, 1, 1)
DEADLINE_TO = datetime.date(2030, 12, 31)
UPDATES_FROM = datetime.date(2016, 1, 1)

OUTCOMES = [
    ("synthetic-proposal-pa", "SYNTHETIC outcome: proposal to the Presidential Administration"),
    ("synthetic-proposal-imc", "SYNTHETIC outcome: proposals to an interministerial commission"),
    ("synthetic-draft-law", "SYNTHETIC outcome: draft law"),
    ("synthetic-report", "SYNTHETIC outcome: report"),
    ("synthetic-programme", "SYNTHETIC outcome: programme or concept"),
]
# Update states: published and validated dominate a mature system; the rest is work
# in progress that the queues list.
UPDATE_STATES = [
    ("published", 45),
    ("validated", 20),
    ("submitted", 10),
    ("returned", 5),
    ("draft", 20),
]
PAST_STATUSES = [
    ("done", 45),
    ("partial", 15),
    ("obsolete", 5),
    ("in-progress", 25),
    ("not-started", 10),
]
FUTURE_STATUSES = [("not-started", 40), ("in-progress", 45), ("partial", 10), ("done", 5)]

USERNAMES = {
    "admin": "synthetic-bench-admin",
    "observer": "synthetic-bench-observer",
    "focal_point": "synthetic-bench-focal-point",
}


def sizes(quick: bool) -> dict[str, int]:
    return {k: v // 10 for k, v in FULL.items()} if quick else dict(FULL)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _bulk(model: Any, objs: list[Any]) -> list[Any]:
    return model.objects.bulk_create(objs, batch_size=BATCH)  # type: ignore[no-any-return]


def _days(a: datetime.date, b: datetime.date) -> int:
    return (b - a).days


# -- 1. recommendations, through the registry benchmark's generator -------------------------


def import_recommendations(rows: int, seed: int) -> dict[str, Any]:
    import synthetic
    from django.conf import settings

    from qadam.registry.actions import do_import_parsed
    from qadam.taxonomy.models import Term

    started = time.perf_counter()
    themes = list(Term.objects.filter(taxonomy__code="ohchr-theme").values_list("code", flat=True))
    goals = list(Term.objects.filter(taxonomy__code="sdg-goal").values_list("code", flat=True))
    csv_path = Path(settings.QADAM_DATA_DIR) / "upr-info" / "recommendations.csv"
    source = synthetic.load_source(csv_path, themes, goals)
    rng = random.Random(seed)
    imported = 0
    for run, start in enumerate(range(0, rows, IMPORT_BATCH), start=1):
        parsed = synthetic.batch(source, run, min(IMPORT_BATCH, rows - start), rng)
        do_import_parsed("upr-info", parsed, f"synthetic-{run:02d}.csv", skip_invalid=True)
        imported += len(parsed.records)
        print(f"  recommendations: {imported:,} imported", flush=True)
    return {
        "path": "bench/synthetic.py through qadam.registry.actions.do_import_parsed",
        "rows": imported,
        "seconds": round(time.perf_counter() - started, 1),
    }


# -- 2. tracking rows, in bulk ----------------------------------------------------------------


def build_tracking(actions: int, updates: int, seed: int) -> dict[str, Any]:
    """Plans, actions, assignments, links, updates, evidence, assessments, follow-ups,
    audit events and the benchmark's users. Returns facts about what was built."""
    from django.db import transaction

    started = time.perf_counter()
    rng = random.Random(seed + 1)
    with transaction.atomic():
        facts = _build(rng, actions, updates)
    facts["seconds"] = round(time.perf_counter() - started, 1)
    return facts


def _build(rng: random.Random, n_actions: int, n_updates: int) -> dict[str, Any]:
    from django.utils import timezone

    from qadam.accounts.models import Organisation, User
    from qadam.registry.models import Recommendation
    from qadam.taxonomy.models import Institution
    from qadam.tracking.models import Action, OutcomeType, Plan

    today = timezone.localdate()  # the server's today: what is overdue there
    institutions = list(Institution.objects.filter(active=True).order_by("code"))
    if not institutions:
        raise RuntimeError("no institutions: run load_reference first")
    rec_ids = list(Recommendation.objects.order_by("id").values_list("id", flat=True))
    outcomes = [
        OutcomeType.objects.get_or_create(code=code, defaults={"name": {"en": name}})[0]
        for code, name in OUTCOMES
    ]
    admin_org = Organisation.objects.create(
        name={"en": "SYNTHETIC secretariat (benchmark)"}, kind="government"
    )
    observer_org = Organisation.objects.create(
        name={"en": "SYNTHETIC observer (benchmark)"}, kind="observer"
    )
    admin = User.objects.create_user(
        USERNAMES["admin"], role="secretariat_admin", organisation=admin_org
    )
    User.objects.create_user(USERNAMES["observer"], role="observer", organisation=observer_org)

    plans = _bulk(
        Plan,
        [
            Plan(
                title={
                    "en": f"SYNTHETIC benchmark plan {i:02d} (not a real plan)",
                    "ru": f"СИНТЕТИЧЕСКИЙ план для замеров {i:02d} (не настоящий план)",
                },
                kind=rng.choice(list(Plan.Kind.values)),
                adopted_by="SYNTHETIC: adopted by nobody (benchmark data)",
                period_start=datetime.date(2015 + i % 10, 1, 1),
                period_end=datetime.date(2018 + i % 10, 12, 31),
                published=i % 5 != 4,  # 16 of 20
            )
            for i in range(1, PLANS + 1)
        ],
    )

    # Institutions: a long tail, so that a few ministries carry much of the work.
    order = institutions[:]
    rng.shuffle(order)
    weights = [1 / (rank + 2) for rank in range(len(order))]

    action_rows, plans_of, statuses = [], [], []
    for i in range(n_actions):
        plan = plans[i % len(plans)]
        offset = rng.randrange(_days(DEADLINE_FROM, DEADLINE_TO))
        deadline = DEADLINE_FROM + datetime.timedelta(days=offset)
        year_end = rng.random() < 0.6
        if year_end:
            start, deadline = (
                datetime.date(deadline.year, 1, 1),
                datetime.date(deadline.year, 12, 31),
            )
            timeframe = f"By the end of {deadline.year}"
        else:
            start, timeframe = deadline, deadline.strftime("%B %Y")
        status = _weighted(rng, PAST_STATUSES if deadline < today else FUTURE_STATUSES)
        planned = spent = None
        currency = "KZT"
        if rng.random() < 0.6:
            currency = "USD" if rng.random() < 0.2 else "KZT"
            scale = 1_000 if currency == "USD" else 500_000
            planned = Decimal(rng.randrange(1, 2000) * scale)
            spent = (planned * Decimal(rng.randrange(0, 101)) / 100).quantize(Decimal("0.01"))
        action_rows.append(
            Action(
                plan=plan,
                number=str(i // len(plans) + 1),
                title={
                    "en": f"SYNTHETIC action {i + 1} (benchmark data, not a real activity)",
                    "ru": f"СИНТЕТИЧЕСКОЕ мероприятие {i + 1} (данные для замеров)",
                },
                description={"en": "SYNTHETIC description for the tracking benchmark."},
                outcome_type=rng.choice(outcomes) if rng.random() < 0.9 else None,
                timeframe_text=timeframe,
                deadline_start=start,
                deadline=deadline,
                status=status,
                budget_planned=planned,
                budget_spent=spent,
                budget_currency=currency,
                budget_source="SYNTHETIC: state budget" if planned is not None else "",
                published=plan.published and rng.random() < 0.85,
            )
        )
        plans_of.append(plan)
        statuses.append(status)
    actions = _bulk(Action, action_rows)
    print(f"  tracking: {len(actions):,} actions", flush=True)

    assignments, involved = _assign(rng, actions, order, weights)
    print(f"  tracking: {len(assignments):,} assignments", flush=True)
    links, by_rec = _link(rng, actions, rec_ids)
    clusters, cluster_links = _clusters(rng, actions)
    print(f"  tracking: {links:,} recommendation links, {len(clusters)} clusters", flush=True)

    # The focal point works for the institution with the most actions.
    big_id, big_actions = max(
        Counter(i for ids in involved for i in ids).items(), key=lambda kv: kv[1]
    )
    big = next(i for i in institutions if i.pk == big_id)
    big_org = Organisation.objects.filter(institution=big).first() or Organisation.objects.create(
        name={"en": big.code}, kind="government", institution=big
    )
    focal = User.objects.create_user(
        USERNAMES["focal_point"], role="focal_point", organisation=big_org
    )

    n_upd, n_evidence, state_counts = _updates(rng, actions, involved, n_updates, today, focal)
    print(f"  tracking: {n_upd:,} progress updates, {n_evidence:,} evidence rows", flush=True)
    assessed, overridden = _assessments(rng, by_rec, statuses, admin)
    followups = _followups(rng, rec_ids, institutions, today)
    events = _audit(actions, plans, admin)
    print(f"  tracking: {assessed:,} assessments, {events:,} audit events", flush=True)

    return {
        "plans": len(plans),
        "published_plans": sum(p.published for p in plans),
        "actions": len(actions),
        "published_actions": sum(a.published for a in actions),
        "assignments": len(assignments),
        "recommendation_links": links,
        "clusters": len(clusters),
        "cluster_links": cluster_links,
        "progress_updates": n_upd,
        "update_states": state_counts,
        "evidence_rows": n_evidence,
        "assessments": assessed,
        "overrides": overridden,
        "followup_deadlines": followups,
        "audit_events_added": events,
        "focal_point_institution": big.code,
        "focal_point_institution_actions": big_actions,
    }


def _assign(
    rng: random.Random, actions: list[Any], order: list[Any], weights: list[float]
) -> tuple[list[Any], list[list[int]]]:
    from qadam.tracking.models import ActionInstitution

    rows, involved = [], []
    for action in actions:
        picked: list[Any] = []
        wanted = 1 + rng.choices([0, 1, 2, 3], weights=[30, 35, 25, 10])[0]
        while len(picked) < wanted:
            inst = rng.choices(order, weights=weights)[0]
            if inst not in picked:
                picked.append(inst)
        involved.append([i.pk for i in picked])
        for position, inst in enumerate(picked):
            rows.append(
                ActionInstitution(
                    action=action,
                    institution=inst,
                    role="lead" if position == 0 else "co",
                    as_agreed=position > 0 and rng.random() < 0.15,
                    position=position,
                )
            )
    return _bulk(ActionInstitution, rows), involved


def _link(
    rng: random.Random, actions: list[Any], rec_ids: list[int]
) -> tuple[int, dict[int, list[int]]]:
    """Each action addresses 1-5 recommendations; returns the links and, per
    recommendation, the indexes of its actions."""
    from qadam.tracking.models import Action

    through = Action.recommendations.through
    rows, by_rec = [], {}
    for index, action in enumerate(actions):
        for rec in rng.sample(rec_ids, rng.randint(1, 5)):
            rows.append(through(action_id=action.pk, recommendation_id=rec))
            by_rec.setdefault(rec, []).append(index)
    _bulk(through, rows)
    return len(rows), by_rec


def _clusters(rng: random.Random, actions: list[Any]) -> tuple[list[Any], int]:
    """A few synthetic documents get their recommendations grouped into clusters, and a
    few actions address a cluster as well."""
    from qadam.registry.models import Cluster, Recommendation, SourceDocument
    from qadam.tracking.models import Action

    docs = list(
        SourceDocument.objects.filter(symbol__startswith="SYNTHETIC/").values_list("pk", flat=True)
    )
    chosen = rng.sample(docs, min(CLUSTER_DOCUMENTS, len(docs)))
    clusters = _bulk(
        Cluster,
        [
            Cluster(document_id=doc, name=f"SYNTHETIC cluster {letter} (benchmark data)")
            for doc in chosen
            for letter in "ABC"[:CLUSTERS_PER_DOCUMENT]
        ],
    )
    by_doc: dict[int, list[Any]] = {}
    for cluster in clusters:
        by_doc.setdefault(cluster.document_id, []).append(cluster)
    members = Recommendation.clusters.through
    rows = []
    for rec_id, doc_id in Recommendation.objects.filter(document_id__in=chosen).values_list(
        "id", "document_id"
    ):
        rows.append(members(recommendation_id=rec_id, cluster_id=rng.choice(by_doc[doc_id]).pk))
    _bulk(members, rows)
    through = Action.clusters.through
    links = [
        through(action_id=a.pk, cluster_id=rng.choice(clusters).pk)
        for a in actions
        if clusters and rng.random() < CLUSTER_LINK_SHARE
    ]
    _bulk(through, links)
    return clusters, len(links)


def _updates(
    rng: random.Random,
    actions: list[Any],
    involved: list[list[int]],
    n_updates: int,
    today: datetime.date,
    author: Any,
) -> tuple[int, int, dict[str, int]]:
    from qadam.tracking.models import Evidence, ProgressUpdate

    span = _days(UPDATES_FROM, today)
    states: Counter[str] = Counter()
    made = 0
    evidence = 0
    while made < n_updates:
        rows = []
        for _ in range(min(BATCH * 4, n_updates - made)):
            index = rng.randrange(len(actions))
            action, insts = actions[index], involved[index]
            state = _weighted(rng, UPDATE_STATES)
            states[state] += 1
            rows.append(
                ProgressUpdate(
                    action=action,
                    institution_id=insts[0] if rng.random() < 0.8 else rng.choice(insts),
                    author=author if rng.random() < 0.3 else None,
                    as_of=UPDATES_FROM + datetime.timedelta(days=rng.randrange(span)),
                    text="SYNTHETIC progress for the tracking benchmark (not real progress).",
                    language=rng.choice(["ru", "kk", "en"]),
                    proposed_status=rng.choice(["", "", "in-progress", "partial", "done"]),
                    spent=None,
                    state=state,
                    review_comment="SYNTHETIC: please add figures." if state == "returned" else "",
                )
            )
        rows = _bulk(ProgressUpdate, rows)
        made += len(rows)
        files = [
            Evidence(
                update=u,
                file=f"evidence/{u.action_id}/synthetic-{u.pk}.pdf",
                original_name=f"synthetic-evidence-{u.pk}.pdf",
                content_type="application/pdf",
                size=12_345,
                sha256="0" * 64,
            )
            for u in rows
            if rng.random() < EVIDENCE_SHARE
        ]
        _bulk(Evidence, files)
        evidence += len(files)
    return made, evidence, dict(states)


def _assessments(
    rng: random.Random, by_rec: dict[int, list[int]], statuses: list[str], admin: Any
) -> tuple[int, int]:
    """What refresh_assessments would write for every linked recommendation, plus a
    few overrides by the secretariat."""
    from qadam.tracking.actions import derive_status
    from qadam.tracking.models import Assessment

    rows, overridden = [], 0
    for rec, indexes in by_rec.items():
        row = Assessment(
            recommendation_id=rec, derived_status=derive_status([statuses[i] for i in indexes])
        )
        if rng.random() < OVERRIDE_SHARE:
            row.override_status = rng.choice(["partial", "done", "obsolete"])
            row.override_reason = "SYNTHETIC override for the benchmark."
            row.overridden_by = admin
            overridden += 1
        rows.append(row)
    _bulk(Assessment, rows)
    return len(rows), overridden


def _followups(
    rng: random.Random, rec_ids: list[int], institutions: list[Any], today: datetime.date
) -> int:
    from qadam.tracking.models import FollowUpDeadline

    for i in range(FOLLOWUPS):
        deadline = FollowUpDeadline.objects.create(
            title={"en": f"SYNTHETIC follow-up information requested ({i + 1})"},
            due=today + datetime.timedelta(days=rng.randrange(-400, 700)),
            document_symbol=f"SYNTHETIC/FOLLOW-UP/{i + 1}",
            done=i == 0,
        )
        deadline.recommendations.add(*rng.sample(rec_ids, 20))
        deadline.institutions.add(*rng.sample(institutions, 2))
    return FOLLOWUPS


def _audit(actions: list[Any], plans: list[Any], admin: Any) -> int:
    """One creation event per plan, action and update, as the audited pages write."""
    from qadam.audit.models import AuditEvent
    from qadam.tracking.models import ProgressUpdate

    made = 0
    for label, action, objs in (
        ("tracking.plan", "tracking.plan.create", [(p.pk, str(p.title["en"])) for p in plans]),
        ("tracking.action", "tracking.action.create", [(a.pk, a.title["en"]) for a in actions]),
    ):
        made += len(
            _bulk(
                AuditEvent,
                [
                    AuditEvent(
                        actor=admin,
                        action=action,
                        object_type=label,
                        object_id=str(pk),
                        object_repr=text[:300],
                    )
                    for pk, text in objs
                ],
            )
        )
    ids = ProgressUpdate.objects.order_by("pk").values_list("pk", flat=True)
    batch: list[Any] = []
    for pk in ids.iterator(chunk_size=BATCH):
        batch.append(
            AuditEvent(
                actor=admin,
                action="tracking.update.create",
                object_type="tracking.progressupdate",
                object_id=str(pk),
                object_repr=f"SYNTHETIC progress update {pk}",
            )
        )
        if len(batch) >= BATCH * 4:
            made += len(_bulk(AuditEvent, batch))
            batch = []
    made += len(_bulk(AuditEvent, batch))
    return made


# -- 3. after the load ---------------------------------------------------------------------


def settle(connection: Any) -> str:
    """PostgreSQL's autovacuum analyzes freshly loaded tables within a minute or so; do
    it now so that timings are not of its work (and not of a planner without
    statistics). SQLite gathers none unless asked, as in production: left alone."""
    if connection.vendor != "postgresql":
        return "nothing (SQLite keeps no statistics unless asked)"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return "VACUUM ANALYZE (as autovacuum would after a bulk load)"


def counts() -> dict[str, int]:
    from qadam.audit.models import AuditEvent
    from qadam.registry.models import Recommendation
    from qadam.tracking.models import (
        Action,
        ActionInstitution,
        Assessment,
        Evidence,
        Plan,
        ProgressUpdate,
    )

    return {
        "recommendations": Recommendation.objects.count(),
        "plans": Plan.objects.count(),
        "actions": Action.objects.count(),
        "assignments": ActionInstitution.objects.count(),
        "recommendation_links": Action.recommendations.through.objects.count(),
        "progress_updates": ProgressUpdate.objects.count(),
        "evidence_rows": Evidence.objects.count(),
        "assessments": Assessment.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
