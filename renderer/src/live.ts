import { useEffect, useState } from 'react';
import type { ServerSummary } from './api';

/** Server states pushed by the hub (server-sent events); reconnects by itself after a hub restart. */
export function useLiveServers(initial: ServerSummary[] = []): {
  servers: ServerSummary[];
  connected: boolean;
} {
  const [servers, setServers] = useState(initial);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const es = new EventSource('/hub/ui/api/live');
    es.addEventListener('servers', (e) => {
      setServers(JSON.parse((e as MessageEvent<string>).data) as ServerSummary[]);
      setConnected(true);
    });
    es.onerror = () => setConnected(false);
    return () => es.close();
  }, []);
  return { servers, connected };
}
