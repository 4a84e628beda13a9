// Workflows the TypeScript suite runs on zaman (bundled by the worker).
import * as wf from '@temporalio/workflow';

const { greet, flaky } = wf.proxyActivities({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 1 },
});

const addSignal = wf.defineSignal('add');
const countQuery = wf.defineQuery('count');

export async function greeting(name) {
  return await greet(name);
}

export async function retrying() {
  return await flaky();
}

export async function sleeper() {
  const start = Date.now();
  await wf.sleep('1s');
  return Date.now() - start;
}

export async function collector() {
  const items = [];
  wf.setHandler(addSignal, (item) => void items.push(item));
  wf.setHandler(countQuery, () => items.length);
  await wf.condition(() => items.includes('stop'));
  return items;
}


// --- Differential conformance scenarios (conformance.mjs) ---

export async function counting(n, limit) {
  if (n < limit) await wf.continueAsNew(n + 1, limit);
  return n;
}

export async function untilThirdAttempt() {
  const { attempt } = wf.workflowInfo();
  if (attempt < 3) throw wf.ApplicationFailure.retryable(`attempt ${attempt} is not enough`);
  return attempt;
}

export async function childGreeting(name) {
  return `child greets ${name}`;
}

export async function parent(childId, name) {
  return await wf.executeChild(childGreeting, { workflowId: childId, args: [name] });
}

const pingSignal = wf.defineSignal('ping');

export async function waiter() {
  let got;
  wf.setHandler(pingSignal, (value) => void (got = value));
  await wf.condition(() => got !== undefined);
  return got;
}

export async function pinger(targetId) {
  await wf.getExternalWorkflowHandle(targetId).signal(pingSignal, 'hello');
  return 'sent';
}

const addUpdate = wf.defineUpdate('add');
const finishSignal = wf.defineSignal('finish');

export async function tally() {
  let total = 0;
  let finished = false;
  wf.setHandler(addUpdate, (n) => (total += n), {
    validator: (n) => {
      if (n < 0) throw new Error(`cannot add ${n}`);
    },
  });
  wf.setHandler(finishSignal, () => void (finished = true));
  await wf.condition(() => finished);
  return total;
}
