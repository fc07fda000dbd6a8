import http from 'node:http';

/**
 * One GET without following redirects; resolves the status code, or an error code string when the
 * connection fails. Uses http.request with a hard timeout because fetch() can hang forever on a peer
 * that accepts and closes without answering.
 */
export function probeHttp(url: string, timeoutMs: number): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}
