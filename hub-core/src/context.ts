import type { GithubLogin } from './auth/github.js';
import type { OidcLogin } from './auth/oidc.js';
import type { HubConfig } from './config/schema.js';
import type { HubEvents } from './events.js';
import type { LanState } from './lan-sharing.js';
import type { AddressProof } from './probes.js';
import type { ServerManager } from './servers.js';
import type { Signer } from './signing.js';
import type { DockerClient, DockerStatus } from './spawner/docker-client.js';
import type { Store } from './store/store.js';
import type { RouteTable } from './proxy/routes.js';
import type { SecretStore } from './secrets.js';
import type { ProvidersOff } from './ui/saved-providers.js';

/** What request handlers need from the hub; built once in createHub. */
export interface HubContext {
  config: HubConfig;
  store: Store;
  events: HubEvents;
  servers: ServerManager;
  signer: Signer;
  docker: DockerClient;
  /** GitHub sign-in when configured, and the reason when it is not. */
  github: GithubLogin | undefined;
  githubProblem: string | undefined;
  /** The OpenID Connect providers, in config order. */
  oidc: OidcLogin[];
  /** Providers saved in Settings that are off (e.g. a lost secret) and other saved-settings problems. */
  providersOff: ProvidersOff;
  /** Password accounts are on only because the providers that are off were the only way in (not saved). */
  passwordsForNow: boolean;
  /** Where client secrets entered in Settings are kept (the OS keychain, else a 0600 file). */
  secretStore: SecretStore;
  /** Last known Docker status (refreshed by pages that show it). */
  dockerStatus: () => Promise<DockerStatus>;
  routes: RouteTable;
  /** The last proof that containers reach the hub (F10), once one ran. */
  addressProof: () => AddressProof | undefined;
  /** LAN sharing: listeners on this machine's LAN addresses beside loopback (settings screen). */
  lan: {
    state(): LanState & { candidates: string[]; port: number | undefined };
    /** Validates, applies and remembers the addresses to share on (empty = off). */
    set(addresses: unknown): Promise<LanState>;
  };
  /** Asked by POST /hub/api/shutdown; whoever runs the hub decides how to exit. */
  requestShutdown: (o: { stopServers: boolean }) => void;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}
