"""A request whose body is larger than any upload the portal takes is answered with a
Japanese 413 page before anything reads the body.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out, so without this a view would
stream a body of any size to a temporary file before its form could say the file is too
large. The limit is settings.REQUEST_BODY_MAX_BYTES; nginx refuses the same size before the
application is reached (docs/nginx.conf.example). A body sent without Content-Length is
read by Django as empty, so the declared length is the one to check."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from zaitaku_portal.attachments import human_size


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # as Django reads it: no body


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            context = {"size": human_size(length), "limit": human_size(limit)}
            return render(request, "request_too_large.html", context, status=413)
        return self.get_response(request)
