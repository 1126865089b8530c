"""交付請求・支払・返還 (subsidies/payments): every URL, each role, another hub's → 404."""

import datetime

from tests.url_cases import STAFF, UrlCase, everyone, hospital_gets, only
from zaitaku_portal.models import Role

STAFF_404 = {**only(STAFF, 404)}


def _application(world, hub=None):
    from subsidies.models import Application, FiscalYear

    fiscal_year = FiscalYear.objects.get(year=2026)
    application, _ = Application.objects.get_or_create(
        hub=hub or world.hub_a, fiscal_year=fiscal_year
    )
    return application


def _app(world, hub=None):
    return {"pk": _application(world, hub).pk}


def _request(world, hub=None):
    from subsidies.models import PaymentRequest

    request = PaymentRequest.objects.create(
        application=_application(world, hub),
        kind="advance",
        amount=1000,
        requested_on=datetime.date(2026, 6, 1),
        requested_by=world.users[Role.HUB_COORDINATOR],
    )
    return {"pk": request.pk}


def _order(world, hub=None):
    from subsidies.models import RefundOrder

    application = _application(world, hub)
    order = RefundOrder.objects.create(
        application=application,
        cause="withdrawal",
        notice_number=f"8医政第{9000 + application.pk}号",
        notice_date=datetime.date(2026, 6, 1),
        amount=1000,
        due_date=datetime.date(2026, 6, 21),
        issued_by=world.users[Role.PREFECTURE_STAFF],
    )
    return {"pk": order.pk}


def _b(function):
    return lambda world: function(world, world.hub_b)


OUT_OF_SCOPE = {**everyone(404), Role.PREFECTURE_STAFF: 200, Role.ADMINISTRATOR: 200}
OUT_OF_SCOPE_POST = {**everyone(404), Role.PREFECTURE_STAFF: 405, Role.ADMINISTRATOR: 405}
# Hub A's objects: in scope for its coordinator and health center, never for a hospital's
# contact (issue 18), which gets 404.
HUB_A = hospital_gets(404, everyone(200))

CASES = [
    UrlCase("subsidies:payments_list", only(STAFF)),
    UrlCase("subsidies:payments_list", only(STAFF), query="?show=overdue", label="overdue"),
    UrlCase("subsidies:payments_list", only(STAFF, 400), query="?show=x", label="bad show"),
    UrlCase("subsidies:payments_csv", only(STAFF), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:payments_xlsx", only(STAFF), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:payments_application", HUB_A, kwargs=_app),
    UrlCase("subsidies:payments_application", OUT_OF_SCOPE, kwargs=_b(_app), label="other hub"),
    UrlCase("subsidies:payments_request", everyone(405), kwargs=_app),
    UrlCase("subsidies:payments_refund", only(STAFF, 405), kwargs=_app),
    UrlCase("subsidies:payments_pay", only(STAFF, 405), kwargs=_request),
    UrlCase("subsidies:payments_return", only(STAFF, 405), kwargs=_request),
    UrlCase("subsidies:payments_receipt", only(STAFF, 405), kwargs=_order),
    UrlCase("reports:payment_request_pdf", HUB_A, kwargs=_request),
    UrlCase("reports:payment_request_pdf", OUT_OF_SCOPE, kwargs=_b(_request), label="other hub"),
    UrlCase("reports:refund_order_pdf", HUB_A, kwargs=_order),
    UrlCase("reports:refund_order_pdf", OUT_OF_SCOPE, kwargs=_b(_order), label="other hub"),
]


# A hospital's own application (issue 18): its payments page is its contact's and its
# followers'; hospital B's is 404 for every non-staff role of area A.
def _hospital_app(world, other=False):
    from tests.subsidies.url_expectations import hospital_application

    return {"pk": hospital_application(world, other=other).pk}


CASES += [
    UrlCase(
        "subsidies:payments_application",
        everyone(200),
        kwargs=_hospital_app,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:payments_application",
        OUT_OF_SCOPE,
        kwargs=lambda w: _hospital_app(w, other=True),
        label="other hospital",
    ),
]
