"""Redis as job queue and cache, for real (LINTAS_REDIS_URL), and the SQLite job queue used by default."""

import os
import subprocess
import sys
import uuid

import pytest

REDIS_URL = os.environ.get("LINTAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False
    return True


requires_redis = pytest.mark.skipif(
    not _redis_available() and os.environ.get("CI") != "true", reason="Redis is not running on 127.0.0.1:6379"
)


@requires_redis
def test_redis_job_queue_round_trip():
    from huey import RedisHuey

    huey = RedisHuey(f"lintas-test-{uuid.uuid4().hex}", url=REDIS_URL)

    @huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert len(huey) == 1  # persisted in Redis, waiting for a worker
    task = huey.dequeue()
    huey.execute(task)
    assert result.get() == 5
    huey.storage.flush_all()


@requires_redis
def test_settings_switch_to_redis_with_the_environment_variable(tmp_path):
    code = (
        "from django.conf import settings; from django.core.cache import cache; "
        "from huey.contrib.djhuey import HUEY; "
        "cache.set('lintas-probe', 41); assert cache.get('lintas-probe') == 41; "
        "print(type(HUEY).__name__, settings.CACHES['default']['BACKEND'])"
    )
    env = {**os.environ, "LINTAS_REDIS_URL": REDIS_URL, "LINTAS_DATA_DIR": str(tmp_path), "LINTAS_ENV": "development"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "lintas", "shell", "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "RedisHuey django.core.cache.backends.redis.RedisCache" in result.stdout


def test_default_job_queue_is_sqlite_and_persists(tmp_path):
    from huey import SqliteHuey

    path = tmp_path / "jobs.sqlite3"
    huey = SqliteHuey("lintas-test", filename=str(path))

    @huey.task()
    def noop():
        return "done"

    noop()
    reopened = SqliteHuey("lintas-test", filename=str(path))
    assert len(reopened) == 1  # survives a restart of the process that enqueued it
