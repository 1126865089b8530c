"""お知らせ (issue 20): the user's own Notification rows, newest first. Opening one marks it
read and goes to its page; 「すべて既読にする」 marks them all. Another user's notice is 404.

Marking read is a POST (no writes on GET: tests/zaitaku_portal/test_no_writes_on_get.py) and
is not audited: it changes nothing of the work, only the reader's own list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zaitaku_portal import unread
from zaitaku_portal.access import ALL_ROLES, require_roles
from zaitaku_portal.models import Notification

PAGE_SIZE = 50


def notices_of(user):
    return Notification.objects.filter(user=user)


@require_roles(*ALL_ROLES)
def notice_list(request):
    notices = notices_of(request.user).order_by("-created_at", "-pk")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {"page": page, "unread": unread.count(request.user)},
    )


@require_roles(*ALL_ROLES)
@require_POST
def notice_open(request, pk: int):
    notice = get_object_or_404(notices_of(request.user), pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notices")


@require_roles(*ALL_ROLES)
@require_POST
def notice_read_all(request):
    notices_of(request.user).filter(read_at=None).update(read_at=timezone.now())
    unread.forget([request.user.pk])  # an update sends no signal
    return redirect("notices")
