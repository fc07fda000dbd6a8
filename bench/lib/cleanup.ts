import type { ChildProcess } from 'node:child_process';

const tasks: (() => Promise<void>)[] = [];
const children = new Set<ChildProcess>();

/** Runs at the end, on failure and on Ctrl-C, newest first. */
export function onCleanup(task: () => Promise<void>): void {
  tasks.push(task);
}

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

let running: Promise<void> | undefined;
let stoppedBySignal = false;

/** True once Ctrl-C or a kill started the cleanup: what fails afterwards is a consequence, not news. */
export function interrupted(): boolean {
  return stoppedBySignal;
}

export function runCleanup(): Promise<void> {
  running ??= (async () => {
    for (const task of tasks.reverse())
      await task().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
    for (const c of children) c.kill('SIGKILL');
  })();
  return running;
}

/** Ctrl-C and kill stop every peer and container the bench started before exiting. */
export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stoppedBySignal = true;
      console.error(`\n${signal}: stopping every peer and container the bench started…`);
      void runCleanup().finally(() => process.exit(130));
    });
  }
  // Last resort if the process exits some other way: no peer may outlive the bench.
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
}
