"""Memo upserts from inside a workflow, seen by describe."""
import asyncio
import os
import uuid

from temporalio.client import Client
from temporalio.worker import Worker

from chains import MemoKeeper

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def test_upserted_memo_is_described():
    client = await Client.connect(ADDRESS)
    queue = f"py-memo-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[MemoKeeper]):
        handle = await client.start_workflow(
            MemoKeeper.run, id=f"memo-{uuid.uuid4()}", task_queue=queue, memo={"stage": "packing", "draft": True, "owner": "ada"}
        )
        for _ in range(100):
            memo = await (await handle.describe()).memo()
            if memo.get("stage") == "shipped":
                break
            await asyncio.sleep(0.05)
        assert memo == {"stage": "shipped", "owner": "ada"}
        await handle.signal(MemoKeeper.end)
        await handle.result()
