from django.urls import URLPattern, path

from qadam.tracking.views import dashboards, imports, work

app_name = "tracking"

# Each area adds its own block; keep them apart to ease parallel work.
urlpatterns: list[URLPattern] = [
    # -- plans, actions, updates, evidence, queue (views/work.py) --
    path("plans/", work.plan_list, name="plan-list"),
    path("plans/new/", work.plan_create, name="plan-create"),
    path("plans/<int:pk>/", work.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", work.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/publish/", work.plan_publish, name="plan-publish"),
    path("plans/<int:pk>/delete/", work.plan_delete, name="plan-delete"),
    path("plans/<int:plan_pk>/actions/new/", work.action_create, name="action-create"),
    path("actions/<int:pk>/", work.action_detail, name="action-detail"),
    path("actions/<int:pk>/edit/", work.action_edit, name="action-edit"),
    path("actions/<int:pk>/publish/", work.action_publish, name="action-publish"),
    path("actions/<int:pk>/delete/", work.action_delete, name="action-delete"),
    path("actions/<int:pk>/links/", work.action_links, name="action-links"),
    path("actions/<int:action_pk>/updates/new/", work.update_create, name="update-create"),
    path("updates/<int:pk>/", work.update_detail, name="update-detail"),
    path("updates/<int:pk>/edit/", work.update_edit, name="update-edit"),
    path("updates/<int:pk>/step/", work.update_transition, name="update-transition"),
    path("updates/<int:pk>/delete/", work.update_delete, name="update-delete"),
    path("evidence/<int:pk>/", work.evidence_download, name="evidence"),
    path("queue/", work.queue, name="queue"),
    path("recommendations/<int:pk>/", work.assessment, name="assessment"),
    # -- plan import (views/imports.py) --
    path("plans/import/", imports.plan_import, name="plan-import"),
    path(
        "plans/import/template.<str:fmt>",
        imports.plan_import_template,
        name="plan-import-template",
    ),
    path("plans/import/<str:token>/", imports.plan_import_preview, name="plan-import-preview"),
    path(
        "plans/import/<str:token>/confirm/",
        imports.plan_import_confirm,
        name="plan-import-confirm",
    ),
    # -- dashboards and exports (views/dashboards.py) --
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path(
        "dashboard/<slug:section>/export/",
        dashboards.dashboard_export,
        name="dashboard-export",
    ),
]
