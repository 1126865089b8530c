from django.urls import path

from hospitals import group_views, views

app_name = "hospitals"
urlpatterns = [
    path("", views.designation_list, name="list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("registry/", views.registry_imports, name="registry_imports"),
    path("registry/<int:pk>/", views.registry_import_detail, name="registry_import_detail"),
    path(
        "registry/<int:pk>/confirm/", views.registry_import_confirm, name="registry_import_confirm"
    ),
    path("registry/<int:pk>/held.xlsx", views.registry_import_held, name="registry_import_held"),
    path("candidates/", views.candidates, name="candidates"),
    path("designations/<int:pk>/end/", views.end_designation_view, name="end_designation"),
    path("designations/<int:pk>/edit/", views.designation_edit, name="designation_edit"),
    path("groups/", group_views.facility_groups, name="facility_groups"),
    path("groups/new/<int:area_pk>/", group_views.facility_group_new, name="facility_group_new"),
    path("groups/<int:pk>/", group_views.facility_group_edit, name="facility_group_edit"),
    path("history/", views.history, name="history"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
    path("public/", views.public_list, name="public_list"),
    path("public.<str:fmt>", views.public_download, name="public_download"),
]
