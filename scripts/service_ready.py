"""Exit 0 when a service answers: ``service_ready.py postgres URL`` or ``service_ready.py redis URL``."""

import sys


def main() -> int:
    kind, url = sys.argv[1], sys.argv[2]
    try:
        if kind == "postgres":
            import psycopg

            psycopg.connect(url.replace("/lintas", "/postgres"), connect_timeout=3).close()
        elif kind == "redis":
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        else:
            return 2
    except Exception:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
