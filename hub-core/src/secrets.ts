import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from './errors.js';

export interface HubSecrets {
  cookieSecret: Buffer;
}

/**
 * Reads the hub's own secrets from `<dataDir>/secrets.json`, creating them on first run with 0600
 * permissions. (The OS keychain arrives with the desktop app, issue 6.)
 */
export function loadOrCreateSecrets(dataDir: string): HubSecrets {
  const file = path.join(dataDir, 'secrets.json');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (fs.existsSync(file)) {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { cookieSecret?: string };
      if (parsed.cookieSecret && /^[0-9a-f]{64}$/.test(parsed.cookieSecret)) {
        return { cookieSecret: Buffer.from(parsed.cookieSecret, 'hex') };
      }
    } catch {
      // fall through to the error below
    }
    throw new HubError(500, 'secrets-corrupt', `The secrets file ${file} is damaged.`, {
      fix: 'Move it away and restart: a new one is made (everyone will have to sign in again).',
    });
  }
  const cookieSecret = crypto.randomBytes(32);
  fs.writeFileSync(file, JSON.stringify({ cookieSecret: cookieSecret.toString('hex') }), { mode: 0o600 });
  return { cookieSecret };
}
