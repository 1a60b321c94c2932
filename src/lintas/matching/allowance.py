"""Hourly allowances of hit/no-hit answers, one per user and one per agency, shared by every process and node.

A lookup answers for each value who holds it; recording a case answers the same for each of its identifiers (its
hits). Both are counted here, each in an allowance of its own (decision 0031): values looked up
(``LINTAS_LOOKUP_VALUES_PER_HOUR``, ``..._PER_AGENCY_HOUR``, sized for people) and identifiers recorded
(``LINTAS_RECORDED_IDENTIFIERS_PER_HOUR``, ``..._PER_AGENCY_HOUR``, sized for bulk loads). :func:`spend` is the one
entry: it counts an action's answers against the user's allowance and the agency's before the action runs, and
refuses the whole action (:class:`LookupLimitReached`, audited) when either would be passed; a refused action is
not counted. The agency's admins are told once an hour when a user or the agency nears an allowance
(``LINTAS_ALLOWANCE_ALERT_PERCENT``) and when it is used up.

The count lives in Redis when ``LINTAS_REDIS_URL`` is set (one Lua script: check and ``INCRBY`` every key with its
``EXPIRE``, atomically), otherwise in the database (``AllowanceCount``: on PostgreSQL and SQLite one prepared
``INSERT ... ON CONFLICT DO UPDATE ... WHERE used + n <= limit RETURNING`` for the user's and the agency's rows
together, a portable fallback elsewhere; the table is unlogged on PostgreSQL). Hours are fixed windows of Unix time;
past hours' rows are deleted by :func:`clear_past_hours` (a periodic job).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from lintas.core.db import prepared_cursor
from lintas.matching.choices import AllowanceKind
from lintas.matching.models import AllowanceCount

__all__ = ["AllowanceKind", "LookupLimitReached", "charged", "clear_past_hours", "refund", "spend"]

logger = logging.getLogger(__name__)

# The settings of each allowance: (per user, per agency).
_LIMITS = {
    AllowanceKind.LOOKUP: ("LOOKUP_VALUES_PER_HOUR", "LOOKUP_VALUES_PER_AGENCY_HOUR"),
    AllowanceKind.RECORDED: ("RECORDED_IDENTIFIERS_PER_HOUR", "RECORDED_IDENTIFIERS_PER_AGENCY_HOUR"),
}

NEAR, USED_UP = 1, 2  # alert levels, in the order they come


class Meter(NamedTuple):
    """One allowance of one user or agency: ``scope`` as stored (``lookup.user``), ``key`` the user's or agency's
    id."""

    scope: str
    key: int
    limit: int
    agency: bool


class LookupLimitReached(Exception):
    """The user, or the user's agency, has used an hourly allowance (values looked up or identifiers recorded);
    ``retry_after`` is the number of seconds until the next hour, when it starts afresh."""

    def __init__(
        self,
        limit: int,
        retry_after: int,
        *,
        agency: bool = False,
        kind: str = AllowanceKind.LOOKUP,
        asked: int = 0,
        used: int = 0,
    ):
        numbers = {"n": limit, "minutes": max(1, retry_after // 60), "asked": asked, "used": used}
        if kind == AllowanceKind.RECORDED and agency:
            message = _(
                "Recording these %(asked)d identifiers would pass your agency's allowance of %(n)d identifiers an hour "
                "(%(used)d used). Nothing was recorded. Try again in %(minutes)d minutes."
            )
        elif kind == AllowanceKind.RECORDED:
            message = _(
                "Recording these %(asked)d identifiers would pass your allowance of %(n)d identifiers an hour "
                "(%(used)d used). Nothing was recorded. Try again in %(minutes)d minutes."
            )
        elif agency:
            message = _(
                "Your agency has looked up %(n)d values this hour, the most allowed. Try again in %(minutes)d minutes."
            )
        else:
            message = _(
                "You have looked up %(n)d values this hour, the most allowed. Try again in %(minutes)d minutes."
            )
        super().__init__(message % numbers)
        self.limit = limit
        self.retry_after = retry_after
        self.agency = agency
        self.kind = kind


def meters(user, kind: str) -> list[Meter]:
    """The allowances of ``kind`` that apply to ``user``: theirs, then their agency's (those set to 0 are off)."""
    user_setting, agency_setting = _LIMITS[kind]
    found = []
    for limit, key, agency in (
        (getattr(settings, user_setting), user.pk, False),
        (getattr(settings, agency_setting), user.agency_id, True),
    ):
        if limit and key is not None:
            found.append(Meter(f"{kind}.{'agency' if agency else 'user'}", key, limit, agency))
    return found


