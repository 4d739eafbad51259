// Connects Centrifugo's official JavaScript client to a server given on the
// command line and prints what it sees, one JSON object per line, until
// standard input closes. The Rust test (crates/fake-centrifugo/tests/
// official_client.rs) drives the fake server and reads these lines.
//
//   node check.mjs WS_URL TOKEN
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';

const [url, token] = process.argv.slice(2);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

const client = new Centrifuge(url, {
  websocket: WebSocket,
  token,
  minReconnectDelay: 50,
  maxReconnectDelay: 200,
});
client.on('connecting', (ctx) => emit({ event: 'connecting', code: ctx.code, reason: ctx.reason }));
client.on('connected', (ctx) => emit({ event: 'connected', client: ctx.client }));
client.on('disconnected', (ctx) => emit({ event: 'disconnected', code: ctx.code, reason: ctx.reason }));
client.on('error', (ctx) => emit({ event: 'error', message: String(ctx.error && ctx.error.message) }));
client.on('subscribed', (ctx) => emit({
  event: 'subscribed',
  channel: ctx.channel,
  recoverable: ctx.recoverable,
  positioned: ctx.positioned,
  wasRecovering: ctx.wasRecovering,
  recovered: ctx.recovered,
  offset: ctx.streamPosition ? ctx.streamPosition.offset : null,
  epoch: ctx.streamPosition ? ctx.streamPosition.epoch : null,
}));
client.on('publication', (ctx) => emit({
  event: 'publication',
  channel: ctx.channel,
  data: ctx.data,
  offset: ctx.offset ?? null,
}));
client.connect();

process.stdin.resume();
process.stdin.on('end', () => {
  client.disconnect();
  process.exit(0);
});
