"""ResetWorkflowExecution through the Python SDK's service client."""
import asyncio
import os
import uuid

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.worker import Worker

from chains import Resettable, shout

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def test_reset_reruns_from_the_reset_point_with_signals_reapplied():
    client = await Client.connect(ADDRESS)
    queue = f"py-reset-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[Resettable], activities=[shout]):
        handle = await client.start_workflow(Resettable.run, id=f"reset-{uuid.uuid4()}", task_queue=queue)
        # The signal comes after the first workflow task, so that it follows the reset point.
        for _ in range(100):
            types = [e.event_type async for e in handle.fetch_history_events()]
            if EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED in types:
                break
            await asyncio.sleep(0.05)
        await handle.signal(Resettable.go, "now")
        assert await handle.result() == "RESET now"
        events = [e async for e in handle.fetch_history_events()]
        first_task = next(e.event_id for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
        reset = await client.workflow_service.reset_workflow_execution(
            ResetWorkflowExecutionRequest(
                namespace="default",
                workflow_execution=WorkflowExecution(workflow_id=handle.id, run_id=handle.result_run_id),
                reason="again",
                workflow_task_finish_event_id=first_task,
                request_id=str(uuid.uuid4()),
            )
        )
        new_run = client.get_workflow_handle(handle.id, run_id=reset.run_id)
        assert await new_run.result() == "RESET now"
        new_events = [e async for e in new_run.fetch_history_events()]
        failed = new_events[first_task - 1]
        assert failed.workflow_task_failed_event_attributes.cause == WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW
        assert new_events[first_task].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
