import { PassThrough } from 'node:stream';
import type { Request, Response } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { demuxLogs, isStatus } from '../spawner/docker-client.js';
import type { ServerRow, UserRow } from '../store/store.js';

export interface LogLine {
  /** Docker's RFC 3339 timestamp of the line, when it has one. */
  ts: string | null;
  text: string;
}

const MAX_TAIL = 100_000;

/** Splits Docker's `--timestamps` output into lines; a partial last line waits for more text. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): LogLine[] {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    return parts.map(parseLine);
  }

  flush(): LogLine[] {
    const last = this.rest;
    this.rest = '';
    return last ? [parseLine(last)] : [];
  }
}

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/s;

export function parseLine(raw: string): LogLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const m = TIMESTAMPED.exec(line);
  return m ? { ts: m[1] as string, text: m[2] as string } : { ts: null, text: line };
}

export function tailOf(req: Request): number {
  const raw = req.query.tail;
  if (raw === undefined) return 2000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > MAX_TAIL) {
    throw new HubError(
      400,
      'bad-tail',
      `tail must be a whole number from 0 to ${MAX_TAIL}, not ${String(raw)}.`,
    );
  }
  return n;
}

/** The kept lines of a failed start, for when its container is gone. */
function keptLines(server: ServerRow | undefined): LogLine[] {
  return (server?.failure?.evidence ?? []).map((text) => ({ ts: null, text }));
}

/** Downloads a container's whole log (or the kept lines of its failed start) as a text file. */
export async function downloadLogs(ctx: HubContext, res: Response, user: UserRow, server?: ServerRow) {
  const file = `${user.name}${server?.name ? `-${server.name}` : ''}-logs.txt`;
  res.set('content-disposition', `attachment; filename="${file.replace(/[^\w.-]/g, '_')}"`);
  res.type('text/plain; charset=utf-8');
  if (server?.container_id) {
    try {
      const buf = (await ctx.docker.api
        .getContainer(server.container_id)
        .logs({ stdout: true, stderr: true, timestamps: true, follow: false })) as unknown as Buffer;
      res.send(demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf))));
      return;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }
  res.send(
    keptLines(server)
      .map((l) => `${l.text}\n`)
      .join(''),
  );
}

/**
 * Streams a container's log as server-sent events: `lines` batches while it runs (followed), `kept`
 * with the lines of the last failed start when there is no container, and `end` when it stops.
 */
export async function streamLogs(
  ctx: HubContext,
  req: Request,
  res: Response,
  server: ServerRow | undefined,
) {
  const tail = tailOf(req);
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const kept = () => {
    send('kept', { lines: keptLines(server), failure: server?.failure ?? null });
    res.end();
  };
  if (!server?.container_id) return kept();
  const container = ctx.docker.api.getContainer(server.container_id);
  let raw: NodeJS.ReadableStream;
  try {
    raw = (await container.logs({
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: true,
      tail,
    })) as unknown as NodeJS.ReadableStream;
  } catch (err) {
    if (isStatus(err, 404)) return kept();
    throw err;
  }
  const text = new PassThrough();
  ctx.docker.api.modem.demuxStream(raw, text, text);
  const splitter = new LineSplitter();
  const batch: LogLine[] = [];
  // Batching keeps a chatty container from becoming one event per line in the browser.
  const timer = setInterval(() => {
    if (batch.length) send('lines', { lines: batch.splice(0) });
  }, 150);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  text.on('data', (chunk: Buffer) => batch.push(...splitter.push(chunk.toString('utf8'))));
  let closed = false;
  const close = (why: string) => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    clearInterval(keepAlive);
    batch.push(...splitter.flush());
    if (batch.length) send('lines', { lines: batch.splice(0) });
    send('end', { reason: why });
    res.end();
    (raw as unknown as { destroy?: () => void }).destroy?.();
  };
  raw.on('end', () => close('The container stopped.'));
  raw.on('error', () => close('The log stream broke off.'));
  req.on('close', () => close('closed'));
}