def _hour_and_retry(now: float | None = None) -> tuple[int, int]:
    now = int(time.time() if now is None else now)
    return now // 3600, 3600 - now % 3600


def spend(user, count: int, kind: str = AllowanceKind.LOOKUP) -> int:
    """Count ``count`` answers of ``kind`` for ``user`` (looked-up values, recorded identifiers) against the user's
    hourly allowance and the agency's, before the action that gives them runs.

    Raises :class:`LookupLimitReached` (recorded as a refusal, in the actor's agency's trail) when either would be
    passed; then nothing is counted in either, so a refused action costs nothing. Call it outside the action's
    transaction: the database count is its own short statement, and the refusal's audit event must not be rolled
    back with the action. A Redis outage is logged and lets the action through uncounted (as a cache outage always
    did); the database is the action's own, so its errors are the action's. Returns the hour counted in (for
    :func:`refund`).
    """
    hour, retry_after = _hour_and_retry()
    applying = meters(user, kind) if count > 0 else []
    if not applying:
        return hour
    counter = _counter()
    try:
        refused, used = counter.spend(applying, hour, count)
    except counter.outage as exc:  # Redis unreachable: an outage must not stop police work
        logger.warning("could not count %s against the hourly allowance: %s", kind, exc)
        return hour
    if refused is not None:
        meter = applying[refused]
        _alert(user, kind, meter, hour, USED_UP, used[refused])
        from lintas.audit.services import record_denial

        what = "lookup allowance" if kind == AllowanceKind.LOOKUP else "recording allowance"
        unit = "values" if kind == AllowanceKind.LOOKUP else "identifiers"
        whose = "agency " if meter.agency else ""
        record_denial(
            user,
            f"{whose}{what} of {meter.limit} {unit} an hour used up",
            object_type="matching.lookup" if kind == AllowanceKind.LOOKUP else "cases.case",
        )
        raise LookupLimitReached(
            meter.limit, retry_after, agency=meter.agency, kind=kind, asked=count, used=used[refused]
        )
    for meter, after in zip(applying, used, strict=True):
        # Only the action that crosses a threshold looks further: the stored flag makes the alert once an hour.
        threshold = meter.limit * settings.ALLOWANCE_ALERT_PERCENT / 100
        if after >= meter.limit:
            _alert(user, kind, meter, hour, USED_UP, after)
        elif after >= threshold > after - count:
            _alert(user, kind, meter, hour, NEAR, after)
    return hour


def refund(user, count: int, kind: str = AllowanceKind.LOOKUP, hour: int | None = None) -> None:
    """Give back what :func:`spend` counted (in ``hour``, by default the current one) for an action that then
    failed: nothing written, nothing answered."""
    applying = meters(user, kind) if count > 0 else []
    if not applying:
        return
    counter = _counter()
    try:
        counter.refund(applying, _hour_and_retry()[0] if hour is None else hour, count)
    except counter.outage as exc:
        logger.warning("could not refund %s to the hourly allowance: %s", kind, exc)


@contextlib.contextmanager
def charged(user, count: int, kind: str = AllowanceKind.RECORDED) -> Iterator[None]:
    """:func:`spend` before the block, :func:`refund` if it raises: a write refused or rolled back costs nothing.
    With no ``user`` (the command line's import, run by the server's operator) nothing is counted."""
    if user is None:
        yield
        return
    hour = spend(user, count, kind)
    try:
        yield
    except BaseException:
        refund(user, count, kind, hour)
        raise


def clear_past_hours(now: float | None = None) -> int:
    """Delete the database counts of hours before the current one (Redis keys expire by themselves)."""
    hour, _retry = _hour_and_retry(now)
    deleted, _rows = AllowanceCount.objects.filter(hour__lt=hour).delete()
    return deleted


