from django.urls import URLPattern, path

from qadam.qol import views

app_name = "qol"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="standard"),
    path("new/", views.edit, name="new"),
    path("<slug:code>/", views.overview, name="standard-overview"),
    path("<slug:code>/standard/", views.document, name="document"),
    path("<slug:code>/standard.yaml", views.export_yaml, name="export"),
    path("<slug:code>/edit/", views.edit, name="edit"),
    path("<slug:code>/evaluate/", views.evaluate, name="evaluate"),
    path("<slug:code>/what-if/", views.what_if, name="what-if"),
]
