import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/**
 * scrypt with N = 2^15, r = 8, p = 1: each guess costs 32 MiB of memory (128·N·r bytes) and about
 * 0.1 s of one core, which makes GPU and ASIC guessing expensive. 16-byte random salt, 32-byte key.
 * Stored as `scrypt$N$r$p$<salt>$<key>` (base64url) so the cost can be raised later per hash.
 */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32, saltBytes: 16 };
const maxmem = (n: number, r: number) => 256 * n * r;

export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;

/** Why a new password cannot be used, or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD) return `the password must have at least ${MIN_PASSWORD} characters`;
  if (password.length > MAX_PASSWORD) return `the password must have at most ${MAX_PASSWORD} characters`;
  return undefined;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SCRYPT.saltBytes);
  const key = await scrypt(password.normalize('NFC'), salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: maxmem(SCRYPT.N, SCRYPT.r),
  });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const N = Number(n);
  const R = Number(r);
  const expected = Buffer.from(key, 'base64url');
  const got = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, {
    N,
    r: R,
    p: Number(p),
    maxmem: maxmem(N, R),
  });
  return crypto.timingSafeEqual(got, expected);
}

// Checked against when the account does not exist, so an unknown name costs as much time as a known one.
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomBytes(12).toString('hex'));
  return decoy;
}
