"""Chains of runs from the Python SDK: continue-as-new, workflow retries, cron."""
import asyncio
import os
import uuid
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import ContinueAsNewInitiator, EventType, RetryState
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import RetryPolicy
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from chains import CountingWorkflow, CronTickWorkflow, UntilThirdAttemptWorkflow

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def with_worker(body):
    client = await Client.connect(ADDRESS)
    queue = f"py-chain-{uuid.uuid4().hex[:8]}"
    async with Worker(
        client, task_queue=queue, workflows=[CountingWorkflow, UntilThirdAttemptWorkflow, CronTickWorkflow]
    ):
        return await asyncio.wait_for(body(client, queue), timeout=60)


async def events_of(client, workflow_id, run_id):
    return [e async for e in client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history_events()]


async def test_continue_as_new_chain_is_followed_to_the_result():
    async def body(client, queue):
        handle = await client.start_workflow(
            CountingWorkflow.run, args=[0, 2], id=f"count-{uuid.uuid4()}", task_queue=queue
        )
        result = await handle.result()  # follows the chain
        first = await events_of(client, handle.id, handle.first_execution_run_id)
        current = await client.get_workflow_handle(handle.id).describe()
        return result, first, current, handle

    result, first, current, handle = await with_worker(body)
    assert result == 2
    assert first[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert first[-1].workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    assert current.status == WorkflowExecutionStatus.COMPLETED
    assert current.run_id != handle.first_execution_run_id


async def test_workflow_retry_policy_retries_until_success():
    async def body(client, queue):
        handle = await client.start_workflow(
            UntilThirdAttemptWorkflow.run,
            id=f"retry-{uuid.uuid4()}",
            task_queue=queue,
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=1.0, maximum_attempts=5),
        )
        result = await handle.result()
        first = await events_of(client, handle.id, handle.first_execution_run_id)
        return result, first

    result, first = await with_worker(body)
    assert result == 3
    failed = first[-1].workflow_execution_failed_event_attributes
    assert first[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
    assert failed.retry_state == RetryState.RETRY_STATE_IN_PROGRESS
    assert failed.new_execution_run_id


async def test_cron_runs_hand_on_their_results():
    async def body(client, queue):
        workflow_id = f"cron-{uuid.uuid4()}"
        handle = await client.start_workflow(
            CronTickWorkflow.run, id=workflow_id, task_queue=queue, cron_schedule="@every 2s"
        )
        results, initiators = [], []
        run_id = handle.first_execution_run_id
        for _ in range(2):
            run = client.get_workflow_handle(workflow_id, run_id=run_id)
            results.append(await run.result(follow_runs=False))
            events = await events_of(client, workflow_id, run_id)
            initiators.append(events[0].workflow_execution_started_event_attributes.initiator)
            run_id = events[-1].workflow_execution_completed_event_attributes.new_execution_run_id
        await client.get_workflow_handle(workflow_id).terminate("test over")
        return results, initiators

    results, initiators = await with_worker(body)
    assert results == [1, 2]
    assert initiators == [ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE] * 2


async def test_malformed_cron_schedule_is_invalid_argument():
    client = await Client.connect(ADDRESS)
    with pytest.raises(RPCError) as err:
        await client.start_workflow(CronTickWorkflow.run, id=f"cron-{uuid.uuid4()}", task_queue="nowhere", cron_schedule="* * *")
    assert err.value.status == RPCStatusCode.INVALID_ARGUMENT
    assert "CronSchedule" in err.value.message
