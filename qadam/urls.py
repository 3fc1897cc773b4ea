from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from qadam.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("qadam.accounts.urls")),
    path("tracking/", include("qadam.tracking.urls")),
    path("labelling/", include("qadam.labelling.urls")),
    path("indicators/", include("qadam.indicators.urls")),
    path("qol/", include("qadam.qol.urls")),
    path("", include("qadam.registry.urls")),
    prefix_default_language=True,
)
