"""TOTP two-factor authentication for prefecture staff (docs/adr/0010), required for those
`access.requires_two_factor` names (administrators; all staff with a setting).

A staff user with a confirmed TOTP device is logged in by the password but not *verified*
(django-otp's OTPMiddleware); `TwoFactorRequiredMiddleware` sends every request of such a
session to the code page until a current code is entered, and every request of a password
session whose user must have two-factor but has no device to the setup page. Wrong codes are
counted per user in the audit log, wherever they are typed (login, turning it off, new
recovery codes, an administrator's confirmation in the admin): five within 15 minutes log the
session out and lock the code page for 15 minutes, whatever the address and however often the
password is entered again."""

from __future__ import annotations

import re
import time
from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from zaitaku_portal.access import (
    STAFF_ROLES,
    home_url_for,
    require_roles,
    requires_two_factor,
    role_of,
)
from zaitaku_portal.audit import ADDRESS, address_of, record
from zaitaku_portal.models import AuditEntry

FAILURE_LIMIT = 5
LOCK_PERIOD = timedelta(minutes=15)
DEVICE_NAME = "認証アプリ"
CODE_FAILURE = "二要素認証コード誤り"
DEVICE_CONFIRMED = "二要素認証の設定"
DEVICE_REMOVED = "二要素認証の解除"
DEVICE_REMOVED_BY_ADMIN = "二要素認証の登録削除"  # by an administrator, for a lost phone
PENDING_KEY_SESSION = "two_factor_pending_key"
ENROLMENT_SESSION = "two_factor_enforced"  # begun with a password: enrolment is enforced
NEW_CODES_SESSION = "two_factor_new_recovery_codes"  # shown once, then forgotten
RECOVERY_NAME = "回復コード"
RECOVERY_COUNT = 10
RECOVERY_ISSUED = "回復コードの発行"
RECOVERY_USED = "回復コードでのログイン"
WRONG_CODE = (
    "確認コードが正しくありません。認証アプリに表示されている最新の6桁の数字を入力してください。"
)
REAUTH_PAGE = "管理画面での本人確認"
REAUTH_MISSING = (
    "この操作には本人確認が必要です。あなたの認証アプリに表示されている6桁の確認コード、"
    "または回復コードを入力してください。"
)
REAUTH_MALFORMED = (
    "本人確認のコードは、6桁の確認コード、または8文字の回復コード（例: abcd-efgh）で"
    "入力してください。"
)
REAUTH_WRONG = (
    "本人確認のコードが正しくないか、既に使われています。あなたの認証アプリに表示されている"
    "最新の確認コードを入力してください。"
)
REAUTH_NO_DEVICE = (
    "この操作には本人確認が必要ですが、あなたの二要素認証が設定されていません。"
    "先に「二要素認証の設定」で認証アプリを登録してください。"
)
REAUTH_LOCKED = "確認コードを続けて間違えたため、15分間は本人確認ができません。"


# --- service ---------------------------------------------------------------------------


def needs_verification(user) -> bool:
    """Staff with a confirmed device whose session has not yet passed the code page."""
    if role_of(user) not in STAFF_ROLES:
        return False
    if getattr(user, "is_verified", None) is not None and user.is_verified():
        return False
    # the app's device, not the recovery codes: when an administrator removes a lost phone's
    # device in the admin, the password alone works again until a new one is set up
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def note_password_login(request: HttpRequest) -> None:
    """Called by the two pages that take a password (the portal's login and the admin's),
    once logged in: in this session, a user who must use two-factor and has no device is
    kept on the setup page. Sessions made without a password (the test client's
    force_login) are left as before (ADR 0010)."""
    if request.user.is_authenticated:
        request.session[ENROLMENT_SESSION] = True