def _alert(user, kind: str, meter: Meter, hour: int, level: int, used: int) -> None:
    """Tell the agency's admins, once an hour and level, that ``meter`` is nearly or wholly used (in-app, e-mail,
    audited). Its own transaction: an alert is sent also when the action it comes with is refused."""
    counter = _counter()
    try:
        first = counter.first_alert(meter, hour, level)
    except counter.outage as exc:
        logger.warning("could not record an allowance alert: %s", exc)
        return
    if not first:
        return
    from lintas.matching.notify import notify_allowance

    with transaction.atomic():
        notify_allowance(user, kind, agency=meter.agency, used_up=level == USED_UP, used=used, limit=meter.limit)


# --- counting ------------------------------------------------------------------------------------------------------


class _NoOutage(Exception):
    """Never raised: the database counter has no outage of its own to forgive."""


class DatabaseCounter:
    """The count in ``AllowanceCount`` rows, one statement a meter. ``portable`` forces the fallback (tests)."""

    outage: type[Exception] = _NoOutage

    def __init__(self, *, portable: bool | None = None):
        self.portable = portable

    def _fast(self) -> bool:
        if self.portable is not None:
            return not self.portable
        return connection.vendor in ("postgresql", "sqlite")  # both take INSERT ... ON CONFLICT ... RETURNING

    def spend(self, applying: Sequence[Meter], hour: int, count: int) -> tuple[int | None, list[int]]:
        """``(index of the meter that refused or None, used after the spend for each meter)``; on a refusal the
        meters counted are given back, and ``used`` ends with the refusing meter's current count."""
        too_much = next((index for index, meter in enumerate(applying) if count > meter.limit), None)
        if too_much is not None:  # more than the whole allowance at once: nothing to count
            return too_much, [0] * too_much + [self._used(applying[too_much], hour)]
        if self._fast():
            after = self._add_upsert(applying, hour, count)
        else:
            after = {}
            for meter in applying:
                used = self._add_portable(meter, hour, count)
                if used is None:
                    break
                after[meter.scope] = used
        refused = next((index for index, meter in enumerate(applying) if meter.scope not in after), None)
        if refused is None:
            return None, [after[meter.scope] for meter in applying]
        self.refund([meter for meter in applying if meter.scope in after], hour, count)
        return refused, [0] * refused + [self._used(applying[refused], hour)]

    def _add_upsert(self, applying: Sequence[Meter], hour: int, count: int) -> dict[str, int]:
        """PostgreSQL's (and SQLite's) path: every meter in one statement, each row added to only if it stays within
        its limit, atomically under concurrent writers (the row's lock). The new count of each meter added to."""
        quote = connection.ops.quote_name
        table = quote(AllowanceCount._meta.db_table)
        scope, key, hour_, used, alerted = (quote(name) for name in ("scope", "key", "hour", "used", "alerted"))
        rows = ", ".join(["(%s, %s, %s, %s, 0)"] * len(applying))
        limits = " ".join(["WHEN %s THEN %s"] * len(applying))
        sql = (
            f"INSERT INTO {table} ({scope}, {key}, {hour_}, {used}, {alerted}) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT ({scope}, {key}, {hour_}) DO UPDATE SET {used} = {table}.{used} + excluded.{used} "
            f"WHERE {table}.{used} + excluded.{used} <= CASE {table}.{scope} {limits} END "
            f"RETURNING {scope}, {used}"
        )
        params = [value for meter in applying for value in (meter.scope, meter.key, hour, count)]
        params += [value for meter in applying for value in (meter.scope, meter.limit)]
        with prepared_cursor() as cursor:  # two shapes (one meter or two): planned once per connection
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    def _add_portable(self, meter: Meter, hour: int, count: int) -> int | None:
        """Any database: a guarded ``UPDATE ... SET used = used + n``, else the hour's first row (a concurrent first
        writer's row is then updated instead)."""
        rows = AllowanceCount.objects.filter(scope=meter.scope, key=meter.key, hour=hour)
        for _attempt in range(2):
            if rows.filter(used__lte=meter.limit - count).update(used=F("used") + count):
                return rows.values_list("used", flat=True).first()
            if rows.exists():
                return None
            try:
                with transaction.atomic():
                    AllowanceCount.objects.create(scope=meter.scope, key=meter.key, hour=hour, used=count)
                return count
            except IntegrityError:  # another process wrote the hour's first row meanwhile
                continue
        return None

    def _used(self, meter: Meter, hour: int) -> int:
        row = AllowanceCount.objects.filter(scope=meter.scope, key=meter.key, hour=hour).values_list("used").first()
        return row[0] if row else 0

    def refund(self, applying: Sequence[Meter], hour: int, count: int) -> None:
        for meter in applying:
            AllowanceCount.objects.filter(scope=meter.scope, key=meter.key, hour=hour).update(
                used=Greatest(F("used") - count, 0)
            )

    def first_alert(self, meter: Meter, hour: int, level: int) -> bool:
        """True for exactly one caller per meter, hour and level (across processes)."""
        rows = AllowanceCount.objects.filter(scope=meter.scope, key=meter.key, hour=hour)
        if rows.filter(alerted__lt=level).update(alerted=level):
            return True
        _row, created = AllowanceCount.objects.get_or_create(
            scope=meter.scope, key=meter.key, hour=hour, defaults={"alerted": level}
        )
        return created


