from django.urls import path

from qadam.registry import views
from qadam.registry.views import imports

app_name = "registry"
urlpatterns = [
    path("", views.recommendation_list, name="recommendation-list"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation-detail"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/original/", views.document_original, name="document-original"),
    path("import/", imports.import_start, name="import"),
    path("import/runs/", imports.import_run_list, name="import-run-list"),
    path("import/runs/<int:pk>/", imports.import_run_detail, name="import-run"),
    path("import/runs/<int:pk>/preview/", imports.import_run_preview, name="import-run-preview"),
    path("import/runs/<int:pk>/confirm/", imports.import_run_confirm, name="import-run-confirm"),
    path("import/runs/<int:pk>/file/", imports.import_run_file, name="import-run-file"),
    path("import/template.<str:fmt>", imports.import_template, name="import-template"),
]
