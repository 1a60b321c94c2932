"""Calls in processes started afresh: set up once, and a set-up that fails fails the call instead of hanging."""

import multiprocessing
import os

import pytest

from lintas.core.processes import SpawnedCalls

_state: dict = {}


def remember(value: str) -> None:
    _state["value"] = value
    _state["set_ups"] = _state.get("set_ups", 0) + 1


def refuse() -> None:
    raise RuntimeError("this worker cannot start")


def report() -> tuple[int, str, bool, int]:
    from django.apps import apps

    return os.getpid(), _state["value"], apps.ready, _state["set_ups"]


@pytest.fixture
def pool():
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        yield pool


def test_a_call_runs_in_a_process_set_up_with_django_and_its_initializer(pool):
    calls = SpawnedCalls(remember, "sent along")
    pid, value, django_ready, set_ups = pool.apply_async(*calls.call(report)).get(timeout=60)
    assert pid != os.getpid() and value == "sent along" and django_ready and set_ups == 1
    assert pool.apply_async(*calls.call(report)).get(timeout=60) == (pid, value, True, 1)  # set up once only


def test_a_set_up_that_fails_fails_the_call_in_the_caller(pool):
    # As a pool initializer it would make the pool restart the process for ever, and the caller wait for ever.
    with pytest.raises(RuntimeError, match="cannot start"):
        pool.apply_async(*SpawnedCalls(refuse).call(report)).get(timeout=60)
