"""Logins, logouts and failed logins go to the audit log (who, when, from where)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zaitaku_portal.audit import ADDRESS, address_of
from zaitaku_portal.models import AuditEntry


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    AuditEntry.objects.create(
        actor=user,
        action="ログイン",
        target_type="auth.login",
        target_id=str(user.pk),
        target_label=user.get_username(),
        changes={ADDRESS: address_of(request)},
    )


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    AuditEntry.objects.create(
        actor=user,
        action="ログアウト",
        target_type="auth.login",
        target_id=str(user.pk),
        target_label=user.get_username(),
        changes={ADDRESS: address_of(request)},
    )


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, **kwargs):
    AuditEntry.objects.create(
        action="ログイン失敗",
        target_type="auth.login",
        target_label=str(credentials.get("username", ""))[:255],
        changes={ADDRESS: address_of(request)},
    )
