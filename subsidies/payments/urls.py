"""交付請求・支払・返還: URLs under /subsidies/payments/ (the `subsidies:` namespace)."""

from django.urls import path

from subsidies.payments import views

urlpatterns = [
    path("payments/", views.payment_list, name="payments_list"),
    path("payments/years/<int:year>/payments.csv", views.payments_csv, name="payments_csv"),
    path("payments/years/<int:year>/payments.xlsx", views.payments_xlsx, name="payments_xlsx"),
    path(
        "payments/applications/<int:pk>/",
        views.application_payments,
        name="payments_application",
    ),
    path("payments/applications/<int:pk>/request/", views.file_request, name="payments_request"),
    path("payments/applications/<int:pk>/refund/", views.issue_refund, name="payments_refund"),
    path("payments/requests/<int:pk>/pay/", views.record_payment, name="payments_pay"),
    path("payments/requests/<int:pk>/return/", views.return_request, name="payments_return"),
    path("payments/refunds/<int:pk>/receipt/", views.record_receipt, name="payments_receipt"),
]
