"""Who may see and touch applications, composed from zaitaku_portal.access and .scopes.

The queryset (`applications_for`) lives in zaitaku_portal.scopes with the other scopes; the
functions here only narrow it, so another hub's application is 404."""

from subsidies.applications.workflow import EDITABLE_STATES
from zaitaku_portal.access import STAFF_ROLES, Permission, role_of
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import hubs_for


def can_start_application(user, hub) -> Permission:
    if role_of(user) != Role.HUB_COORDINATOR or not hubs_for(user).filter(pk=hub.pk).exists():
        return Permission(False, "申請の作成は、その拠点のコーディネーターが行います。")
    return Permission(True)


def can_edit_plan(user, application) -> Permission:
    if role_of(user) != Role.HUB_COORDINATOR:
        return Permission(False, "事業計画の入力は拠点コーディネーターが行います。")
    if application.status not in EDITABLE_STATES:
        return Permission(
            False,
            f"「{application.get_status_display()}」の申請は編集できません"
            "（下書きまたは差戻し中のみ）。",
        )
    return Permission(True)


def can_comment(user) -> Permission:
    if role_of(user) is None:
        return Permission(False, "ログインしてください。")
    return Permission(True)


def comment_kind_for(user) -> str:
    from subsidies.models import ApplicationComment

    role = role_of(user)
    if role == Role.HEALTH_CENTER:
        return ApplicationComment.Kind.ADVICE
    if role in STAFF_ROLES:
        return ApplicationComment.Kind.STAFF
    return ApplicationComment.Kind.COORDINATOR


def can_bulk_review(user) -> Permission:
    if role_of(user) in STAFF_ROLES:
        return Permission(True)
    return Permission(False, "一括操作は県職員のみが行えます。")
