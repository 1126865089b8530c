"""The budget pages."""

from django.urls import path

from subsidies.budget import views

urlpatterns = [
    path("budget/", views.budget_latest, name="budget_latest"),
    path("budget/<int:year>/", views.budget, name="budget"),
    path("budget/<int:year>/allocation/", views.allocation, name="allocation"),
    path("budget/allocation/<int:pk>/", views.allocation_proposal, name="allocation_proposal"),
]
