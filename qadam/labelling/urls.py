from django.urls import URLPattern, path

from qadam.labelling import views

app_name = "labelling"

urlpatterns: list[URLPattern] = [
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/decide/", views.suggestion_decide, name="decide"),
    path("models/", views.model_list, name="models"),
    path("models/train/", views.model_train, name="train"),
    path("models/<int:pk>/", views.model_detail, name="model-detail"),
    path("models/<int:pk>/activate/", views.model_activate, name="activate"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("overlaps/", views.overlap_list, name="overlaps"),
    path("overlaps/<int:pk>/decide/", views.overlap_decide, name="overlap-decide"),
    path("classify/", views.classify, name="classify"),
]