def needs_enrolment(request: HttpRequest) -> bool:
    """A password session of a user who must use two-factor and has no device yet."""
    return (
        bool(request.session.get(ENROLMENT_SESSION))
        and requires_two_factor(request.user)
        and confirmed_device(request.user) is None
    )


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_recovery_code(text: str) -> str:
    """What a person types from a printout: any case, spaces, hyphens, full-width letters."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    text = "".join(chr(ord(c) - 0xFEE0) if "Ａ" <= c <= "ｚ" else c for c in text)
    return re.sub(r"[\s\-ー－]", "", text).lower()


def show_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


def issue_recovery_codes(request: HttpRequest) -> list[str]:
    """Ten new one-time codes; the previous ones stop working. They are shown once."""
    user = request.user
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        tokens = [StaticToken.random_token() for _ in range(RECOVERY_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
        record(user, RECOVERY_ISSUED, user, {"個数": RECOVERY_COUNT, ADDRESS: address_of(request)})
    request.session[NEW_CODES_SESSION] = [show_recovery_code(t) for t in tokens]
    return tokens


def verify_recovery_code(request: HttpRequest, text: str) -> StaticDevice | None:
    """The second login step with a recovery code instead of the app: the code is used up,
    the session is verified, and the audit log says so (with the codes left)."""
    user = request.user
    with transaction.atomic():
        device = _locked_device(StaticDevice, user)
        code = normalise_recovery_code(text)
        if device is not None and re.fullmatch(r"[a-z2-7]{8}", code) and device.verify_token(code):
            request.session.cycle_key()
            otp_login(request, device)
            left = device.token_set.count()
            record(user, RECOVERY_USED, user, {"残り": left, ADDRESS: address_of(request)})
            return device
        record(user, CODE_FAILURE, user, {ADDRESS: address_of(request), "種類": RECOVERY_NAME})
    return None


def recent_failures(user) -> int:
    """Wrong codes at the code page in the last 15 minutes, since the last accepted code."""
    since = timezone.now() - LOCK_PERIOD
    for device in (confirmed_device(user), recovery_device(user)):
        if device is not None and device.last_used_at and device.last_used_at > since:
            since = device.last_used_at
    return AuditEntry.objects.filter(
        actor=user, action=CODE_FAILURE, target_type=user._meta.label, at__gt=since
    ).count()


def is_locked(user) -> bool:
    return recent_failures(user) >= FAILURE_LIMIT


def _locked_device(model, user):
    """The user's confirmed device, its row locked so parallel guesses are counted one after
    another."""
    devices = model.objects.select_for_update().filter(user=user, confirmed=True)
    return devices.order_by("pk").first()


def verify_login_code(request: HttpRequest, code: str) -> TOTPDevice | None:
    """Check a code at login; on success the session is verified, on failure it is audited."""
    user = request.user
    with transaction.atomic():
        device = _locked_device(TOTPDevice, user)
        if device is not None and device.verify_token(code):
            request.session.cycle_key()
            otp_login(request, device)
            return device
        record(user, CODE_FAILURE, user, {ADDRESS: address_of(request)})
    return None


def check_current_code(request: HttpRequest, code: str, page: str) -> TOTPDevice | None:
    """A current app code for a change to the user's own two-factor (turning it off, new
    recovery codes); a wrong one counts towards the lock like one at login."""
    user = request.user
    with transaction.atomic():
        device = _locked_device(TOTPDevice, user)
        if device is not None and device.verify_token(code):
            return device
        record(user, CODE_FAILURE, user, {ADDRESS: address_of(request), "画面": page})
    return None


def has_second_factor(user) -> bool:
    return confirmed_device(user) is not None or recovery_codes_left(user) > 0


def reauthenticate(request: HttpRequest, code: str) -> bool:
    """The acting user's own second factor once more, typed in the form of an action that
    could take over another account: an app code (six digits) or a recovery code (used up).
    A wrong one counts towards the lock."""
    user = request.user
    model = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    with transaction.atomic():
        device = _locked_device(model, user)
        if device is not None and device.verify_token(code):
            return True
        record(user, CODE_FAILURE, user, {ADDRESS: address_of(request), "画面": REAUTH_PAGE})
    return False


def _totp_for_key(hex_key: str) -> TOTP:
    totp = TOTP(unhexlify(hex_key.encode()), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    return totp


def confirm_new_device(request: HttpRequest, hex_key: str, code: str) -> TOTPDevice | None:
    """The first code proves the authenticator app holds the key; only then is the device
    stored (one per user), and this session counts as verified."""
    totp = _totp_for_key(hex_key)
    if not code.isdigit() or not totp.verify(int(code), tolerance=1):
        return None
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, key=hex_key, confirmed=True, last_t=totp.t()
        )
        record(user, DEVICE_CONFIRMED, user, {"端末": device.name, ADDRESS: address_of(request)})
    otp_login(request, device)
    return device


def remove_devices(request: HttpRequest, code: str) -> bool:
    user = request.user
    with transaction.atomic():
        device = check_current_code(request, code, DEVICE_REMOVED)
        if device is None:
            return False
        record(user, DEVICE_REMOVED, user, {"端末": device.name, ADDRESS: address_of(request)})
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()  # the recovery codes go with it
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    return True


def otpauth_uri(user, hex_key: str) -> str:
    """The otpauth:// address an authenticator app reads (issuer from OTP_TOTP_ISSUER)."""
    return TOTPDevice(user=user, key=hex_key).config_url


