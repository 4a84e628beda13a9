"""The Python SDK's schedule client against zaman: create, describe, list,
update, pause, trigger, backfill and delete, with the runs a worker finishes."""
import asyncio
import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleBackfill,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
)
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

import workflows
from workflows import GreetingWorkflow

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def until(check, timeout=15.0):
    """Schedules act on the clock: check again until it holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.2)


async def test_schedule_lifecycle():
    client = await Client.connect(ADDRESS)
    queue = f"py-sched-{uuid.uuid4().hex[:8]}"
    schedule_id = f"py-sched-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[GreetingWorkflow], activities=[workflows.greet]):
        handle = await client.create_schedule(
            schedule_id,
            Schedule(
                action=ScheduleActionStartWorkflow(
                    GreetingWorkflow.run, "schedule", id=f"greet-{schedule_id}", task_queue=queue
                ),
                spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=2))]),
                policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.ALLOW_ALL),
            ),
            memo={"team": "billing"},
        )
        with pytest.raises(ScheduleAlreadyRunningError):
            await client.create_schedule(
                schedule_id,
                Schedule(
                    action=ScheduleActionStartWorkflow(GreetingWorkflow.run, "x", id="x", task_queue=queue),
                    spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(hours=1))]),
                ),
            )

        async def two_actions():
            d = await handle.describe()
            return d if d.info.num_actions >= 2 else None

        described = await until(two_actions)
        assert described is not None, "no two actions in 15 s of a 2 s schedule"
        last = described.info.recent_actions[-1]
        result = await client.get_workflow_handle(last.action.workflow_id).result()
        assert result == "Hello, schedule!"
        assert last.action.workflow_id.startswith(f"greet-{schedule_id}-")
        assert described.info.next_action_times and described.info.next_action_times[0] > last.scheduled_at
        assert await described.memo_value("team") == "billing"

        await handle.pause(note="py pause")
        paused = await handle.describe()
        assert paused.schedule.state.paused and paused.schedule.state.note == "py pause"
        before = paused.info.num_actions
        await handle.trigger()
        start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        await handle.backfill(
            ScheduleBackfill(start_at=start, end_at=start + timedelta(seconds=5), overlap=ScheduleOverlapPolicy.ALLOW_ALL)
        )

        async def taken():
            d = await handle.describe()
            return d.info.num_actions == before + 4

        assert await until(taken), "trigger and a three-time backfill"
        backfilled = await client.get_workflow_handle(f"greet-{schedule_id}-2024-01-01T00:00:04Z").describe()
        assert backfilled.id == f"greet-{schedule_id}-2024-01-01T00:00:04Z"

        def new_spec(update_input):
            s = update_input.description.schedule
            s.spec = ScheduleSpec(cron_expressions=["0 12 * * MON-FRI"])
            return ScheduleUpdate(schedule=s)

        await handle.update(new_spec)
        updated = await handle.describe()
        assert len(updated.schedule.spec.calendars) == 1 and not updated.schedule.spec.cron_expressions

        async def listed():
            return [s async for s in await client.list_schedules() if s.id == schedule_id]

        entries = await until(listed)
        assert entries and entries[0].schedule.state.paused and entries[0].schedule.state.note == "py pause"

        await handle.delete()
        with pytest.raises(RPCError) as err:
            await handle.describe()
        assert err.value.status == RPCStatusCode.NOT_FOUND
