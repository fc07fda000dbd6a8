import fs from 'node:fs';
import path from 'node:path';

/** What happens to running user servers when the app quits. */
export type QuitBehaviour = 'ask' | 'stop-servers' | 'leave-running';

export interface DesktopSettings {
  quitBehaviour: QuitBehaviour;
}

const DEFAULTS: DesktopSettings = { quitBehaviour: 'ask' };
const BEHAVIOURS: QuitBehaviour[] = ['ask', 'stop-servers', 'leave-running'];

/** The desktop app's own settings (not the hub's), a small JSON file in Electron's userData folder. */
export class SettingsFile {
  private readonly file: string;
  constructor(dir: string) {
    this.file = path.join(dir, 'desktop-settings.json');
  }

  read(): DesktopSettings {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<DesktopSettings>;
      const quit = BEHAVIOURS.includes(raw.quitBehaviour as QuitBehaviour) ? raw.quitBehaviour! : 'ask';
      return { ...DEFAULTS, quitBehaviour: quit };
    } catch {
      // Missing or damaged: the defaults (the app asks again rather than guessing).
      return { ...DEFAULTS };
    }
  }

  write(patch: Partial<DesktopSettings>): DesktopSettings {
    const next = { ...this.read(), ...patch };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, JSON.stringify(next, null, 2));
    return next;
  }
}

export interface QuitChoice {
  stopServers: boolean;
  /** The answer to remember as the setting, when the user was asked. */
  remember?: Exclude<QuitBehaviour, 'ask'>;
}

/**
 * Whether quitting stops the running servers. Left running, they keep working and the hub re-adopts
 * them at the next start (reconciliation). With nothing running there is nothing to ask. The first
 * time (setting 'ask') the user is asked and the answer becomes the setting.
 */
export async function decideQuit(
  behaviour: QuitBehaviour,
  runningServers: number,
  ask: () => Promise<Exclude<QuitBehaviour, 'ask'> | 'cancel'>,
): Promise<QuitChoice | 'cancel'> {
  if (behaviour === 'stop-servers') return { stopServers: true };
  if (behaviour === 'leave-running' || runningServers === 0) return { stopServers: false };
  const answer = await ask();
  if (answer === 'cancel') return 'cancel';
  return { stopServers: answer === 'stop-servers', remember: answer };
}