# --- middleware ------------------------------------------------------------------------


class TwoFactorRequiredMiddleware:
    """Until a staff user with a device has entered a code, every page (the portal's and the
    admin's) redirects to the code page; until a user who must use two-factor has set it up,
    every page but the setup page redirects there. Installed after django-otp's
    OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._exempt(request.path):
            return self.get_response(request)
        if needs_verification(request.user):
            verify_url = reverse("two_factor_verify")
            return redirect(f"{verify_url}?{urlencode({'next': request.get_full_path()})}")
        if request.path != reverse("two_factor_setup") and needs_enrolment(request):
            return redirect("two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (reverse("two_factor_verify"), reverse("logout"), reverse("admin:logout"))
        return path in exempt or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


# --- forms -----------------------------------------------------------------------------


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label="確認コード（6桁）",
        max_length=12,
        error_messages={"required": "認証アプリに表示されている6桁の数字を入力してください。"},
    )

    def clean_otp_token(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["otp_token"])
        code = code.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("確認コードは6桁の数字で入力してください。")
        return code


class ReauthenticationForm(forms.Form):
    """The acting administrator's own code, in the same form as the action it confirms (a
    password reset, a device removal, the administrator role). Forms that mix this in are
    given the request by the admin (`with_request`); `reauthentication_needed` says when the
    code is asked for. It is checked only once the rest of the form is valid, so a typo
    elsewhere does not use up a code."""

    reauth_code = forms.CharField(
        label="本人確認（あなたの確認コード）",
        max_length=20,
        required=False,
        help_text="あなたの認証アプリに表示されている6桁の確認コード、または回復コード（8文字）。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    request: HttpRequest | None = None

    def reauthentication_needed(self) -> bool:
        return True

    def clean(self):
        cleaned = super().clean()
        if self.reauthentication_needed():
            error = self._reauthentication_error(cleaned.get("reauth_code", ""))
            if error:
                self.add_error("reauth_code", error)
        return cleaned

    def _reauthentication_error(self, text: str) -> str | None:
        user = self.request.user
        code = normalise_recovery_code(text)
        if not has_second_factor(user):
            return REAUTH_NO_DEVICE
        if not code:
            return REAUTH_MISSING
        if not re.fullmatch(r"\d{6}|[a-z2-7]{8}", code):
            return REAUTH_MALFORMED
        if self.errors:
            return None  # the other errors first; the code is checked when they are mended
        if is_locked(user):
            return REAUTH_LOCKED
        return None if reauthenticate(self.request, code) else REAUTH_WRONG


def with_request(form_class: type[forms.BaseForm], request: HttpRequest) -> type:
    """The form class bound to this request (a new subclass per request: admin instances are
    shared between threads, so the request cannot be kept on them)."""
    return type(form_class.__name__, (form_class,), {"request": request})


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label="回復コード（8文字）",
        max_length=20,
        error_messages={"required": "回復コードを入力してください（例: abcd-efgh）。"},
    )

    def clean_recovery_code(self) -> str:
        code = normalise_recovery_code(self.cleaned_data["recovery_code"])
        if not re.fullmatch(r"[a-z2-7]{8}", code):
            raise forms.ValidationError(
                "回復コードは、印刷または保存した一覧にある8文字"
                "（例: abcd-efgh）で入力してください。"
            )
        return code


# --- views -----------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() would read "፩" or "home" as a view name (500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return home_url_for(request.user)


def locked_response(request: HttpRequest) -> HttpResponse:
    """The end of a session whose user typed five wrong codes: logged out, 429."""
    logout(request)
    return render(request, "registration/two_factor_locked.html", status=429)


def verify(request: HttpRequest) -> HttpResponse:
    """The second login step: a current code from the staff user's authenticator app."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not needs_verification(request.user):
        return redirect(_safe_next(request))
    if is_locked(request.user):
        return locked_response(request)
    using_recovery = request.method == "POST" and "recovery_code" in request.POST
    form = CodeForm(request.POST if request.method == "POST" and not using_recovery else None)
    recovery_form = RecoveryCodeForm(request.POST if using_recovery else None)
    if using_recovery and recovery_form.is_valid():
        device = verify_recovery_code(request, recovery_form.cleaned_data["recovery_code"])
        if device is not None:
            left = device.token_set.count()
            messages.warning(
                request,
                f"回復コードでログインしました（残り{left}個）。使ったコードは二度と使えません。"
                "端末を紛失した場合は、二要素認証の設定で回復コードを作り直すか、"
                "認証アプリを登録し直してください。",
            )
            return redirect(_safe_next(request))
        if is_locked(request.user):
            return locked_response(request)
        recovery_form.add_error("recovery_code", "回復コードが正しくないか、既に使われています。")
    elif not using_recovery and request.method == "POST" and form.is_valid():
        if verify_login_code(request, form.cleaned_data["otp_token"]) is not None:
            return redirect(_safe_next(request))
        if is_locked(request.user):
            return locked_response(request)
        form.add_error("otp_token", WRONG_CODE)
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "recovery_form": recovery_form,
            "has_recovery_codes": recovery_codes_left(request.user) > 0,
            "next": _safe_next(request),
            "navigation": [],  # nothing opens before the code: no menu, no account link
            "two_factor_url": None,
        },
    )


