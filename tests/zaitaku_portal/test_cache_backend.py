"""zaitaku_portal.cache.RedisCache (the cache with REDIS_URL): Django's Redis cache on the real
Redis of this machine, each call through the one client of its pool instead of a new one."""

import threading
import uuid

import pytest

from zaitaku_portal.cache import RedisCache

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache():
    backend = RedisCache(REDIS, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex[:8]}"})
    yield backend
    backend.clear()


def test_every_operation_of_the_cache(cache):
    assert cache.get("missing") is None
    cache.set("a", {"figures": [1, 2, 3]}, 30)
    assert cache.get("a") == {"figures": [1, 2, 3]}
    assert cache.add("a", "other") is False and cache.add("b", 1) is True
    assert cache.get_many(["a", "b", "c"]) == {"a": {"figures": [1, 2, 3]}, "b": 1}
    assert cache.incr("b") == 2
    cache.set_many({"c": "三", "d": None})
    assert cache.get("c") == "三" and cache.get("d", "default") is None
    assert cache.delete("a") is True and cache.get("a") is None
    assert cache.touch("c", 10) is True


def test_one_client_for_all_calls(cache):
    client = cache._cache.get_client()
    cache.set("x", 1)
    cache.get("x")
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("x") is client


def test_threads_share_it(cache):
    errors = []

    def work(index):
        try:
            for round_ in range(50):
                cache.set(f"t{index}", round_)
                assert cache.get(f"t{index}") == round_
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get_many([f"t{i}" for i in range(8)]) == {f"t{i}": 49 for i in range(8)}
