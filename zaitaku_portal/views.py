from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from zaitaku_portal.access import home_url_for


@login_required
def home(request):
    """Each role lands on its own page."""
    return redirect(home_url_for(request.user))


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return home_url_for(self.request.user)