# Check every key against its limit, then add to all of them, atomically (Redis runs a script alone). KEYS: the
# meters' counters; ARGV: the count, the keys' time to live, then each key's limit. Returns {0, used...} when
# counted, {index of the refusing key (from 1), its count} when not.
_SPEND = """
local count = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used + count > tonumber(ARGV[i + 2]) then return {i, used} end
end
local result = {0}
for i, key in ipairs(KEYS) do
  result[i + 1] = redis.call('INCRBY', key, count)
  redis.call('EXPIRE', key, ARGV[2])
end
return result
"""

# Raise the alert level stored at KEYS[1] to ARGV[1] if it is lower: 1 when raised (this caller alerts), else 0.
_ALERT = """
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


class RedisCounter:
    """The count in Redis keys ``<prefix><scope>:<key>:<hour>``, living a little longer than their hour."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.outage = redis.RedisError
        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.prefix = prefix
        self._spend = self.client.register_script(_SPEND)
        self._alert = self.client.register_script(_ALERT)

    def _key(self, meter: Meter, hour: int) -> str:
        return f"{self.prefix}{meter.scope}:{meter.key}:{hour}"

    @staticmethod
    def _ttl(hour: int) -> int:
        return max((hour + 1) * 3600 - int(time.time()) + 60, 60)  # a minute past the hour's end

    def spend(self, applying: Sequence[Meter], hour: int, count: int) -> tuple[int | None, list[int]]:
        keys = [self._key(meter, hour) for meter in applying]
        result = self._spend(keys=keys, args=[count, self._ttl(hour), *(meter.limit for meter in applying)])
        if result[0]:
            return result[0] - 1, [0] * (result[0] - 1) + [int(result[1])]
        return None, [int(value) for value in result[1:]]

    def refund(self, applying: Sequence[Meter], hour: int, count: int) -> None:
        with self.client.pipeline() as pipe:
            for meter in applying:
                pipe.decrby(self._key(meter, hour), count)
            pipe.execute()

    def first_alert(self, meter: Meter, hour: int, level: int) -> bool:
        return bool(self._alert(keys=[self._key(meter, hour) + ":alerted"], args=[level, self._ttl(hour)]))


_redis_counters: dict[tuple[str, str], RedisCounter] = {}  # (url, prefix): one connection pool per process
_database_counter = DatabaseCounter()


def _counter() -> DatabaseCounter | RedisCounter:
    """Redis when it is configured (every node shares it), else the database."""
    url = settings.REDIS_URL
    if not url:
        return _database_counter
    prefix = settings.ALLOWANCE_REDIS_PREFIX
    counter = _redis_counters.get((url, prefix))
    if counter is None:
        counter = _redis_counters[(url, prefix)] = RedisCounter(url, prefix)
    return counter
