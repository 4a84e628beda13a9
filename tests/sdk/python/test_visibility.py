"""Finding workflows from the Python SDK: list_workflows and count_workflows."""
import asyncio
import os
import uuid

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributeKey, TypedSearchAttributes, SearchAttributePair
from temporalio.service import RPCError, RPCStatusCode
import pytest

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")
REGION = SearchAttributeKey.for_keyword("PyRegion")


async def eventually(fetch, holds, timeout=10.0):
    """Visibility follows workflow state within moments (as on Temporal, it is written after the
    state commits): fetch again until `holds(result)` or the timeout, then return the last result."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await fetch()
        if holds(result) or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.1)


async def test_list_and_count_by_search_attribute():
    client = await Client.connect(ADDRESS)
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace="default", search_attributes={"PyRegion": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD}
        )
    )
    region = f"region-{uuid.uuid4().hex[:8]}"
    queue = f"py-vis-{uuid.uuid4().hex[:8]}"  # no worker: the runs stay open
    handles = []
    for i in range(3):
        handles.append(
            await client.start_workflow(
                "NobodyRunsThis",
                id=f"{region}-{i}",
                task_queue=queue,
                search_attributes=TypedSearchAttributes([SearchAttributePair(REGION, region)]),
            )
        )
    await handles[0].terminate("enough")

    async def listed():
        return [w async for w in client.list_workflows(f"PyRegion = '{region}' AND ExecutionStatus = 'Running'")]

    expected = [f"{region}-1", f"{region}-2"]
    running = await eventually(listed, lambda found: sorted(w.id for w in found) == expected)
    assert sorted(w.id for w in running) == expected
    assert all(w.status == WorkflowExecutionStatus.RUNNING for w in running)
    assert all(w.typed_search_attributes.get(REGION) == region for w in running)

    count = await client.count_workflows(f"PyRegion = '{region}'")
    assert count.count == 3
    grouped = await client.count_workflows(f"PyRegion = '{region}' GROUP BY ExecutionStatus")
    by_status = {g.group_values[0]: g.count for g in grouped.groups}
    assert by_status == {"Running": 2, "Terminated": 1}

    with pytest.raises(RPCError) as err:
        [w async for w in client.list_workflows("PyRegion = ")]
    assert err.value.status == RPCStatusCode.INVALID_ARGUMENT
    assert "invalid query" in err.value.message
