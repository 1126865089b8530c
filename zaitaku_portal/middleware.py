"""Every file a user takes away (PDF, xlsx, csv, ZIP, JSON download) is written to the audit
log, whichever view made it: a view cannot forget to."""

import re
from urllib.parse import unquote

from zaitaku_portal.models import AuditEntry

_FILENAME = re.compile(r"filename\*=UTF-8''([^;]+)|filename=\"([^\"]+)\"")


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
                    "接続元": request.META.get("REMOTE_ADDR", ""),
                },
            )
        return response
