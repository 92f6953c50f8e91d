"""Background tasks a view starts: held until they end, and each failure reported at once."""

from __future__ import annotations

import asyncio

import pytest
from syncoxide_web.platform.background import BackgroundTasks


class Broken(RuntimeError):
    pass


async def fails(why: str) -> None:
    await asyncio.sleep(0)
    raise Broken(why)


async def settles(told: list[str]) -> None:
    await asyncio.sleep(0)
    told.append("still runs")


def test_a_failed_task_is_reported_with_its_traceback_and_the_others_carry_on() -> None:
    reports: list[str] = []
    told: list[str] = []

    async def scenario() -> None:
        tasks = BackgroundTasks(report=reports.append)
        broken = tasks.start(fails("the list could not be read"))
        healthy = tasks.start(settles(told))
        await asyncio.wait([broken, healthy])
        assert tasks.running() == 0
        later = tasks.start(settles(told))  # a later event's handler still starts and runs
        await later

    asyncio.run(scenario())
    assert told == ["still runs", "still runs"]
    assert len(reports) == 1
    report = reports[0]
    assert "fails" in report  # which work failed
    assert "Broken('the list could not be read')" in report
    assert "Traceback (most recent call last)" in report
    assert "raise Broken(why)" in report  # the line that raised


def test_a_task_that_ends_well_or_is_cancelled_reports_nothing() -> None:
    reports: list[str] = []

    async def scenario() -> None:
        tasks = BackgroundTasks(report=reports.append)
        done = tasks.start(settles([]))
        waiting = tasks.start(asyncio.sleep(60))
        await asyncio.sleep(0)
        waiting.cancel()
        await asyncio.wait([done, waiting])
        assert tasks.running() == 0

    asyncio.run(scenario())
    assert reports == []


def test_a_task_is_held_until_it_ends() -> None:
    # The loop keeps only weak references: without this hold a running handler could vanish.
    async def scenario() -> None:
        tasks = BackgroundTasks(report=lambda _text: None)
        gate = asyncio.Event()
        task = tasks.start(gate.wait())
        await asyncio.sleep(0)
        assert tasks.running() == 1
        gate.set()
        await task
        assert tasks.running() == 0

    asyncio.run(scenario())


def test_a_report_that_itself_fails_does_not_stop_the_loop() -> None:
    def broken_report(_text: str) -> None:
        raise OSError("console gone")

    seen: list[str] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: seen.append(str(context["exception"])))
        tasks = BackgroundTasks(report=broken_report)
        with pytest.raises(Broken):
            await tasks.start(fails("x"))
        await asyncio.sleep(0)  # the done callback runs
        told: list[str] = []
        await tasks.start(settles(told))
        assert told == ["still runs"]

    asyncio.run(scenario())
    assert seen == ["console gone"]
