"""Workflows for test_chains, test_children, test_update and test_markers."""
import asyncio
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError


@workflow.defn
class CountingWorkflow:
    """Counts up to `limit`, one run per step."""

    @workflow.run
    async def run(self, n: int, limit: int) -> int:
        if n < limit:
            workflow.continue_as_new(args=[n + 1, limit])
        return n


@workflow.defn
class UntilThirdAttemptWorkflow:
    @workflow.run
    async def run(self) -> int:
        attempt = workflow.info().attempt
        if attempt < 3:
            raise ApplicationError(f"attempt {attempt} is not enough")
        return attempt


@workflow.defn
class CronTickWorkflow:
    """Each cron run returns one more than the run before it."""

    @workflow.run
    async def run(self) -> int:
        previous = workflow.get_last_completion_result(int) or 0
        return previous + 1


@workflow.defn
class ChildGreeting:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"child greets {name}"


@workflow.defn
class Parent:
    """Runs ChildGreeting as a child and returns its result."""

    @workflow.run
    async def run(self, child_id: str, name: str) -> str:
        return await workflow.execute_child_workflow(ChildGreeting.run, name, id=child_id)


@workflow.defn
class Waiter:
    """Returns the first "ping" signal's value; cancellable."""

    def __init__(self) -> None:
        self.got: str | None = None

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.got is not None)
        return self.got

    @workflow.signal
    async def ping(self, value: str) -> None:
        self.got = value


@workflow.defn
class Pinger:
    """Signals another workflow by id."""

    @workflow.run
    async def run(self, target_id: str) -> str:
        await workflow.get_external_workflow_handle(target_id).signal(Waiter.ping, "hello")
        return "sent"


@workflow.defn
class ChildCanceller:
    """Starts a Waiter child, cancels it, and reports how it ended."""

    @workflow.run
    async def run(self, child_id: str) -> str:
        handle = await workflow.start_child_workflow(Waiter.run, id=child_id)
        handle.cancel()
        try:
            await handle
        except Exception as err:  # the child's cancellation, as the SDK raises it
            return type(err.__cause__ or err).__name__
        return "child completed"


@workflow.defn
class Tally:
    """A running total that updates add to; negative amounts are rejected."""

    def __init__(self) -> None:
        self.total = 0
        self.finished = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.finished)
        return self.total

    @workflow.update
    async def add(self, n: int) -> int:
        self.total += n
        return self.total

    @add.validator
    def check_add(self, n: int) -> None:
        if n < 0:
            raise ValueError(f"cannot add {n}")

    @workflow.signal
    async def finish(self) -> None:
        self.finished = True


@activity.defn
async def shout(word: str) -> str:
    return word.upper()


@workflow.defn
class Patched:
    """A local activity and a patch: both become markers in history."""

    @workflow.run
    async def run(self, word: str) -> str:
        loud = await workflow.execute_local_activity(shout, word, start_to_close_timeout=timedelta(seconds=10))
        if workflow.patched("exclaim"):
            loud += "!"
        await asyncio.sleep(0.01)  # a second workflow task replays the markers
        return loud


@workflow.defn
class Resettable:
    """Greets with a local activity, then waits for a "go" signal."""

    def __init__(self) -> None:
        self.word: str | None = None

    @workflow.run
    async def run(self) -> str:
        loud = await workflow.execute_local_activity(shout, "reset", start_to_close_timeout=timedelta(seconds=10))
        await workflow.wait_condition(lambda: self.word is not None)
        return f"{loud} {self.word}"

    @workflow.signal
    async def go(self, word: str) -> None:
        self.word = word


@workflow.defn
class MemoKeeper:
    """Replaces one memo field and removes another, then waits for "end"."""

    def __init__(self) -> None:
        self.ended = False

    @workflow.run
    async def run(self) -> None:
        workflow.upsert_memo({"stage": "shipped", "draft": None})
        await workflow.wait_condition(lambda: self.ended)

    @workflow.signal
    async def end(self) -> None:
        self.ended = True
