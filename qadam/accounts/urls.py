from django.urls import URLPattern, path

from qadam.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
