"""Results reports (実績報告) and confirmations (額の確定): URLs under /results/
(the old /claims/ addresses redirect here)."""

from django.urls import path

from subsidies.results import advice_views, record_views, review_views, views

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", review_views.queue, name="queue"),
    path("advice/", advice_views.advice_list, name="advice_list"),
    path("reports/<int:pk>/advice/", advice_views.report_advice, name="report_advice"),
    path("applications/<int:application_pk>/start/", views.report_start, name="report_start"),
    path("applications/<int:application_pk>/advances/", views.advances, name="advances"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/activities/new/", views.activity_add, name="activity_add"),
    path(
        "reports/<int:pk>/activities/<int:activity_pk>/delete/",
        views.activity_delete,
        name="activity_delete",
    ),
    path(
        "reports/<int:pk>/activities/<int:activity_pk>/minutes/",
        views.activity_minutes,
        name="activity_minutes",
    ),
    path("reports/<int:pk>/equipment/new/", record_views.equipment_add, name="equipment_add"),
    path(
        "reports/<int:pk>/equipment/<int:item_pk>/delete/",
        record_views.equipment_delete,
        name="equipment_delete",
    ),
    path("reports/<int:pk>/receipts/new/", record_views.receipt_upload, name="receipt_upload"),
    path(
        "reports/<int:pk>/receipts/<int:receipt_pk>/",
        record_views.receipt_download,
        name="receipt_download",
    ),
    path(
        "reports/<int:pk>/receipts/<int:receipt_pk>/delete/",
        record_views.receipt_delete,
        name="receipt_delete",
    ),
    path("reports/<int:pk>/action/<slug:action>/", views.report_action, name="report_action"),
    path("reports/<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("reports/<int:pk>/calculation/", views.calculation, name="calculation"),
    path("reports/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("reports/<int:pk>/expenses.xlsx", views.expenses_xlsx, name="expenses_xlsx"),
    path("reports/<int:pk>/expenses/upload/", views.expenses_upload, name="expenses_upload"),
    path("reports/<int:pk>/expenses/apply/", views.expenses_apply, name="expenses_apply"),
    path("reports/<int:pk>/seisan.xlsx", views.sheet_xlsx, name="sheet_xlsx"),
    path("confirmations/<int:confirmation_pk>/notice.pdf", views.notice, name="notice"),
    path("years/<int:year>/seisan.xlsx", views.prefecture_xlsx, name="prefecture_xlsx"),
    path("years/<int:year>/confirmed.json", views.confirmed_json, name="confirmed_json"),
    path("years/<int:year>/what-if/", views.what_if, name="what_if"),
]
