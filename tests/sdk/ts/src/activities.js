// Activities the TypeScript suite runs.
import { Context } from '@temporalio/activity';

export async function greet(name) {
  return `Hello, ${name}!`;
}

export async function flaky() {
  const { attempt } = Context.current().info;
  if (attempt < 3) throw new Error(`attempt ${attempt} fails`);
  return attempt;
}

