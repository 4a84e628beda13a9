"""Workflow Update from the Python SDK."""
import asyncio
import os
import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.worker import Worker

from chains import Tally

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def test_updates_return_results_and_rejections_leave_no_trace():
    client = await Client.connect(ADDRESS)
    queue = f"py-update-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[Tally]):
        handle = await client.start_workflow(Tally.run, id=f"tally-{uuid.uuid4()}", task_queue=queue)
        assert await handle.execute_update(Tally.add, 5) == 5
        assert await handle.execute_update(Tally.add, 10, id="ten") == 15
        assert await handle.execute_update(Tally.add, 10, id="ten") == 15  # the same update again

        before = [e async for e in handle.fetch_history_events()]
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(Tally.add, -3)
        after = [e async for e in handle.fetch_history_events()]
        assert len(after) == len(before)

        assert await handle.execute_update(Tally.add, 1) == 16
        await handle.signal(Tally.finish)
        assert await asyncio.wait_for(handle.result(), 30) == 16
        types = [e.event_type for e in after]
        assert types.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) == 2
        assert types.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED) == 2
