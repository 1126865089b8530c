"""What every response gets, whichever view made it, so that a view cannot forget: every file
a user takes away (PDF, xlsx, csv, ZIP, JSON download) is written to the audit log, and
nothing shown to a signed-in user is kept in a browser's or a proxy's cache."""

import re
from urllib.parse import unquote

from django.conf import settings

from zaitaku_portal.audit import ADDRESS, address_of
from zaitaku_portal.client_address import from_trusted_proxy
from zaitaku_portal.models import AuditEntry

# The UTF-8 name when there is one (the ASCII `filename` fallback comes first in the header).
_FILENAME = re.compile(r"filename\*=UTF-8''([^;]+)|filename=\"([^\"]+)\"(?!.*filename\*=)")


class DownloadAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        if response.status_code == 200 and disposition.startswith("attachment"):
            match = _FILENAME.search(disposition)
            name = unquote(match.group(1) or match.group(2)) if match else ""
            user = getattr(request, "user", None)
            AuditEntry.objects.create(
                actor=user if user is not None and user.is_authenticated else None,
                action="ダウンロード",
                target_type="download",
                target_label=name[:255],
                changes={
                    "URL": request.get_full_path()[:500],
                    ADDRESS: address_of(request),
                },
            )
        return response


NO_STORE = "no-store, private"


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store, private` on every page and download for a signed-in user:
    a hub's figures must not stay in a shared computer's cache or come back with the back
    button after logout. Static files never get here (WhiteNoise answers them earlier) and
    keep their long caching; public pages for anonymous visitors keep theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = NO_STORE
        return response


# What a proxy of ours says about the request; from anyone else it is only what the client
# claims, so it is dropped before Django (SECURE_PROXY_SSL_HEADER) or axes could believe it.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


class ProxyHeadersMiddleware:
    """First in MIDDLEWARE: X-Forwarded-For/-Proto/-Host only from PORTAL_TRUSTED_PROXIES
    (zaitaku_portal/client_address.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request.META):
            for key in PROXY_HEADERS:
                request.META.pop(key, None)
        return self.get_response(request)


class PortalHostMiddleware:
    """`X-Portal-Host: <PORTAL_HOST_NAME>` on every answer when the variable is set, so an
    operator (and the two-host test) can tell which web host answered behind the balancer."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.host = settings.PORTAL_HOST_NAME

    def __call__(self, request):
        response = self.get_response(request)
        if self.host:
            response["X-Portal-Host"] = self.host
        return response
