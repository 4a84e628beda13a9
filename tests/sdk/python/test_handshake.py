"""The Python SDK's first contact with a server: connect, namespaces.

Runs against ZAMAN_ADDRESS (default localhost:7233).
"""
import os
import uuid

import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    GetClusterInfoRequest,
    GetSystemInfoRequest,
    ListNamespacesRequest,
    RegisterNamespaceRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

ADDRESS = os.environ.get("ZAMAN_ADDRESS", "localhost:7233")


async def test_connect_reads_system_info():
    client = await Client.connect(ADDRESS)
    info = await client.workflow_service.get_system_info(GetSystemInfoRequest())
    assert info.server_version
    assert await client.service_client.check_health()


async def test_describe_default_namespace():
    client = await Client.connect(ADDRESS)
    resp = await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace="default")
    )
    assert resp.namespace_info.name == "default"
    assert resp.namespace_info.id


async def test_unknown_namespace_is_not_found():
    client = await Client.connect(ADDRESS)
    with pytest.raises(RPCError) as err:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace="no-such-namespace")
        )
    assert err.value.status == RPCStatusCode.NOT_FOUND
    assert "no-such-namespace" in err.value.message


async def test_register_twice_is_already_exists():
    client = await Client.connect(ADDRESS)
    name = f"py-sdk-{uuid.uuid4().hex[:8]}"
    request = RegisterNamespaceRequest(
        namespace=name, workflow_execution_retention_period=Duration(seconds=86400)
    )
    await client.workflow_service.register_namespace(request)
    with pytest.raises(RPCError) as err:
        await client.workflow_service.register_namespace(request)
    assert err.value.status == RPCStatusCode.ALREADY_EXISTS
    listed = await client.workflow_service.list_namespaces(ListNamespacesRequest(page_size=1000))
    assert name in [ns.namespace_info.name for ns in listed.namespaces]


async def test_cluster_info():
    client = await Client.connect(ADDRESS)
    info = await client.workflow_service.get_cluster_info(GetClusterInfoRequest())
    assert info.cluster_id
    assert info.history_shard_count > 0
