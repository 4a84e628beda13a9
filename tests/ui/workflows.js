// Workflows the web UI test runs on zaman, one per status the UI shows.
import * as wf from '@temporalio/workflow';

export async function greet(name) {
  return `Hello, ${name}!`;
}

export async function explode() {
  throw wf.ApplicationFailure.nonRetryable('boom from the UI test');
}

// Runs until cancelled or terminated (or its run times out).
export async function waitForever() {
  await wf.condition(() => false);
}
