import readline from 'node:readline';
import { Writable } from 'node:stream';
import { HubError } from '../errors.js';
import type { Store } from '../store/store.js';
import { AuthStore } from './auth-store.js';
import { checkNewPassword, createActiveAccount, localName } from './local-accounts.js';
import { hashPassword } from './passwords.js';

/** Reads a password: typed twice without echo on a terminal, else the first line of stdin (scripts, tests). */
async function readPassword(
  input: NodeJS.ReadStream = process.stdin,
): Promise<{ password: string; again?: string }> {
  if (!input.isTTY) {
    const lines = readline.createInterface({ input, terminal: false });
    for await (const line of lines) {
      lines.close();
      return { password: line };
    }
    throw new HubError(
      2,
      'usage',
      'No password on standard input: type it, or pipe it in (echo ... | teamhub user password NAME).',
    );
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input, output, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(q);
      muted = true;
      rl.question('', (a) => {
        muted = false;
        process.stderr.write('\n');
        resolve(a);
      });
    });
  try {
    const password = await ask('New password: ');
    const again = await ask('Same password again: ');
    return { password, again };
  } finally {
    rl.close();
  }
}

/**
 * `teamhub user password NAME [--admin]`: sets the password of a password account, creating the
 * account (and the hub user) when there is none. The owner's first admin account on an offline hub
 * is made this way (or on the first-run page at http://localhost:<port>/hub/setup).
 */
export async function passwordCommand(store: Store, args: string[], out: (s: string) => void): Promise<void> {
  const admin = args.includes('--admin');
  const rest = args.filter((a) => a !== '--admin');
  if (rest.length !== 1) throw new HubError(2, 'usage', 'Usage: teamhub user password NAME [--admin]');
  const name = (() => {
    try {
      return localName(rest[0]);
    } catch (err) {
      throw new HubError(2, 'bad-name', (err as Error).message);
    }
  })();
  const typed = await readPassword();
  let password: string;
  try {
    password = checkNewPassword(typed.password, typed.again);
  } catch (err) {
    throw new HubError(2, 'bad-password', (err as Error).message);
  }
  const auth = new AuthStore(store.db);
  const user = store.getUser(name);
  if (!user) {
    await createActiveAccount(store, name, password, admin);
    out(`added ${name}${admin ? ' (admin)' : ''} with a password; they sign in on the hub's sign-in page`);
    return;
  }
  const other = auth.identitiesOfUser(user.id).find((i) => i.provider !== 'local');
  if (other && !auth.localAccount(name))
    throw new HubError(
      1,
      'not-local',
      `${name} signs in with ${other.provider}; this hub keeps no password for them.`,
    );
  auth.putLocalAccount({
    name,
    user_id: user.id,
    password_hash: await hashPassword(password),
    status: 'active',
  });
  auth.linkIdentity(user.id, 'local', name, name);
  if (admin) store.setAdmin(user.id, true);
  // A reset signs the user out everywhere (and revokes their servers' OAuth tokens of those sessions).
  for (const sid of auth.sessionIdsOfUser(user.id)) store.deleteSession(sid);
  out(`password of ${name} set; their browser sessions were ended`);
}
