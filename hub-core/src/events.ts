import { EventEmitter } from 'node:events';
import type { EventRow, Store } from './store/store.js';

export interface ProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  html_message?: string;
  url?: string;
}

/** In-process bus: spawn progress per server and the diagnostic event log, for pages, API streams and the UI. */
export class HubEvents extends EventEmitter {
  constructor(
    private readonly store: Store,
    private readonly log?: (level: 'info' | 'warn' | 'error', msg: string) => void,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Records an event in the store's event log (shown to admins) and tells live listeners. */
  record(e: Omit<EventRow, 'id' | 'ts'>): EventRow {
    const row = this.store.addEvent(e);
    const fix = typeof e.details.fix === 'string' ? ` Fix: ${e.details.fix}` : '';
    this.log?.(e.level, `${e.message}${fix}`);
    this.emit('event', row);
    return row;
  }
}
