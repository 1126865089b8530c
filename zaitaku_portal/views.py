from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse_lazy

from zaitaku_portal.access import home_url_for
from zaitaku_portal.audit import ADDRESS, address_of, record
from zaitaku_portal.two_factor import note_password_login

PASSWORD_CHANGED = "パスワードの変更"  # noqa: S105 - an audit action's name


@login_required
def home(request):
    """Each role lands on its own page."""
    return redirect(home_url_for(request.user))


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return home_url_for(self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)
        note_password_login(self.request)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every role changes its own password (issue 12); the old one is asked for, the session
    stays, and the change is in the audit log (never the password)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        changes = {"パスワード": {"from": "設定済み", "to": "変更"}}
        record(user, PASSWORD_CHANGED, user, {**changes, ADDRESS: address_of(self.request)})
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
