// openid-client reports a provider error as ResponseBodyError (non-200 status) with `error` on it, or,
// for GitHub's "HTTP 200 with an error body", as a processing error whose cause chain holds the body.
function providerBody(err: unknown): { error: string; error_description?: unknown } | undefined {
  let node: unknown = err;
  for (let depth = 0; depth < 5 && node && typeof node === 'object'; depth++) {
    const n = node as { error?: unknown; body?: { error?: unknown }; cause?: unknown };
    // A 401 with `WWW-Authenticate: Basic error="invalid_client"` arrives as a list of challenges.
    if (Array.isArray(n.cause)) {
      const params = (n.cause as { parameters?: { error?: unknown } }[]).find(
        (c) => typeof c.parameters?.error === 'string',
      )?.parameters;
      if (params) return params as { error: string };
    }
    if (typeof n.error === 'string') return n as { error: string };
    if (typeof n.body?.error === 'string') return n.body as { error: string };
    node = n.cause;
  }
  return undefined;
}

export function providerErrorCode(err: unknown): string | undefined {
  return providerBody(err)?.error;
}

export function providerErrorDescription(err: unknown): string | undefined {
  const d = providerBody(err)?.error_description;
  return typeof d === 'string' ? d : undefined;
}

/** True when an error came from the connection (refused, closed, timed out), not from the protocol. */
export function isNetworkError(err: unknown): boolean {
  let node: unknown = err;
  for (let depth = 0; depth < 6 && node && typeof node === 'object'; depth++) {
    const n = node as { name?: string; message?: string; code?: string; cause?: unknown };
    if (n.name === 'TimeoutError' || n.name === 'AbortError' || n.message === 'fetch failed') return true;
    if (typeof n.code === 'string' && /^(E[A-Z]+|UND_ERR)/.test(n.code) && n.code !== 'ERR_INVALID_URL')
      return true;
    node = n.cause;
  }
  return false;
}
