"""Every write of the labelling app: training, switching versions, suggesting labels,
deciding suggestions and overlap groups. Each runs in a transaction and is audited."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from qadam.audit.actions import record
from qadam.labelling import engine
from qadam.labelling.models import LabellingRun, ModelVersion, OverlapGroup, OverlapMember
from qadam.lib.i18n import pick
from qadam.lib.ml.bundle import Bundle
from qadam.lib.ml.types import Suggestion
from qadam.registry.models import Cluster, Label, Recommendation

BATCH = 500
# do_train's default: read QADAM_DATA_DIR. Passing None trains on the database alone.
FROM_SETTINGS = Path("\0from-settings")


# ----- training and versions ------------------------------------------------------------
def _next_name() -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name, n = stamp, 1
    while ModelVersion.objects.filter(name=name).exists():
        n += 1
        name = f"{stamp}-{n}"
    return name


def do_train(
    actor: Any = None,
    *,
    activate: bool = True,
    data_dir: Path | None = FROM_SETTINGS,
    progress: Callable[[str], None] = lambda m: None,
) -> ModelVersion:
    """Train a new version from the database and QADAM_DATA_DIR and write its files.

    The version row is written first and marked failed if training fails, so the
    attempt stays on record; the files land in a folder named after the version."""
    if data_dir == FROM_SETTINGS:
        data_dir = Path(settings.QADAM_DATA_DIR)
    version = ModelVersion.objects.create(name=_next_name(), created_by=_user(actor))
    record(actor, "labelling.train.start", version)
    try:
        examples, sources = engine.collect_examples(data_dir, progress)
        bundle = Bundle.train(version.name, examples, data_dir, progress)
        size = bundle.save(engine.version_folder(version.name))
    except Exception as exc:
        _fail(version, exc)
        raise
    version.report = {**bundle.manifest, "sources": sources, "bytes": size}
    version.status = ModelVersion.Status.READY
    version.finished_at = timezone.now()
    version.save(update_fields=["report", "status", "finished_at"])
    record(actor, "labelling.train.done", version, {"sources": sources, "bytes": size})
    if activate:
        do_activate_version(actor, version)
    return version


def _fail(version: ModelVersion, exc: Exception) -> None:
    version.status = ModelVersion.Status.FAILED
    version.error = f"{type(exc).__name__}: {exc}"[:2000]
    version.finished_at = timezone.now()
    version.save(update_fields=["status", "error", "finished_at"])
    shutil.rmtree(engine.version_folder(version.name), ignore_errors=True)
    record(None, "labelling.train.failed", version, {"error": version.error})


@transaction.atomic
def do_activate_version(actor: Any, version: ModelVersion) -> ModelVersion:
    """Make this ready version the one in use: after a new training, or as a rollback."""
    if version.status != ModelVersion.Status.READY:
        raise ValueError("only a ready model version can be activated")
    # A rollback to a version whose files are gone must fail here, not at the next use.
    Bundle.load(engine.version_folder(version.name))
    previous = ModelVersion.objects.select_for_update().filter(active=True).exclude(pk=version.pk)
    before = list(previous.values_list("name", flat=True))
    previous.update(active=False)
    if not version.active:
        version.active = True
        version.save(update_fields=["active"])
    record(actor, "labelling.activate", version, {"active": [before, version.name]})
    engine.forget_loaded()
    return version


# ----- suggestions ----------------------------------------------------------------------
def do_suggest(recommendations: Sequence[Recommendation], bundle: Bundle, actor: Any = None) -> int:
    """Replace the undecided model suggestions of these recommendations with the bundle's.

    A term that already carries a decided or imported label on a recommendation is not
    suggested again: a person's decision and a source's label are never overwritten."""
    if not recommendations:
        return 0
    results = bundle.classify(
        [pick(r.text, "en").text for r in recommendations],
        max_chars=settings.QADAM_MAX_LABEL_CHARS,
    )
    ids = engine.term_ids(bundle.taxonomies)
    with transaction.atomic():
        pks = [r.pk for r in recommendations]
        Label.objects.filter(
            recommendation_id__in=pks,
            provenance=Label.Provenance.MODEL,
            status=Label.Status.SUGGESTED,
        ).delete()
        settled = set(
            Label.objects.filter(recommendation_id__in=pks).values_list(
                "recommendation_id", "term_id"
            )
        )
        rows = [
            _label(rec, ids[(s.taxonomy, s.term)], s, bundle.version)
            for rec, result in zip(recommendations, results, strict=True)
            for s in result.suggestions
            if (s.taxonomy, s.term) in ids and (rec.pk, ids[(s.taxonomy, s.term)]) not in settled
        ]
        Label.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _label(rec: Recommendation, term_id: int, s: Suggestion, version: str) -> Label:
    return Label(
        recommendation_id=rec.pk,
        term_id=term_id,
        provenance=Label.Provenance.MODEL,
        source=version,
        score=s.score,
        status=Label.Status.SUGGESTED,
        reasons=[
            {"kind": r.kind, "detail": r.detail, "weight": r.weight, "ref": r.ref}
            for r in s.reasons
        ],
    )


@transaction.atomic
def do_decide_suggestions(actor: Any, labels: Iterable[Label], accept: bool) -> int:
    """Accept or reject suggestions, one or many. Decided ones are left as they are."""
    now = timezone.now()
    status = Label.Status.CONFIRMED if accept else Label.Status.REJECTED
    decided = 0
    for label in labels:
        if label.provenance != Label.Provenance.MODEL or label.status != Label.Status.SUGGESTED:
            continue
        label.status = status
        label.decided_by = _user(actor)
        label.decided_at = now
        label.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            actor,
            "labelling.accept" if accept else "labelling.reject",
            label.recommendation,
            {"term": label.term_id, "source": label.source, "score": label.score},
        )
        decided += 1
    return decided


# ----- labelling runs -------------------------------------------------------------------
def scope_queryset(scope: dict[str, Any]) -> QuerySet[Recommendation]:
    qs = Recommendation.objects.all()
    if scope.get("document"):
        qs = qs.filter(document_id=scope["document"])
    if scope.get("ids"):
        qs = qs.filter(pk__in=scope["ids"])
    return qs.order_by("pk")


@transaction.atomic
def do_start_run(actor: Any, scope: dict[str, Any] | None = None) -> LabellingRun:
    version = ModelVersion.objects.filter(active=True, status=ModelVersion.Status.READY).first()
    if version is None:
        raise engine.NoModel
    scope = scope or {}
    run = LabellingRun.objects.create(
        model_version=version,
        scope=scope,
        total=scope_queryset(scope).count(),
        created_by=_user(actor),
    )
    record(actor, "labelling.run.start", run, {"scope": scope, "total": run.total})
    return run


def do_continue_run(
    run: LabellingRun, batch: int = BATCH, limit: int | None = None
) -> LabellingRun:
    """Label the run's next batches from where it stopped; each batch commits with its
    bookmark, so a kill loses at most one batch of work and nothing twice."""
    bundle = engine.load_version(run.model_version.name)
    _mark_running(run)
    batches = 0
    while limit is None or batches < limit:
        recs = list(scope_queryset(run.scope).filter(pk__gt=run.last_pk)[:batch])
        if not recs:
            break
        with transaction.atomic():
            made = do_suggest(recs, bundle)
            LabellingRun.objects.filter(pk=run.pk).update(
                last_pk=recs[-1].pk, done=run.done + len(recs), suggested=run.suggested + made
            )
        run.refresh_from_db()
        batches += 1
    if limit is None or batches < limit:
        _finish(run)
    return run


def _mark_running(run: LabellingRun) -> None:
    if run.status != LabellingRun.Status.RUNNING:
        run.status = LabellingRun.Status.RUNNING
        run.started_at = run.started_at or timezone.now()
        run.save(update_fields=["status", "started_at"])


def _finish(run: LabellingRun) -> None:
    run.status = LabellingRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    record(None, "labelling.run.done", run, {"done": run.done, "suggested": run.suggested})


def do_fail_run(run: LabellingRun, error: str) -> None:
    run.status = LabellingRun.Status.FAILED
    run.error = error[:2000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    record(None, "labelling.run.failed", run, {"error": run.error})


# ----- overlap groups -------------------------------------------------------------------
def do_find_overlaps(actor: Any = None, threshold: float | None = None) -> int:
    """Group near-duplicate recommendations across mechanisms and cycles and store the
    groups not seen before as suggestions for the secretariat."""
    from qadam.lib.ml import overlap

    rows = list(Recommendation.objects.order_by("pk").values_list("pk", "text"))
    texts = [pick(text, "en").text for _, text in rows]
    found = overlap.group(
        texts,
        [str(pk) for pk, _ in rows],
        threshold=overlap.OPERATING_THRESHOLD if threshold is None else threshold,
    )
    made = do_store_overlap_groups(
        {"ids": [int(i) for i in g.ids], "score": g.mean_similarity, "shared": list(g.shared)}
        for g in found
    )
    record(actor, "labelling.overlap.find", None, {"groups": len(found), "new": made})
    return made


@transaction.atomic
def do_store_overlap_groups(groups: Iterable[dict[str, Any]]) -> int:
    """Store detector groups not seen before; decided groups and their keys stay."""
    made = 0
    for g in groups:
        ids = list(g["ids"])
        key = "-".join(str(i) for i in sorted(ids))[:64]
        if OverlapGroup.objects.filter(key=key).exists():
            continue
        group = OverlapGroup.objects.create(
            key=key, score=g.get("score", 0.0), shared_words=g.get("shared", [])
        )
        OverlapMember.objects.bulk_create(
            OverlapMember(group=group, recommendation_id=pk, position=n, similarity=sim)
            for n, (pk, sim) in enumerate(
                zip(ids, g.get("similarities", [0.0] * len(ids)), strict=True)
            )
        )
        made += 1
    return made


@transaction.atomic
def do_decide_overlap_group(
    actor: Any, group: OverlapGroup, confirm: bool, keep: Sequence[int] | None = None
) -> OverlapGroup:
    """Confirm (optionally keeping only some members: a split) or reject a group.

    A confirmed group becomes a registry cluster, so an action can answer all of it."""
    if group.status != OverlapGroup.Status.SUGGESTED:
        return group
    members = list(group.memberships.values_list("recommendation_id", flat=True))
    kept = [pk for pk in members if keep is None or pk in set(keep)]
    if confirm and len(kept) >= 2:
        group.cluster = _cluster_for(group, kept)
        group.status = OverlapGroup.Status.CONFIRMED
    else:
        group.status = OverlapGroup.Status.REJECTED
    group.decided_by = _user(actor)
    group.decided_at = timezone.now()
    group.save(update_fields=["cluster", "status", "decided_by", "decided_at"])
    record(
        actor,
        "labelling.overlap.confirm" if group.cluster else "labelling.overlap.reject",
        group,
        {"members": members, "kept": kept if group.cluster else []},
    )
    return group


def _cluster_for(group: OverlapGroup, kept: list[int]) -> Cluster:
    words = ", ".join(group.shared_words[:4]) or str(group.pk)
    cluster = Cluster.objects.create(document=None, name=f"Overlap {group.pk}: {words}"[:500])
    cluster.recommendations.add(*kept)
    return cluster


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
