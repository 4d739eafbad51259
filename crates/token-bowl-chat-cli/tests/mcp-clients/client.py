"""Drives `token-bowl mcp` with the official Python MCP client (`mcp` on PyPI).

Run by the CLI's `cargo test` (tests/mcp.rs), which checks what it prints:
one JSON object per line, `{"step": NAME, "result": <the tool result as sent
on the wire>}` or `{"step": NAME, "error": {"code", "message"}}` for a
protocol error, plus `{"step": "list_tools", "tools": [...]}`.

    client.py tools|bad --stdio TOKEN_BOWL_BIN BASE_URL --peer NAME
    client.py tools|bad --http URL --peer NAME
    client.py converse --stdio TOKEN_BOWL_BIN BASE_URL --keys KEY_A KEY_B --names A B

The API key for `--stdio` comes from TOKEN_BOWL_CHAT_API_KEY in the
environment, passed on to the server process.
"""

import argparse
import contextlib
import json
import os
import sys
import time

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def wire(model):
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


@contextlib.asynccontextmanager
async def session(args, key=None):
    if args.stdio:
        binary, base_url = args.stdio
        env = {"TOKEN_BOWL_CHAT_API_KEY": key or os.environ["TOKEN_BOWL_CHAT_API_KEY"]}
        for name in ("PATH", "TOKEN_BOWL_CHAT_REALTIME_URL"):
            if name in os.environ:
                env[name] = os.environ[name]
        params = StdioServerParameters(
            command=binary, args=["--base-url", base_url, "mcp", *args.server_arg], env=env
        )
        transport = stdio_client(params)
    else:
        transport = streamable_http_client(args.http)
    async with transport as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as s:
            await s.initialize()
            yield s


async def call(s, step, name, arguments):
    try:
        result = await s.call_tool(name, arguments)
        emit(step, result=wire(result))
        return result
    except MCPError as e:
        emit(step, error={"code": e.error.code, "message": e.error.message})
        return None


def structured(result):
    return wire(result).get("structuredContent", {}) if result is not None else {}


async def tools(args):
    async with session(args) as s:
        listed = await s.list_tools()
        emit("list_tools", tools=[wire(t) for t in listed.tools])
        await call(s, "whoami", "whoami", {})
        await call(s, "send_room", "send_message", {"content": "hello from the python client"})
        await call(s, "send_direct", "send_message", {"content": "psst", "to": args.peer})
        first = await call(s, "read", "read_messages", {"limit": 1})
        more = structured(first).get("continuation")
        if more:
            await call(s, "read_more", "read_messages", {"limit": 1, "continuation": more})
        await call(s, "read_direct", "read_messages", {"direct": True, "limit": 5})
        waited = await call(s, "wait", "wait_for_messages", {"timeout_s": 10, "direct": True})
        await call(s, "wait_again", "wait_for_messages", {"timeout_s": 0.5, "direct": True})
        await call(s, "list_users", "list_users", {})
        await call(s, "list_online", "list_users", {"online": True})
        await call(s, "unread", "unread", {})
        ids = [m["id"] for m in structured(waited).get("messages", [])][:1]
        await call(s, "mark_ids", "mark_read", {"ids": ids})
        await call(s, "mark_all", "mark_read", {"all": True})
        await call(s, "typing_room", "typing", {})
        await call(s, "typing_direct", "typing", {"to": args.peer})
        # A wait cancelled by the client (anyio cancels the call and the SDK
        # sends notifications/cancelled): the session goes on at once.
        started = time.monotonic()
        with anyio.move_on_after(0.5):
            await s.call_tool("wait_for_messages", {"timeout_s": 60})
        await call(s, "after_cancel", "whoami", {})
        emit("cancel", elapsed_s=time.monotonic() - started)


async def bad(args):
    async with session(args) as s:
        await call(s, "wrong_type", "wait_for_messages", {"timeout_s": "soon"})
        await call(s, "missing_field", "send_message", {})
        await call(s, "unknown_field", "send_message", {"content": "hi", "channel": "x"})
        await call(s, "empty", "send_message", {"content": ""})
        await call(s, "oversized", "send_message", {"content": "x" * 10001})
        await call(s, "unknown_user", "send_message", {"content": "hi", "to": "ghost-of-nobody"})
        await call(s, "unknown_tool", "fly_to_the_moon", {})
        await call(s, "bad_id", "mark_read", {"ids": ["not-an-id"]})
        await call(s, "bad_since", "read_messages", {"since": "yesterday"})
        await call(s, "bad_timeout", "wait_for_messages", {"timeout_s": -1})
        await call(s, "still_alive", "whoami", {})


async def converse(args):
    """Two agents, each through its own server, take turns over direct
    messages; every message must arrive exactly once."""
    (key_a, key_b), (name_a, name_b) = args.keys, args.names
    async with session(args, key_a) as a, session(args, key_b) as b:
        agents = [(a, name_a, name_b), (b, name_b, name_a)]
        received = {name_a: [], name_b: []}
        sent = {name_a: [], name_b: []}
        for turn in range(6):
            me, my_name, other = agents[turn % 2]
            peer = agents[(turn + 1) % 2][0]
            text = f"turn {turn}: {my_name} to {other}"
            result = await me.call_tool("send_message", {"content": text, "to": other})
            assert not result.is_error, wire(result)
            sent[my_name].append(text)
            started = time.monotonic()
            got = await peer.call_tool("wait_for_messages", {"timeout_s": 20, "direct": True})
            assert not got.is_error, wire(got)
            contents = [m["content"] for m in structured(got)["messages"]]
            emit("turn", turn=turn, sent=text, received=contents,
                 via=structured(got)["via"], waited_s=round(time.monotonic() - started, 3))
            received[other].extend(contents)
        for s, name, _ in agents:
            rest = await s.call_tool("wait_for_messages", {"timeout_s": 2, "direct": True})
            received[name].extend(m["content"] for m in structured(rest)["messages"])
        assert received[name_b] == sent[name_a], (received, sent)
        assert received[name_a] == sent[name_b], (received, sent)
        emit("converse", ok=True, messages=sum(len(v) for v in sent.values()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["tools", "bad", "converse"])
    parser.add_argument("--stdio", nargs=2, metavar=("BIN", "BASE_URL"))
    parser.add_argument("--http", metavar="URL")
    parser.add_argument("--peer", default="bob")
    parser.add_argument("--keys", nargs=2)
    parser.add_argument("--names", nargs=2)
    parser.add_argument("--server-arg", action="append", default=[])
    args = parser.parse_args()
    run = {"tools": tools, "bad": bad, "converse": converse}[args.scenario]
    anyio.run(run, args)


if __name__ == "__main__":
    sys.exit(main())
