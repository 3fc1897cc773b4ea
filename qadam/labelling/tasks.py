"""Background jobs of labelling, run by the database-backed task worker.

Training and labelling runs take minutes, so they never run in a web request. A run
resumes from its bookmark when its task is delivered again after a worker restart."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def train_models(actor_id: int | None = None) -> str:
    from django.contrib.auth import get_user_model

    from qadam.labelling.actions import do_train

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return do_train(actor).name


@task()
def continue_labelling_run(run_id: int) -> dict[str, Any]:
    from qadam.labelling.actions import do_continue_run, do_fail_run
    from qadam.labelling.models import LabellingRun

    run = LabellingRun.objects.get(pk=run_id)
    if run.status == LabellingRun.Status.DONE:
        return {"run": run.pk, "status": run.status}
    try:
        do_continue_run(run)
    except Exception as exc:
        do_fail_run(run, f"{type(exc).__name__}: {exc}")
        raise
    return {"run": run.pk, "status": run.status, "done": run.done}


@task()
def find_overlaps(actor_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from qadam.labelling.actions import do_find_overlaps

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return do_find_overlaps(actor)
