from django.urls import path

from qadam.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.recommendation_list, name="recommendation-list"),
]
