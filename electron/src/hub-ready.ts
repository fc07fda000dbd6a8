import http from 'node:http';

/** One GET with a timeout (Node 20's fetch can hang on a peer that accepts and never answers). */
function answers(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Resolves once the hub's page answers; rejects with a sentence after `totalMs`. */
export async function waitForHub(url: string, totalMs = 30_000): Promise<void> {
  const deadline = Date.now() + totalMs;
  while (Date.now() < deadline) {
    if (await answers(url, 2000)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The hub started but ${url} did not answer within ${totalMs / 1000} s.`);
}
