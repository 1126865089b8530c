"""zaitaku_portal/wsgi.py: the application gunicorn serves keeps its warm objects out of the
collector once it has served its first requests (issue 21)."""

import gc

import pytest

from zaitaku_portal.wsgi import WARM_AFTER_REQUESTS, FreezeWhenWarm, application


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_frozen_once_after_the_first_requests(unfrozen):
    answered = []

    def inner(environ, start_response):
        answered.append(environ["PATH_INFO"])
        return [b"ok"]

    served = FreezeWhenWarm(inner, after=3)
    kept = [[index] for index in range(1000)]  # warm objects of the process
    for index in range(2):
        assert served({"PATH_INFO": f"/{index}"}, None) == [b"ok"]
    assert gc.get_freeze_count() == 0  # not yet: still loading what it reuses
    served({"PATH_INFO": "/2"}, None)
    assert gc.get_freeze_count() >= len(kept)
    frozen = gc.get_freeze_count()
    made_since = [[index] for index in range(1000)]  # a later request's objects
    served({"PATH_INFO": "/3"}, None)
    # once: not frozen with the rest (a frozen object freed meanwhile leaves the count)
    assert gc.get_freeze_count() < frozen + len(made_since)
    assert answered == ["/0", "/1", "/2", "/3"]


def test_a_failing_request_counts_too(unfrozen):
    def failing(environ, start_response):
        raise RuntimeError("boom")

    served = FreezeWhenWarm(failing, after=1)
    with pytest.raises(RuntimeError):
        served({}, None)
    assert served.frozen and gc.get_freeze_count() > 0


def test_the_served_application_is_wrapped():
    assert isinstance(application, FreezeWhenWarm)
    assert application.after == WARM_AFTER_REQUESTS
