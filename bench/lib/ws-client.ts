import WebSocket from 'ws';
import { percentile } from './stats.js';

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Message round trips on one connection, one at a time: p50/p99 in microseconds. */
export async function roundTrips(url: string, count: number): Promise<{ p50Us: number; p99Us: number }> {
  const ws = await open(url);
  const payload = Buffer.alloc(128, 'x');
  const times: number[] = [];
  // One listener for the whole run: a failure or close ends the wait for the current echo.
  const broken = new Promise<never>((_resolve, reject) => {
    ws.on('error', reject);
    ws.on('close', () => reject(new Error(`websocket ${url} closed early`)));
  });
  broken.catch(() => undefined);
  try {
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      const echo = new Promise<void>((resolve) => {
        ws.once('message', () => resolve());
        ws.send(payload);
      });
      await Promise.race([echo, broken]);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  } finally {
    ws.removeAllListeners('close');
    ws.close();
  }
  return { p50Us: percentile(times, 50), p99Us: percentile(times, 99) };
}

/** Opens, uses once and closes `cycles` websockets, `concurrency` at a time. */
export async function churn(url: string, cycles: number, concurrency: number): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < cycles) {
      started++;
      const ws = await open(url);
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.once('error', reject);
        ws.send('ping');
      });
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
