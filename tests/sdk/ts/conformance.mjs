// Differential conformance for the TypeScript SDK (make conformance): each
// scenario on Zaman ($ZAMAN_ADDRESS) and on the reference Temporal dev server
// ($ZAMAN_REFERENCE_ADDRESS); both histories normalised as
// tests/conformance/known-differences.md says and compared event by event.
import { createRequire } from 'node:module';
import { Client, Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

const require = createRequire(import.meta.url);
const IGNORED = new Set([
  'eventTime', 'taskId', 'identity', 'requestId', 'historySizeBytes', 'workflowExecutionExpirationTime',
  'expirationTime', 'lastHeartbeatTime', 'workerVersion', 'buildIdRedirectCounter', 'suggestContinueAsNew',
  'firstWorkflowTaskBackoff', 'links', 'prevAutoResetPoints',
]);

function normalise(value, suffix) {
  if (Array.isArray(value)) return value.map((v) => normalise(v, suffix));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (IGNORED.has(key) || /namespaceid$/i.test(key)) continue;
      out[key] = /runid$/i.test(key) ? '<run id>' : normalise(item, suffix);
    }
    if (out.kind === 'TASK_QUEUE_KIND_STICKY') out.name = '<sticky>';
    for (const flags of ['langUsedFlags', 'coreUsedFlags']) {
      if (Array.isArray(out[flags])) out[flags] = [...out[flags]].sort();
    }
    if (out.markerName === 'LocalActivity' || out.markerName === 'core_local_activity') delete out.details;
    return out;
  }
  return typeof value === 'string' ? value.split(suffix).join('<suffix>') : value;
}

async function history(client, workflowId, runId, suffix) {
  const raw = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const { History } = protos.temporal.api.history.v1;
  const message = History.fromObject(raw);
  const json = History.toObject(message, { enums: String, longs: String, bytes: String });
  return json.events.map((e) => normalise(e, suffix));
}

async function chain(client, workflowId, firstRunId) {
  const runs = [firstRunId];
  while (runs.length < 10) {
    const events = (await client.workflow.getHandle(workflowId, runs.at(-1)).fetchHistory()).events;
    const last = events.at(-1);
    const next =
      last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ||
      last.workflowExecutionFailedEventAttributes?.newExecutionRunId ||
      last.workflowExecutionCompletedEventAttributes?.newExecutionRunId;
    if (!next) break;
    runs.push(next);
  }
  return runs.map((run) => [workflowId, run]);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const scenarios = {
  activity: async (c, taskQueue, id) => {
    const h = await c.workflow.start('greeting', { taskQueue, workflowId: id, args: ['x'] });
    await h.result();
    return [[id, h.firstExecutionRunId]];
  },
  'continue-as-new': async (c, taskQueue, id) => {
    const h = await c.workflow.start('counting', { taskQueue, workflowId: id, args: [0, 2] });
    await h.result();
    return chain(c, id, h.firstExecutionRunId);
  },
  'workflow-retry': async (c, taskQueue, id) => {
    const h = await c.workflow.start('untilThirdAttempt', {
      taskQueue, workflowId: id, retry: { initialInterval: '1s', backoffCoefficient: 1 },
    });
    await h.result();
    return chain(c, id, h.firstExecutionRunId);
  },
  child: async (c, taskQueue, id) => {
    const h = await c.workflow.start('parent', { taskQueue, workflowId: id, args: [`${id}-child`, 'x'] });
    await h.result();
    return [[id, h.firstExecutionRunId], [`${id}-child`, undefined]];
  },
  'signal-external': async (c, taskQueue, id) => {
    const target = await c.workflow.start('waiter', { taskQueue, workflowId: `${id}-target` });
    await pause(300);
    const sender = await c.workflow.start('pinger', { taskQueue, workflowId: id, args: [`${id}-target`] });
    await sender.result();
    await target.result();
    return [[id, sender.firstExecutionRunId], [`${id}-target`, target.firstExecutionRunId]];
  },
  update: async (c, taskQueue, id) => {
    const h = await c.workflow.start('tally', { taskQueue, workflowId: id });
    await pause(300);
    for (const [i, n] of [5, -3, 1].entries()) {
      try {
        await h.executeUpdate('add', { args: [n], updateId: `u${i}` });
      } catch {
        // the validator rejects -3
      }
    }
    await h.signal('finish');
    await h.result();
    return [[id, h.firstExecutionRunId]];
  },
};

function fieldDiffs(path, z, r, out) {
  if (z && r && typeof z === 'object' && typeof r === 'object' && !Array.isArray(z) && !Array.isArray(r)) {
    for (const key of [...new Set([...Object.keys(z), ...Object.keys(r)])].sort()) {
      fieldDiffs(`${path}.${key}`, z[key], r[key], out);
    }
  } else if (JSON.stringify(z) !== JSON.stringify(r)) {
    out.push(`${path}: zaman ${JSON.stringify(z)?.slice(0, 160)}, reference ${JSON.stringify(r)?.slice(0, 160)}`);
  }
}

Runtime.install({ logger: new DefaultLogger('ERROR') });
const suffix = String(Date.now());
const taskQueue = `ts-conformance-${suffix}`;
const servers = {};
const workers = [];
for (const [name, address] of [['zaman', process.env.ZAMAN_ADDRESS], ['reference', process.env.ZAMAN_REFERENCE_ADDRESS]]) {
  servers[name] = new Client({ connection: await Connection.connect({ address }) });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowsPath: require.resolve('./src/workflows.js'),
    activities: await import('./src/activities.js'),
  });
  workers.push([worker, worker.run()]);
}
const passed = { zaman: 0, reference: 0 };
let identical = 0;
const lines = [];
for (const [name, scenario] of Object.entries(scenarios)) {
  const histories = {};
  for (const [server, client] of Object.entries(servers)) {
    try {
      const refs = await scenario(client, taskQueue, `${name}-${suffix}`);
      const runs = [];
      for (const [workflowId, runId] of refs) runs.push(await history(client, workflowId, runId, suffix));
      if (runs.some((run) => run.length < 3)) throw new Error('a run did not get past its first workflow task');
      histories[server] = runs;
      passed[server]++;
    } catch (err) {
      lines.push(`FAILED     ${name} on ${server}: ${err}`);
    }
  }
  const z = histories.zaman;
  const r = histories.reference;
  const diffs = [];
  if (z && r && z.length === r.length) {
    z.forEach((run, i) => {
      for (let j = 0; j < Math.max(run.length, r[i].length) && diffs.length < 5; j++) {
        const fields = [];
        fieldDiffs('', run[j] ?? {}, r[i][j] ?? {}, fields);
        if (fields.length) diffs.push(`  run ${i + 1} event ${j + 1}:\n    ${fields.join('\n    ')}`);
      }
    });
  }
  const same = Boolean(z && r && z.length === r.length && diffs.length === 0);
  if (same) identical++;
  lines.push(`${same ? 'identical  ' : 'DIFFERENT  '}${name}${diffs.length ? `\n${diffs.join('\n')}` : ''}`);
}
for (const [worker, running] of workers) {
  worker.shutdown();
  await running;
}
console.log('\n=== conformance: TypeScript SDK ===');
console.log(lines.sort().join('\n'));
console.log(
  `scenarios: ${Object.keys(scenarios).length}; passed on zaman: ${passed.zaman}; ` +
    `passed on reference: ${passed.reference}; identical histories: ${identical}`,
);
// A scenario passes when it ran on both servers and the histories match.
const total = Object.keys(scenarios).length;
console.log(`typescript: ${identical} passed, ${total - identical} failed`);
process.exit(identical === total ? 0 : 1);
