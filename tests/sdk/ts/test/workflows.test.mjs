// The TypeScript SDK's worker running real workflows against zaman.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, DefaultLogger } from '@temporalio/worker';

const require = createRequire(import.meta.url);
const address = process.env.ZAMAN_ADDRESS ?? 'localhost:7233';
const taskQueue = `ts-${randomUUID()}`;
let connection, client, worker, running;

before(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowsPath: require.resolve('../src/workflows.js'),
    activities: await import('../src/activities.js'),
  });
  running = worker.run();
});

after(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
});

const start = (type, args = []) =>
  client.workflow.start(type, { taskQueue, workflowId: `${type}-${randomUUID()}`, args });

test('activity round trip', async () => {
  const handle = await start('greeting', ['Zaman']);
  assert.equal(await handle.result(), 'Hello, Zaman!');
});

test('activity retries until it succeeds; one started event, final attempt', async () => {
  const handle = await start('retrying');
  assert.equal(await handle.result(), 3);
  const history = await handle.fetchHistory();
  const started = history.events.filter((e) => e.activityTaskStartedEventAttributes);
  assert.equal(started.length, 1);
  assert.equal(started[0].activityTaskStartedEventAttributes.attempt, 3);
});

test('durable timer', async () => {
  const handle = await start('sleeper');
  assert.ok((await handle.result()) >= 1000);
});

test('signals and queries, also after the workflow closed', async () => {
  const handle = await start('collector');
  await handle.signal('add', 'a');
  await handle.signal('add', 'b');
  let count = 0;
  for (let i = 0; i < 200 && count !== 2; i++) {
    count = await handle.query('count');
    if (count !== 2) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(count, 2);
  await handle.signal('add', 'stop');
  assert.deepEqual(await handle.result(), ['a', 'b', 'stop']);
  assert.equal(await handle.query('count'), 3);
});

test('terminate', async () => {
  const handle = await start('collector');
  await handle.terminate('enough');
  await assert.rejects(handle.result(), WorkflowFailedError);
  const description = await handle.describe();
  assert.equal(description.status.name, 'TERMINATED');
});
