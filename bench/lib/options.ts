/** How much each scenario does; quick mode trades rounds and counts for a ~2-minute run. */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  routeCounts: number[];
  loadSeconds: number;
  warmupSeconds: number;
  connections: number;
  wsMessages: number;
  apiSeconds: number;
  users: number;
  spawnRounds: number;
  concurrentSpawns: number[];
  footprintRounds: number;
  idleSeconds: number;
  churnCycles: number;
  churnIdleSeconds: number;
  only: string[] | undefined;
}

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const unknown = argv.filter((a) => a !== '--quick' && !a.startsWith('--only='));
  if (unknown.length)
    throw new Error(
      `unknown argument ${unknown.join(' ')}; use --quick and/or --only=proxy,churn,api,spawn,footprint`,
    );
  const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : undefined;
  const common = { routeCounts: [1, 100, 1000], connections: 50, users: 1000, only };
  return quick
    ? {
        ...common,
        quick,
        rounds: 2,
        loadSeconds: 1.5,
        warmupSeconds: 0.5,
        wsMessages: 1000,
        apiSeconds: 1.5,
        spawnRounds: 2,
        concurrentSpawns: [3, 6],
        footprintRounds: 2,
        idleSeconds: 2,
        churnCycles: 3000,
        churnIdleSeconds: 5,
      }
    : {
        ...common,
        quick,
        rounds: 5,
        loadSeconds: 8,
        warmupSeconds: 2,
        wsMessages: 5000,
        apiSeconds: 8,
        spawnRounds: 5,
        concurrentSpawns: [10, 50],
        footprintRounds: 5,
        idleSeconds: 10,
        churnCycles: 100_000,
        churnIdleSeconds: 30,
      };
}

/** Peers in a different order each round, so drift (heat, other load) does not favour one of them. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
