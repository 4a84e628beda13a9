// The TypeScript SDK's first contact with a server: connect, system info,
// namespaces. Runs against ZAMAN_ADDRESS (default localhost:7233).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Connection } from '@temporalio/client';

const address = process.env.ZAMAN_ADDRESS ?? 'localhost:7233';
let connection;

before(async () => {
  connection = await Connection.connect({ address });
});

after(async () => {
  await connection?.close();
});

test('getSystemInfo reports a server version', async () => {
  const info = await connection.workflowService.getSystemInfo({});
  assert.ok(info.serverVersion, 'server_version is set');
});

test("describeNamespace('default') succeeds", async () => {
  const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
  assert.equal(ns.namespaceInfo.name, 'default');
  assert.ok(ns.namespaceInfo.id);
});

test('an unknown namespace is NOT_FOUND', async () => {
  await assert.rejects(
    connection.workflowService.describeNamespace({ namespace: 'no-such-namespace' }),
    (err) => {
      assert.equal(err.code, 5 /* grpc NOT_FOUND */);
      assert.match(err.details ?? err.message, /no-such-namespace/);
      return true;
    },
  );
});

test('registered namespaces are listed', async () => {
  const name = `ts-sdk-${Date.now()}`;
  await connection.workflowService.registerNamespace({
    namespace: name,
    workflowExecutionRetentionPeriod: { seconds: 86400 },
  });
  const list = await connection.workflowService.listNamespaces({ pageSize: 1000 });
  assert.ok(list.namespaces.some((ns) => ns.namespaceInfo.name === name));
});

test('health check says SERVING', async () => {
  const res = await connection.healthService.check({
    service: 'temporal.api.workflowservice.v1.WorkflowService',
  });
  assert.equal(res.status, 1 /* SERVING */);
});
