from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("areas/", views.my_areas, name="my_areas"),
]
