from django.urls import URLPattern, path

from qadam.indicators import views

app_name = "indicators"

urlpatterns: list[URLPattern] = [
    path("", views.indicator_list, name="indicator-list"),
    path("imports/", views.import_list, name="imports"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("links/<int:pk>/remove/", views.link_remove, name="link-remove"),
    path("<slug:dataset>/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("<slug:dataset>/<str:code>/link/", views.link_add, name="link-add"),
]
