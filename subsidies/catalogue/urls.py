"""The catalogue pages."""

from django.urls import path

from subsidies.catalogue import views

urlpatterns = [
    path("catalogue/", views.catalogue_latest, name="catalogue_latest"),
    path("catalogue/<int:year>/", views.catalogue, name="catalogue"),
    path("catalogue/<int:year>/confirm/", views.catalogue_confirm, name="catalogue_confirm"),
    path("catalogue/<int:year>/settings/", views.catalogue_settings, name="catalogue_settings"),
]
