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

