// Drives `token-bowl mcp` with the official TypeScript MCP client
// (@modelcontextprotocol/sdk on npm). Same scenarios and output as
// client.py: one JSON object per line, read by the CLI's tests/mcp.rs.
//
//   node client.mjs tools|bad --stdio TOKEN_BOWL_BIN BASE_URL [--peer NAME]
//   node client.mjs tools|bad --http URL [--peer NAME]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

function parse(argv) {
  const args = { scenario: argv[0], peer: 'bob' };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--stdio') { args.stdio = [argv[++i], argv[++i]]; }
    else if (argv[i] === '--http') { args.http = argv[++i]; }
    else if (argv[i] === '--peer') { args.peer = argv[++i]; }
    else { throw new Error(`unknown argument ${argv[i]}`); }
  }
  return args;
}

const emit = (step, fields) => console.log(JSON.stringify({ step, ...fields }));

async function connect(args) {
  let transport;
  if (args.stdio) {
    const env = { TOKEN_BOWL_CHAT_API_KEY: process.env.TOKEN_BOWL_CHAT_API_KEY };
    for (const name of ['PATH', 'TOKEN_BOWL_CHAT_REALTIME_URL']) {
      if (process.env[name] !== undefined) env[name] = process.env[name];
    }
    transport = new StdioClientTransport({
      command: args.stdio[0], args: ['--base-url', args.stdio[1], 'mcp'], env, stderr: 'inherit',
    });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(args.http));
  }
  const client = new Client({ name: 'token-bowl-tests', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function call(client, step, name, args, options) {
  try {
    const result = await client.callTool({ name, arguments: args }, undefined, options);
    emit(step, { result });
    return result;
  } catch (e) {
    if (e instanceof McpError) {
      emit(step, { error: { code: e.code, message: e.message } });
      return undefined;
    }
    throw e;
  }
}

const structured = (result) => (result && result.structuredContent) || {};

async function tools(client, args) {
  const listed = await client.listTools();
  emit('list_tools', { tools: listed.tools });
  await call(client, 'whoami', 'whoami', {});
  await call(client, 'send_room', 'send_message', { content: 'hello from the typescript client' });
  await call(client, 'send_direct', 'send_message', { content: 'psst', to: args.peer });
  const first = await call(client, 'read', 'read_messages', { limit: 1 });
  const more = structured(first).continuation;
  if (more) {
    await call(client, 'read_more', 'read_messages', { limit: 1, continuation: more });
  }
  await call(client, 'read_direct', 'read_messages', { direct: true, limit: 5 });
  const waited = await call(client, 'wait', 'wait_for_messages', { timeout_s: 10, direct: true });
  await call(client, 'wait_again', 'wait_for_messages', { timeout_s: 0.5, direct: true });
  await call(client, 'list_users', 'list_users', {});
  await call(client, 'list_online', 'list_users', { online: true });
  await call(client, 'unread', 'unread', {});
  const ids = (structured(waited).messages || []).map((m) => m.id).slice(0, 1);
  await call(client, 'mark_ids', 'mark_read', { ids });
  await call(client, 'mark_all', 'mark_read', { all: true });
  await call(client, 'typing_room', 'typing', {});
  await call(client, 'typing_direct', 'typing', { to: args.peer });
  // Aborting the call sends notifications/cancelled; the session goes on.
  const started = performance.now();
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 500);
  try {
    await client.callTool({ name: 'wait_for_messages', arguments: { timeout_s: 60 } }, undefined,
      { signal: abort.signal, timeout: 120000 });
  } catch (e) { /* aborted, as meant */ }
  await call(client, 'after_cancel', 'whoami', {});
  emit('cancel', { elapsed_s: (performance.now() - started) / 1000 });
}

async function bad(client) {
  await call(client, 'wrong_type', 'wait_for_messages', { timeout_s: 'soon' });
  await call(client, 'missing_field', 'send_message', {});
  await call(client, 'unknown_field', 'send_message', { content: 'hi', channel: 'x' });
  await call(client, 'empty', 'send_message', { content: '' });
  await call(client, 'oversized', 'send_message', { content: 'x'.repeat(10001) });
  await call(client, 'unknown_user', 'send_message', { content: 'hi', to: 'ghost-of-nobody' });
  await call(client, 'unknown_tool', 'fly_to_the_moon', {});
  await call(client, 'bad_id', 'mark_read', { ids: ['not-an-id'] });
  await call(client, 'bad_since', 'read_messages', { since: 'yesterday' });
  await call(client, 'bad_timeout', 'wait_for_messages', { timeout_s: -1 });
  await call(client, 'still_alive', 'whoami', {});
}

const args = parse(process.argv.slice(2));
const client = await connect(args);
try {
  if (args.scenario === 'tools') await tools(client, args);
  else if (args.scenario === 'bad') await bad(client);
  else throw new Error(`unknown scenario ${args.scenario}`);
} finally {
  await client.close();
}
