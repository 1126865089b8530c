"""The portal's own 400/404/500 pages in the demo too.

With DEBUG off Django renders templates/400.html, 404.html and 500.html itself. With DEBUG on
(the demo, `.ci/demo`: DEBUG serves the static files and allows the development key) Django
shows its English debug pages instead, which a civil servant trying the demo should not
meet. `PORTAL_DEBUG_PAGES=0` (set by `.ci/demo`) keeps DEBUG and shows the real pages: a
response Django made from an exception raised by a view (Http404, a 400, an uncaught error)
or from an address no URL matches is replaced by the page Django would show without DEBUG,
through Django's own handlers (django.views.defaults), with the same status. Django has
already logged the error and sent `got_request_exception` by then; 403 needs nothing:
Django renders 403.html whatever DEBUG says. Developers keep the debug pages by default.

Placed in MIDDLEWARE after every middleware that turns an exception into a page of its own
(reports.middleware.DocumentFailureMiddleware is inside it, so it answers first), and inside
the ones that add headers (CSP, no-store), so the replacement page gets them too."""

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404
from django.views import defaults

_EXCEPTION = "_portal_view_exception"


def _shows_real_pages() -> bool:
    return settings.DEBUG and not getattr(settings, "PORTAL_DEBUG_PAGES", True)


def real_page(request, status: int, exception):
    """The page Django shows with DEBUG off for `status`, or None for a status it has none."""
    if status == 404:
        return defaults.page_not_found(request, exception or Http404())
    if status == 400:
        return defaults.bad_request(request, exception or BadRequest())
    if status == 500:
        return defaults.server_error(request)
    return None


class PortalErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _shows_real_pages():
            return response
        exception = getattr(request, _EXCEPTION, None)
        unmatched = getattr(request, "resolver_match", None) is None
        if exception is None and not (unmatched and response.status_code == 404):
            return response  # a page a view chose to answer with (a 404 of its own included)
        if isinstance(exception, SuspiciousOperation):
            exception = BadRequest(str(exception))
        return real_page(request, response.status_code, exception) or response

    def process_exception(self, request, exception):
        """Remember what the view raised; Django's own handling makes the response (and logs
        it), the replacement happens on the way out."""
        if _shows_real_pages():
            setattr(request, _EXCEPTION, exception)
        return None
