from django.urls import path

from reports import payment_documents, procedure_documents, refusal_notice, views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/<slug:table>/", views.dashboard_export, name="dashboard_export"),
    path("dashboard/activities.xlsx", views.activities_export, name="activities_export"),
    path("prefecture/", views.prefecture, name="prefecture"),
    path("prefecture/summary.pdf", views.prefecture_pdf, name="prefecture_pdf"),
    path("decisions/<int:pk>/notice.pdf", views.decision_notice, name="decision_notice"),
    path(
        "confirmations/<int:confirmation_pk>/notice.pdf",
        views.confirmation_notice,
        name="confirmation_notice",
    ),
    path("refusals/<int:pk>/notice.pdf", refusal_notice.refusal_notice, name="refusal_notice"),
    path(
        "payments/<int:pk>/request.pdf",
        payment_documents.payment_request_pdf,
        name="payment_request_pdf",
    ),
    path("refunds/<int:pk>/order.pdf", payment_documents.refund_order_pdf, name="refund_order_pdf"),
    path(
        "withdrawals/<int:pk>/withdrawal.pdf",
        procedure_documents.withdrawal_document,
        name="withdrawal_pdf",
    ),
    path(
        "discontinuations/<int:pk>/request.pdf",
        procedure_documents.discontinuation_request_document,
        name="discontinuation_request_pdf",
    ),
    path(
        "discontinuations/<int:pk>/approval.pdf",
        procedure_documents.discontinuation_approval_document,
        name="discontinuation_approval_pdf",
    ),
    path(
        "versions/<int:pk>/change-request.pdf",
        procedure_documents.change_request_document,
        name="change_request_pdf",
    ),
    path("versions/<int:pk>/application.pdf", views.application_pdf, name="application_pdf"),
    path("results/<int:pk>/results.pdf", views.results_pdf, name="results_pdf"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/download/", views.batch_download, name="batch_download"),
]
