"""The budget pages."""

from django.urls import path

from subsidies.budget import views

urlpatterns = [
    path("budget/", views.budget_latest, name="budget_latest"),
    path("budget/<int:year>/", views.budget, name="budget"),
    path("budget/<int:year>/allocation/", views.allocation, name="allocation"),
    path("budget/allocation/<int:pk>/", views.allocation_proposal, name="allocation_proposal"),
    path("budget/<int:year>/what-if/", views.what_if_page, name="what_if"),
    path("budget/<int:year>/what-if.xlsx", views.what_if_xlsx, name="what_if_xlsx"),
    path("budget/<int:year>/what-if/adopt/", views.what_if_adopt, name="what_if_adopt"),
]
