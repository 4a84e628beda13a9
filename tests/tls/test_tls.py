"""TLS and mTLS, as the Python SDK sees them. Driven by run.sh."""
import os
from pathlib import Path

import pytest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import TLSConfig

TLS = os.environ["ZAMAN_TLS_ADDRESS"]
MTLS = os.environ["ZAMAN_MTLS_ADDRESS"]
CERTS = Path(os.environ["ZAMAN_CERTS"])
# What the SDK says when it cannot complete the handshake with the server.
REFUSED = "[Ff]ailed client connect|transport error|connection"


def read(name: str) -> bytes:
    return (CERTS / name).read_bytes()


def tls_config(client: str | None = None) -> TLSConfig:
    config = TLSConfig(server_root_ca_cert=read("ca.pem"), domain="localhost")
    if client:
        config.client_cert = read(f"{client}.pem")
        config.client_private_key = read(f"{client}.key")
    return config


async def describe_default(client: Client) -> str:
    resp = await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace="default")
    )
    return resp.namespace_info.name


async def test_connects_over_tls():
    client = await Client.connect(TLS, tls=tls_config())
    assert await describe_default(client) == "default"


async def test_plaintext_against_tls_port_is_refused():
    with pytest.raises(RuntimeError, match=REFUSED):
        client = await Client.connect(TLS, tls=False)
        await describe_default(client)


async def test_untrusted_server_certificate_is_refused():
    # The client trusts only the rogue CA, so the server's certificate fails.
    config = TLSConfig(server_root_ca_cert=read("rogue-ca.pem"), domain="localhost")
    with pytest.raises(RuntimeError, match=REFUSED):
        client = await Client.connect(TLS, tls=config)
        await describe_default(client)


async def test_mtls_with_client_certificate_connects():
    client = await Client.connect(MTLS, tls=tls_config(client="client"))
    assert await describe_default(client) == "default"


async def test_mtls_without_client_certificate_is_refused():
    with pytest.raises(RuntimeError, match=REFUSED):
        client = await Client.connect(MTLS, tls=tls_config())
        await describe_default(client)


async def test_mtls_with_certificate_from_untrusted_ca_is_refused():
    with pytest.raises(RuntimeError, match=REFUSED):
        client = await Client.connect(MTLS, tls=tls_config(client="rogue-client"))
        await describe_default(client)
