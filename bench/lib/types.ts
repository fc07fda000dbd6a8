/** Every peer the bench can measure, in table column order. */
export const PEERS = ['teamhub', 'chp', 'direct', 'jupyterhub', 'docker'] as const;
export type PeerId = (typeof PEERS)[number];

export const PEER_LABEL: Record<PeerId, string> = {
  teamhub: 'TeamHub',
  chp: 'CHP 5.3',
  direct: 'direct',
  jupyterhub: 'JupyterHub 3.0',
  docker: 'docker run',
};

/**
 * A target on TeamHub's median: either relative to a peer's median (TeamHub ÷ peer) or an absolute
 * number in the row's unit.
 */
export type Target =
  | { kind: 'ratio'; peer: PeerId; op: '>=' | '<='; value: number }
  | { kind: 'absolute'; op: '>=' | '<='; value: number };

export interface Row {
  /** What was measured, e.g. "proxy HTTP, 100 routes". */
  scenario: string;
  /** The number in the cells, e.g. "req/s" or "p99 ms". */
  metric: string;
  better: 'higher' | 'lower';
  /** One number per round (or per spawn) and peer. */
  samples: Partial<Record<PeerId, number[]>>;
  /** Why a peer has no numbers (e.g. not installable here); shown as a footnote. */
  notes?: Partial<Record<PeerId, string>>;
  targets?: Target[];
}