def _setup_page(request: HttpRequest, form: CodeForm | None = None, status: int = 200):
    device = confirmed_device(request.user)
    context = {
        "device": device,
        "form": form or CodeForm(),
        "recovery_left": recovery_codes_left(request.user),
        "recovery_count": RECOVERY_COUNT,
        "new_recovery_codes": request.session.pop(NEW_CODES_SESSION, None),
        "required": requires_two_factor(request.user),
    }
    if needs_enrolment(request):
        context["navigation"] = []  # nothing else opens until it is set up
    if device is None:
        hex_key = request.session.get(PENDING_KEY_SESSION)
        if not hex_key:
            hex_key = default_key()
            request.session[PENDING_KEY_SESSION] = hex_key
        uri = otpauth_uri(request.user, hex_key)
        secret = b32encode(unhexlify(hex_key.encode())).decode()
        context.update(
            secret=secret,
            secret_groups=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            otpauth_uri=uri,
            qr_data_uri=segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        )
    return render(request, "registration/two_factor_setup.html", context, status=status)


@require_roles(*STAFF_ROLES)
def setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret (QR code and text) and confirm it with a first code."""
    if request.method != "POST" or confirmed_device(request.user) is not None:
        return _setup_page(request)
    form = CodeForm(request.POST)
    hex_key = request.session.get(PENDING_KEY_SESSION)
    if form.is_valid() and hex_key:
        if confirm_new_device(request, hex_key, form.cleaned_data["otp_token"]):
            del request.session[PENDING_KEY_SESSION]
            issue_recovery_codes(request)
            messages.success(
                request,
                "二要素認証を有効にしました。次回のログインから確認コードが必要です。"
                "下の回復コードを印刷するか、安全な場所に保存してください。",
            )
            return redirect("two_factor_setup")
        form.add_error("otp_token", WRONG_CODE)
    return _setup_page(request, form, status=200)


def _refused(request: HttpRequest, form: CodeForm) -> HttpResponse:
    """A wrong or malformed code on the user's own two-factor pages: the page again with the
    message, or the lock once the wrong codes reach five."""
    if is_locked(request.user):
        return locked_response(request)
    if form.is_valid():
        form.add_error("otp_token", WRONG_CODE)
    return _setup_page(request, form)


@require_roles(*STAFF_ROLES)
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turning two-factor off needs a current code, so a borrowed session cannot do it. A user
    who must use it is sent straight back to set up a new one (a new phone)."""
    if is_locked(request.user):
        return locked_response(request)
    form = CodeForm(request.POST)
    if form.is_valid() and remove_devices(request, form.cleaned_data["otp_token"]):
        message = "二要素認証を解除しました。"
        if requires_two_factor(request.user):
            message += "あなたの役割では必須のため、新しい認証アプリを登録してください。"
        messages.success(request, message)
        return redirect("two_factor_setup")
    return _refused(request, form)


@require_roles(*STAFF_ROLES)
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes for a current code from the app; the old ones stop working."""
    if is_locked(request.user):
        return locked_response(request)
    form = CodeForm(request.POST)
    if form.is_valid() and check_current_code(
        request, form.cleaned_data["otp_token"], RECOVERY_ISSUED
    ):
        issue_recovery_codes(request)
        messages.success(request, "回復コードを作り直しました。以前の回復コードは使えません。")
        return redirect("two_factor_setup")
    return _refused(request, form)
