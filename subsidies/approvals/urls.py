"""決裁: the queue of drafts and a draft's page, under /subsidies/approvals/."""

from django.urls import path

from subsidies.approvals import views

urlpatterns = [
    path("approvals/", views.queue, name="approval_queue"),
    path("approvals/<int:pk>/", views.detail, name="approval_detail"),
    path("approvals/<int:pk>/approve/", views.approve, name="approval_approve"),
    path("approvals/<int:pk>/send-back/", views.send_back, name="approval_send_back"),
]
