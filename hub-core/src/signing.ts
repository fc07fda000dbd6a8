import crypto from 'node:crypto';

/**
 * Signed cookie values: `<base64url payload>.<base64url HMAC-SHA256>`. The payload carries its own
 * expiry so a copied cookie stops working even if the browser keeps it.
 */
export class Signer {
  constructor(private readonly secret: Buffer) {}

  sign(payload: unknown, maxAgeSeconds: number): string {
    const body = Buffer.from(JSON.stringify({ v: payload, exp: Date.now() + maxAgeSeconds * 1000 })).toString(
      'base64url',
    );
    return `${body}.${this.mac(body)}`;
  }

  /** The payload, or undefined when the value was tampered with, is malformed or has expired. */
  verify<T>(value: string | undefined): T | undefined {
    if (!value) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { v: T; exp: number };
      return parsed.exp > Date.now() ? parsed.v : undefined;
    } catch {
      return undefined;
    }
  }

  /** A MAC of `data` under the hub secret (XSRF tokens are derived this way). */
  tag(data: string): string {
    return this.mac(`tag:${data}`);
  }

  private mac(body: string): string {
    return crypto.createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
