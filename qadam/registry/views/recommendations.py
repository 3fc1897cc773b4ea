from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def recommendation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "registry/recommendation_list.html", {})
