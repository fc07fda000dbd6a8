// The backend behind every proxy: a small HTTP answer and a websocket echo, in its own process so the
// proxies and the load generator are measured against the same thing.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const body = JSON.stringify({ ok: true, from: 'bench backend', padding: 'x'.repeat(64) });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
