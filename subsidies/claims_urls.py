"""Results reports (実績報告) and confirmations (額の確定): URLs under /claims/."""

from django.urls import path  # noqa: F401 - patterns are added with the claims views

app_name = "claims"
urlpatterns: list = []
