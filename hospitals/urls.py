from django.urls import path

from hospitals import views

app_name = "hospitals"
urlpatterns = [
    path("", views.designation_list, name="list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
]
