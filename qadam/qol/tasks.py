"""Background jobs of quality of life: evaluations run in the task worker."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def evaluate_standard(evaluation_id: int) -> dict[str, Any]:
    from qadam.qol.actions import do_evaluate, do_fail_evaluation
    from qadam.qol.models import Evaluation

    evaluation = Evaluation.objects.select_related("version").get(pk=evaluation_id)
    if evaluation.status == Evaluation.Status.DONE:
        return {"evaluation": evaluation.pk, "status": evaluation.status}
    try:
        do_evaluate(evaluation)
    except Exception as exc:
        do_fail_evaluation(evaluation, f"{type(exc).__name__}: {exc}")
        raise
    return {"evaluation": evaluation.pk, "status": evaluation.status, "year": evaluation.year}
