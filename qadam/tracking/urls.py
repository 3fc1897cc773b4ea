from django.urls import URLPattern, path  # noqa: F401

from qadam.tracking.views import dashboards

app_name = "tracking"

# Each area adds its own block; keep them apart to ease parallel work.
urlpatterns: list[URLPattern] = [
    # -- plans, actions, updates, evidence, queue (views/work.py) --
    # -- plan import (views/imports.py) --
    # -- dashboards and exports (views/dashboards.py) --
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path(
        "dashboard/<slug:section>/export/",
        dashboards.dashboard_export,
        name="dashboard-export",
    ),
]
