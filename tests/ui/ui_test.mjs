// The Temporal Web UI that zaman serves, in headless Chromium: what a person
// opening the browser would see and do.
//   node ui_test.mjs ZAMAN_BINARY ARTIFACT_DIR
// Starts its own zaman (free ports), runs workflows of every status with the
// TypeScript SDK, then checks the workflow list and its filters, a
// workflow's history, input and result, terminating from the UI, and the
// namespaces and schedules pages. A failed check saves a screenshot in
// ARTIFACT_DIR.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, DefaultLogger } from '@temporalio/worker';

const require = createRequire(import.meta.url);
const [zamanBinary, artifactDir] = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zaman-ui-'));
fs.mkdirSync(artifactDir, { recursive: true });
const failures = [];

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, predicate, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const grpcPort = await freePort();
const uiPort = await freePort();
const httpPort = await freePort();
const zaman = spawn(zamanBinary, ['server', 'start-dev', '--port', String(grpcPort), '--ui-port', String(uiPort),
  '--http-port', String(httpPort), '--db-filename', path.join(work, 'zaman.db')],
  { stdio: ['ignore', fs.openSync(path.join(work, 'zaman.log'), 'w'), fs.openSync(path.join(work, 'zaman.log'), 'a')] });
const ui = `http://127.0.0.1:${uiPort}`;
await waitFor('the web UI', async () => (await fetch(`${ui}/api/v1/settings`)).ok);

Runtime.install({ logger: new DefaultLogger('WARN') });
const address = `127.0.0.1:${grpcPort}`;
const client = new Client({ connection: await Connection.connect({ address }) });
const taskQueue = 'ui-test';
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  taskQueue,
  workflowsPath: require.resolve('./workflows.js'),
});
const workerRun = worker.run();

const start = (type, workflowId, args = [], extra = {}) =>
  client.workflow.start(type, { taskQueue, workflowId, args, ...extra });
const completed = await start('greet', 'ui-completed', ['Alice']);
await completed.result();
const failed = await start('explode', 'ui-failed');
await failed.result().catch(() => {});
const canceled = await start('waitForever', 'ui-canceled');
const running = await start('waitForever', 'ui-running');
const timedOut = await start('waitForever', 'ui-timed-out', [], { workflowExecutionTimeout: '1s' });
await timedOut.result().catch(() => {});
await canceled.cancel();
await canceled.result().catch(() => {});
await client.schedule.create({
  scheduleId: 'ui-nightly',
  spec: { cronExpressions: ['0 3 * * *'] },
  action: { type: 'startWorkflow', workflowType: 'greet', args: ['Night'], taskQueue },
});
const statuses = {};
for (const handle of [completed, failed, canceled, running, timedOut]) {
  statuses[handle.workflowId] = (await handle.describe()).status.name;
}
console.log('workflows:', JSON.stringify(statuses));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const apiErrors = [];
page.on('response', (r) => {
  if (r.url().startsWith(`${ui}/api/`) && r.status() >= 400) apiErrors.push(`${r.status()} ${r.url()}`);
});
page.setDefaultTimeout(15000);

async function check(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures.push(name);
    const shot = path.join(artifactDir, `${name.replace(/\W+/g, '-')}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.log(`FAIL ${name}: ${error.message.split('\n')[0]}\n     screenshot: ${shot}`);
  }
}

const row = (id) => page.locator('tr', { hasText: id });

await check('the workflow list shows every workflow with its status', async () => {
  await page.goto(`${ui}/namespaces/default/workflows`);
  const expected = { 'ui-completed': 'Completed', 'ui-failed': 'Failed', 'ui-canceled': 'Canceled',
    'ui-running': 'Running', 'ui-timed-out': 'Timed Out' };
  for (const [id, status] of Object.entries(expected)) {
    await row(id).first().waitFor();
    const text = await row(id).first().innerText();
    if (!text.includes(status)) throw new Error(`${id} row says ${JSON.stringify(text)}, not ${status}`);
  }
});

await check('the workflow list filters by status', async () => {
  const query = encodeURIComponent('ExecutionStatus="Failed"');
  await page.goto(`${ui}/namespaces/default/workflows?query=${query}`);
  await row('ui-failed').first().waitFor();
  await page.waitForTimeout(500);
  for (const other of ['ui-completed', 'ui-running', 'ui-canceled']) {
    if (await row(other).count()) throw new Error(`${other} is listed under ExecutionStatus="Failed"`);
  }
});

await check('a workflow page shows its history, input and result', async () => {
  await page.goto(`${ui}/namespaces/default/workflows/ui-completed/${completed.firstExecutionRunId}/history`);
  await page.getByText('Hello, Alice!').first().waitFor();
  await page.getByText('"Alice"').first().waitFor();
  await page.getByText(/Workflow\s*Execution\s*Started/i).first().waitFor();
  await page.getByText(/Workflow\s*Execution\s*Completed/i).first().waitFor();
});

await check('a failed workflow page shows its failure', async () => {
  await page.goto(`${ui}/namespaces/default/workflows/ui-failed/${failed.firstExecutionRunId}/history`);
  await page.getByText('boom from the UI test').first().waitFor();
});

await check('a running workflow is terminated from the UI', async () => {
  await page.goto(`${ui}/namespaces/default/workflows/ui-running/${running.firstExecutionRunId}/history`);
  await page.getByText(/Running/).first().waitFor();
  // "More Actions", beside "Request Cancellation", holds Terminate.
  await page.getByRole('button', { name: /More Actions/ }).click();
  const terminate = page.getByRole('menuitem', { name: /Terminate/ });
  await terminate.first().click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input, textarea').first().fill('terminated in the browser test');
  await dialog.getByRole('button', { name: /Terminate/ }).last().click();
  await waitFor('the run to be terminated', async () => (await running.describe()).status.name === 'TERMINATED');
  await page.reload();
  await page.getByText(/Terminated/).first().waitFor();
  await page.getByText('terminated in the browser test').first().waitFor();
});

await check('the namespaces page lists the default namespace', async () => {
  await page.goto(`${ui}/namespaces`);
  await page.getByRole('link', { name: 'default' }).first().waitFor();
});

await check('the schedules page lists the schedule', async () => {
  await page.goto(`${ui}/namespaces/default/schedules`);
  await page.getByText('ui-nightly').first().waitFor();
});

await check('the UI made no failed API calls', async () => {
  if (apiErrors.length) throw new Error(apiErrors.join(', '));
});

await browser.close();
worker.shutdown();
await workerRun;
zaman.kill('SIGTERM');
await new Promise((r) => zaman.on('exit', r));
if (failures.length) {
  console.log(`---- zaman log (tail)\n${fs.readFileSync(path.join(work, 'zaman.log'), 'utf8').split('\n').slice(-30).join('\n')}`);
}
console.log(`${failures.length} checks failed`);
process.exit(failures.length ? 1 : 0);
