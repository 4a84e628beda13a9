"""Markers from the Python SDK (local activities, patches), and replay of the stored history."""
import os
import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Replayer, Worker

from chains import Patched, shout

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def test_local_activity_and_patch_markers_replay():
    client = await Client.connect(ADDRESS)
    queue = f"py-marker-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[Patched], activities=[shout]):
        handle = await client.start_workflow(Patched.run, "hello", id=f"patched-{uuid.uuid4()}", task_queue=queue)
        assert await handle.result() == "HELLO!"
    history = await handle.fetch_history()
    markers = [
        e.marker_recorded_event_attributes.marker_name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    ]
    assert len(markers) == 2, markers
    result = await Replayer(workflows=[Patched]).replay_workflow(history)
    assert result.replay_failure is None
