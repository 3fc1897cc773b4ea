"""Tracking's pieces for other apps' pages, so those apps need not import tracking.

``{% actions_for_indicator indicator %}`` lists the actions (visible to the viewer) that
name an indicator: the indicator page shows what the state does about it."""

from __future__ import annotations

from typing import Any

from django import template

from qadam.tracking.access import get_actions_for_user

register = template.Library()


@register.inclusion_tag("tracking/includes/indicator_actions.html", takes_context=True)
def actions_for_indicator(context: dict[str, Any], indicator: Any) -> dict[str, Any]:
    request = context["request"]
    actions = (
        get_actions_for_user(request.user)
        .filter(indicators=indicator)
        .select_related("plan")
        .order_by("deadline", "pk")
    )
    return {"actions": list(actions), "request": request}
