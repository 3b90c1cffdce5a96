"""A Redis cache that degrades instead of failing: with Redis down, every request still gets an answer.

Django's `RedisCache` raises on a refused or timed-out connection, which turns a cache outage into
server errors on every page. `DegradingRedisCache` logs the error and answers as an empty cache would
(a miss on reads, nothing stored on writes), so pages, the API and the admin are served from the
database, only slower. After a failure it skips Redis for `RETRY_AFTER` seconds in this process, so an
outage costs one short timeout per worker now and then, not one per cache call.

What degrades with it: cached pages and API answers (rebuilt each time), the rate limits (not counted)
and the lockout after wrong signing passwords (not counted); each is logged.

It also keeps one `redis.Redis` client per connection pool (`ReusedClient`): Django's own client builds a new
`redis.Redis` for every cache call, which costs redis-py 8 more than the round trip itself (about 430 against
190 microseconds a `get` here); every public page served from the cache pays it at least once.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("config.cache")

RETRY_AFTER = 5.0


class ReusedClient(RedisCacheClient):
    """Django's Redis client, but one `redis.Redis` per connection pool instead of one per call (a `redis.Redis`
    is thread-safe and takes its connections from the pool; the pool reconnects after a fork)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # Short socket timeouts: a request must not hang on an unreachable cache.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClient
        self._down_until = 0.0

    def _guarded(self, operation: str, default, call, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return call(*args, **kwargs)
        except Exception as error:  # redis.exceptions.* and socket errors alike: the cache is optional
            import redis

            if not isinstance(error, (redis.exceptions.RedisError, OSError)):
                raise
            self._down_until = time.monotonic() + RETRY_AFTER
            logger.error(
                "Cache unavailable (%s failed: %s); serving without it for %.0f s", operation, error, RETRY_AFTER
            )
            return default

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), super().set_many, data, timeout, version)

    def set_many_now(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """`set_many` that tries Redis even within the pause after a failure: for a write that must not be
        skipped (a publish or withdrawal renewing the cache generations). Returns the keys not written."""
        self._down_until = 0.0
        return self.set_many(data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        # As if counting from zero: a limit counted in the cache is not enforced while the cache is down.
        return self._guarded("incr", delta, super().incr, key, delta, version)

    def clear(self):
        return self._guarded("clear", False, super().clear)
