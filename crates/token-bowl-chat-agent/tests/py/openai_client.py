"""Checks the stand-in model server with the official `openai` client.

Usage: openai_client.py BASE_URL KEY MODEL
Prints one line per check and `all checks passed` at the end.
"""

import sys
import time

import openai

base, key, model = sys.argv[1:4]
client = openai.OpenAI(base_url=base, api_key=key, max_retries=0)

ids = [m.id for m in client.models.list()]
assert model in ids, ids
print("models.list:", ids)

answer = client.chat.completions.create(
    model=model, messages=[{"role": "user", "content": "hello"}], max_tokens=50
)
choice = answer.choices[0]
assert choice.message.content == "answer to: hello", choice
assert choice.finish_reason == "stop", choice.finish_reason
assert answer.usage.prompt_tokens > 0 and answer.usage.total_tokens > 0
print("text answer:", choice.message.content, answer.usage)

tools = [{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]
answer = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": 'call:add {"a": 2, "b": 40}'}],
    tools=tools,
)
choice = answer.choices[0]
assert choice.finish_reason == "tool_calls", choice.finish_reason
call = choice.message.tool_calls[0]
assert call.type == "function" and call.function.name == "add", call
assert call.function.arguments == '{"a": 2, "b": 40}', call.function.arguments
print("tool call:", call.function.name, call.function.arguments)

answer = client.chat.completions.create(
    model=model,
    messages=[
        {"role": "user", "content": "add"},
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "42"},
    ],
    tools=tools,
)
assert answer.choices[0].message.content == "tool result: 42", answer
print("tool result:", answer.choices[0].message.content)

try:
    openai.OpenAI(base_url=base, api_key="sk-wrong", max_retries=0).models.list()
    raise AssertionError("a wrong key was accepted")
except openai.AuthenticationError as e:
    assert e.status_code == 401 and e.code == "invalid_api_key", e
    print("wrong key:", e.code)

try:
    client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    raise AssertionError("an unknown model was accepted")
except openai.NotFoundError as e:
    assert e.code == "model_not_found", e
    print("unknown model:", e.code)

# The Rust side now queues two 429s (Retry-After: 1) for the next calls.
print("ready for faults", flush=True)
sys.stdin.readline()
try:
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x"}])
    raise AssertionError("the 429 was not raised")
except openai.RateLimitError as e:
    assert e.code == "rate_limit_exceeded", e
    assert e.response.headers["retry-after"] == "1", e.response.headers
    print("429:", e.code, "retry-after", e.response.headers["retry-after"])

retrying = openai.OpenAI(base_url=base, api_key=key, max_retries=2)
started = time.monotonic()
answer = retrying.chat.completions.create(model=model, messages=[{"role": "user", "content": "y"}])
took = time.monotonic() - started
assert answer.choices[0].message.content == "answer to: y", answer
assert took >= 0.9, took
print(f"retried after Retry-After: {took:.2f} s")
print("all checks passed")
