"""Child workflows, cancellation of children and signals between workflows, from the Python SDK."""
import asyncio
import os
import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker

from chains import ChildCanceller, ChildGreeting, Parent, Pinger, Waiter

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def with_worker(body):
    client = await Client.connect(ADDRESS)
    queue = f"py-child-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[ChildGreeting, Parent, Waiter, Pinger, ChildCanceller]):
        return await asyncio.wait_for(body(client, queue), timeout=60)


async def test_child_workflow_result_reaches_the_parent():
    async def body(client, queue):
        child_id = f"child-{uuid.uuid4()}"
        handle = await client.start_workflow(Parent.run, args=[child_id, "Ada"], id=f"parent-{uuid.uuid4()}", task_queue=queue)
        result = await handle.result()
        types = [e.event_type async for e in handle.fetch_history_events()]
        child_started = [e async for e in client.get_workflow_handle(child_id).fetch_history_events()][0]
        return result, types, child_started, handle.id

    result, types, child_started, parent_id = await with_worker(body)
    assert result == "child greets Ada"
    assert EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED in types
    assert types.index(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) < types.index(
        EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
    )
    attrs = child_started.workflow_execution_started_event_attributes
    assert attrs.parent_workflow_execution.workflow_id == parent_id


async def test_signal_from_one_workflow_to_another():
    async def body(client, queue):
        target = await client.start_workflow(Waiter.run, id=f"waiter-{uuid.uuid4()}", task_queue=queue)
        sent = await client.execute_workflow(Pinger.run, target.id, id=f"pinger-{uuid.uuid4()}", task_queue=queue)
        return sent, await target.result()

    assert await with_worker(body) == ("sent", "hello")


async def test_cancelling_a_child():
    async def body(client, queue):
        return await client.execute_workflow(
            ChildCanceller.run, f"child-{uuid.uuid4()}", id=f"canceller-{uuid.uuid4()}", task_queue=queue
        )

    assert await with_worker(body) == "CancelledError"
