"""Workflows whose runs chain under one workflow id (test_chains.py)."""
from temporalio import workflow
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
