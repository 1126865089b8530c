from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from zaitaku_portal import health, notices, two_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    # Answered by HealthCheckMiddleware before login and two-factor (docs/operations.md).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("login/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/", two_factor.setup, name="two_factor_setup"),
    path("two-factor/disable/", two_factor.disable, name="two_factor_disable"),
    path(
        "two-factor/recovery-codes/",
        two_factor.new_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/<int:pk>/open/", notices.notice_open, name="notice_open"),
    path("notices/read-all/", notices.notice_read_all, name="notices_read_all"),
    path("hubs/", include("hubs.urls")),
    path("hospitals/", include("hospitals.urls")),
    path("subsidies/", include("subsidies.urls")),
    path("results/", include("subsidies.results.urls")),
    # Results lived under /claims/ until 2026-12; bookmarks and e-mailed links still work.
    re_path(
        r"^claims/(?P<rest>.*)$",
        RedirectView.as_view(url="/results/%(rest)s", permanent=True, query_string=True),
        name="old_claims_address",
    ),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
