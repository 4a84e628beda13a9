"""Workflows and activities the Python suite runs on zaman."""
import asyncio
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

attempts_seen: list[int] = []


@activity.defn
async def greet(name: str) -> str:
    return f"Hello, {name}!"


@activity.defn
async def flaky() -> int:
    attempt = activity.info().attempt
    attempts_seen.append(attempt)
    if attempt < 3:
        raise RuntimeError(f"attempt {attempt} fails")
    return attempt


@activity.defn
async def doomed() -> None:
    raise ApplicationError("no luck", type="Doomed", non_retryable=True)


@workflow.defn
class GreetingWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(greet, name, start_to_close_timeout=timedelta(seconds=10))


@workflow.defn
class RetryWorkflow:
    @workflow.run
    async def run(self) -> int:
        return await workflow.execute_activity(
            flaky,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=100), backoff_coefficient=1.0),
        )


@workflow.defn
class DoomedWorkflow:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(doomed, start_to_close_timeout=timedelta(seconds=10))


@workflow.defn
class TimerWorkflow:
    @workflow.run
    async def run(self) -> float:
        start = workflow.now()
        await asyncio.sleep(1)
        return (workflow.now() - start).total_seconds()


@workflow.defn
class CollectorWorkflow:
    def __init__(self) -> None:
        self.items: list[str] = []

    @workflow.run
    async def run(self) -> list[str]:
        await workflow.wait_condition(lambda: "stop" in self.items)
        return self.items

    @workflow.signal
    def add(self, item: str) -> None:
        self.items.append(item)

    @workflow.query
    def count(self) -> int:
        return len(self.items)
