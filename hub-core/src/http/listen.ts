import type http from 'node:http';
import type net from 'node:net';

/** Listens and resolves the bound port; errors (EADDRINUSE, EADDRNOTAVAIL…) reject. */
export function listen(server: http.Server, port: number, ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, ip);
  });
}

/** Closes a listener and its open connections (keep-alive ones too). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
