from django.urls import path

from subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("review/", views.review_home, name="review_home"),
    path("catalogue/", views.catalogue_latest, name="catalogue_latest"),
    path("catalogue/<int:year>/", views.catalogue, name="catalogue"),
]
