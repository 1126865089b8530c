"""Applications: the review home and queue, plans, actions, attachments, Excel."""

from django.urls import path

from subsidies.applications import hospital_line_views as hosp
from subsidies.applications import review_views
from subsidies.applications import views as apps

urlpatterns = [
    path("review/", review_views.review_home, name="review_home"),
    path("review/bulk/", review_views.bulk_review, name="bulk_review"),
    path("review/export.xlsx", review_views.review_export, name="review_export"),
    path("applications/", apps.application_list, name="application_list"),
    path(
        "applications/new/<int:hub_pk>/<int:year>/",
        apps.application_start,
        name="application_start",
    ),
    path(
        "applications/new/hospital/<int:institution_pk>/<int:year>/",
        apps.hospital_application_start,
        name="hospital_application_start",
    ),
    path("applications/<int:pk>/", apps.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", apps.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/action/<slug:action>/",
        apps.application_action,
        name="application_action",
    ),
    path("applications/<int:pk>/comment/", apps.application_comment, name="application_comment"),
    path("applications/<int:pk>/versions/", apps.version_diff, name="version_diff"),
    path("applications/<int:pk>/attachments/", apps.attachment_upload, name="attachment_upload"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        apps.attachment_download,
        name="attachment_download",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/delete/",
        apps.attachment_delete,
        name="attachment_delete",
    ),
    path("applications/<int:pk>/excel/", apps.excel_download, name="excel_download"),
    path("applications/<int:pk>/excel/upload/", apps.excel_upload, name="excel_upload"),
    path("applications/<int:pk>/excel/apply/", apps.excel_apply, name="excel_apply"),
    # issue 18, setting (a): the hub picks its hospitals; a hospital enters its own lines
    path("applications/<int:pk>/hospitals/add/", hosp.hospital_add, name="hospital_add"),
    path(
        "applications/<int:pk>/hospitals/<int:designation_pk>/remove/",
        hosp.hospital_remove,
        name="hospital_remove",
    ),
    path("hospital-lines/", hosp.hospital_lines_list, name="hospital_lines"),
    path(
        "hospital-lines/<int:pk>/<int:designation_pk>/",
        hosp.hospital_lines_edit,
        name="hospital_lines_edit",
    ),
    path(
        "hospital-lines/<int:pk>/<int:designation_pk>/join/",
        hosp.hospital_lines_join,
        name="hospital_lines_join",
    ),
]
