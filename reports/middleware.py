"""A document that could not be made answers with a page that says so, in Japanese."""

from django.shortcuts import render

from reports.pdf import DocumentError


class DocumentFailureMiddleware:
    """Every PDF view (notices, filed versions, the prefecture summary) renders through
    `reports.pdf`; when that gives up (time limit, a render error) the user gets this page
    with status 503 instead of a hung worker or the generic error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DocumentError):
            return None
        return render(
            request, "reports/document_failed.html", {"reason": str(exception)}, status=503
        )
