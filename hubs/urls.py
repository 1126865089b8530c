from django.urls import path

from hubs import views

app_name = "hubs"
urlpatterns = [
    path("", views.hub_list, name="list"),
    path("mine/", views.my_hubs, name="my_hubs"),
    path("<int:pk>/", views.hub_detail, name="detail"),
]
