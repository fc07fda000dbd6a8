import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import { HubError } from './errors.js';
import { closeServer, listen } from './http/listen.js';

// Docker's and VPN bridges are not where teammates are.
const VIRTUAL = /^(docker|br-|veth|virbr|lo|cni|flannel|kube|tun|tap|wg)/;

/** The LAN addresses of this machine teammates could reach: IPv4 on real (not virtual) interfaces. */
export function lanAddresses(interfaces = os.networkInterfaces()): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(interfaces)) {
    if (VIRTUAL.test(name)) continue;
    for (const a of addrs ?? []) if (!a.internal && a.family === 'IPv4') out.push(a.address);
  }
  return out;
}

// Loopback aliases (127.0.0.2…) are this machine too: useful for tunnels and for tests.
const LOOPBACK_ALIAS = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export interface LanState {
  addresses: string[];
  problems: { address: string; message: string }[];
}

type Handlers = {
  request: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  upgrade: (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void;
};

/**
 * LAN sharing: extra listeners on chosen LAN addresses, beside the loopback one. Turning an address
 * off closes only its listener and connections; people on loopback are not affected.
 */
export class LanSharing {
  private readonly listeners = new Map<string, http.Server>();
  private problems: LanState['problems'] = [];

  constructor(
    private readonly handlers: Handlers,
    private readonly mainIp: string,
    private readonly candidates: () => string[] = () => lanAddresses(),
  ) {}

  state(): LanState {
    return { addresses: [...this.listeners.keys()], problems: this.problems };
  }

  /** Checks the wanted addresses before anything changes: only this machine's LAN addresses. */
  validate(addresses: unknown): string[] {
    if (!Array.isArray(addresses) || addresses.some((a) => typeof a !== 'string')) {
      throw new HubError(400, 'bad-lan', 'addresses must be a list of IP addresses (strings).');
    }
    const known = this.candidates();
    for (const a of addresses as string[]) {
      const alias = LOOPBACK_ALIAS.exec(a);
      const isAlias = !!alias && alias.slice(1).every((n) => Number(n) <= 255) && a !== '127.0.0.1';
      if (!known.includes(a) && !isAlias) {
        throw new HubError(400, 'bad-lan', `${a} is not a LAN address of this computer.`, {
          fix: known.length
            ? `Choose one of: ${known.join(', ')}.`
            : 'This computer has no LAN address right now.',
        });
      }
      if (a === this.mainIp) throw new HubError(400, 'bad-lan', `The hub already listens on ${a}.`);
    }
    return [...new Set(addresses as string[])];
  }

  /** Listens on exactly `addresses` (same port as the main listener); others are closed. */
  async set(addresses: string[], port: number): Promise<LanState> {
    const wanted = new Set(addresses);
    for (const [addr, server] of this.listeners) {
      if (wanted.has(addr)) continue;
      this.listeners.delete(addr);
      await closeServer(server);
    }
    this.problems = [];
    for (const addr of wanted) {
      if (this.listeners.has(addr)) continue;
      const server = http.createServer(this.handlers.request);
      server.on('upgrade', this.handlers.upgrade);
      try {
        await listen(server, port, addr);
        this.listeners.set(addr, server);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        this.problems.push({
          address: addr,
          message:
            code === 'EADDRINUSE'
              ? `Port ${port} on ${addr} is already in use by another program.`
              : `Cannot listen on ${addr}:${port} (${code}).`,
        });
      }
    }
    return this.state();
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map(closeServer));
    this.listeners.clear();
  }
}
