"""The Python SDK's worker running real workflows against zaman."""
import asyncio
import os
import uuid

import pytest
from temporalio.api.enums.v1 import EventType, WorkflowExecutionStatus
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

import workflows
from workflows import (
    CollectorWorkflow,
    DoomedWorkflow,
    GreetingWorkflow,
    RetryWorkflow,
    TimerWorkflow,
)

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def with_worker(body):
    client = await Client.connect(ADDRESS)
    queue = f"py-{uuid.uuid4().hex[:8]}"
    async with Worker(
        client,
        task_queue=queue,
        workflows=[GreetingWorkflow, RetryWorkflow, DoomedWorkflow, TimerWorkflow, CollectorWorkflow],
        activities=[workflows.greet, workflows.flaky, workflows.doomed],
    ):
        return await asyncio.wait_for(body(client, queue), timeout=60)


async def test_activity_round_trip():
    async def body(client, queue):
        return await client.execute_workflow(
            GreetingWorkflow.run, "Zaman", id=f"greet-{uuid.uuid4()}", task_queue=queue
        )

    assert await with_worker(body) == "Hello, Zaman!"


async def test_activity_retries_until_success():
    async def body(client, queue):
        handle = await client.start_workflow(RetryWorkflow.run, id=f"retry-{uuid.uuid4()}", task_queue=queue)
        result = await handle.result()
        started = [
            e async for e in handle.fetch_history_events() if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        ]
        return result, started

    result, started = await with_worker(body)
    assert result == 3
    assert len(started) == 1
    assert started[0].activity_task_started_event_attributes.attempt == 3


async def test_non_retryable_failure_fails_workflow():
    async def body(client, queue):
        with pytest.raises(WorkflowFailureError) as err:
            await client.execute_workflow(DoomedWorkflow.run, id=f"doomed-{uuid.uuid4()}", task_queue=queue)
        return err.value

    err = await with_worker(body)
    assert isinstance(err.cause, ActivityError)
    assert isinstance(err.cause.cause, ApplicationError)
    assert err.cause.cause.type == "Doomed"


async def test_timer():
    async def body(client, queue):
        return await client.execute_workflow(TimerWorkflow.run, id=f"timer-{uuid.uuid4()}", task_queue=queue)

    assert await with_worker(body) >= 1.0


async def test_signals_and_queries():
    async def body(client, queue):
        handle = await client.start_workflow(CollectorWorkflow.run, id=f"collect-{uuid.uuid4()}", task_queue=queue)
        await handle.signal(CollectorWorkflow.add, "a")
        await handle.signal(CollectorWorkflow.add, "b")
        for _ in range(200):
            if await handle.query(CollectorWorkflow.count) == 2:
                break
            await asyncio.sleep(0.05)
        counted = await handle.query(CollectorWorkflow.count)
        await handle.signal(CollectorWorkflow.add, "stop")
        result = await handle.result()
        closed_count = await handle.query(CollectorWorkflow.count)
        return counted, result, closed_count

    counted, result, closed_count = await with_worker(body)
    assert counted == 2
    assert result == ["a", "b", "stop"]
    assert closed_count == 3


async def test_terminate_and_describe():
    async def body(client, queue):
        handle = await client.start_workflow(CollectorWorkflow.run, id=f"term-{uuid.uuid4()}", task_queue=queue)
        running = await handle.describe()
        await handle.terminate("enough")
        closed = await handle.describe()
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        return running.status, closed.status

    running, closed = await with_worker(body)
    assert running == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
    assert closed == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED


async def test_duplicate_start_is_already_started():
    async def body(client, queue):
        wid = f"dup-{uuid.uuid4()}"
        await client.start_workflow(CollectorWorkflow.run, id=wid, task_queue=queue)
        with pytest.raises(Exception) as err:
            await client.start_workflow(CollectorWorkflow.run, id=wid, task_queue=queue)
        await client.get_workflow_handle(wid).terminate("cleanup")
        return err.value

    err = await with_worker(body)
    assert type(err).__name__ == "WorkflowAlreadyStartedError"


async def test_bad_input_errors():
    client = await Client.connect(ADDRESS)
    with pytest.raises(RPCError) as err:
        await client.get_workflow_handle("no-such-workflow").describe()
    assert err.value.status == RPCStatusCode.NOT_FOUND
    other = await Client.connect(ADDRESS, namespace="no-such-namespace")
    with pytest.raises(RPCError) as err:
        await other.start_workflow("Anything", id="x", task_queue="q")
    assert err.value.status == RPCStatusCode.NOT_FOUND
