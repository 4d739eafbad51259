#!/usr/bin/env bash
# Side-by-side bench (not a timed test, not run by `cargo test`) of
# `token-bowl agent run` in real-time mode and the Python `token-bowl-agent`
# of token-bowl-chat-agent 1.0.0 (PyPI), on the same Token Bowl server with
# real time and the same stand-in model (no delay). The Python agent's model
# URL is fixed to OpenRouter in its code; py_agent_standin.py (beside this
# script) points it at the stand-in and changes nothing else.
#
# Needs: a real server (TB_REAL_URL) whose Centrifugo works, e.g. the
# `fake-centrifugo` binary of this workspace given to the server as
# CENTRIFUGO_API_URL=http://API/api and CENTRIFUGO_WS_URL=ws://WS/connection/websocket;
# the release builds
#   cargo build --release -p token-bowl-chat-cli --bin token-bowl
#   cargo build --release -p token-bowl-chat-agent --example standin_model
# and a Python with `pip install token-bowl-chat-agent==1.0.0` (PY_AGENT_PYTHON).
#
#   TB_REAL_URL=http://127.0.0.1:18190 PY_AGENT_PYTHON=venv/bin/python \
#     crates/token-bowl-chat-agent/benches/vs_python.sh [MESSAGES=60] [RUNS=3] [BIN_DIR=target/release]
#
# Each run registers a fresh agent account (a member: both agents answer
# direct messages) and a person, starts a stand-in model that logs when each
# completion request arrives, starts one agent, and measures:
# - time to start: process start until the agent says it is connected and
#   running (ours: "joined (real time)"; Python: "Agent running!");
# - one warm-up message, then MESSAGES direct messages, each sent a random
#   0-1 s after the previous one was answered (the person polls for the
#   answer; the pause keeps the Python agent's once-a-second queue check
#   from lining up with the sends);
# - CPU per answered message: utime+stime of the agent process (all its
#   threads, /proc/PID/stat, clock ticks) over those messages, divided by
#   their number;
# - peak resident memory: VmHWM of the agent process after the last answer;
# - arrival to model request: the server's timestamp of each message until
#   the stand-in received the completion request for it (median and p90).
# Settings that keep both agents answering every message at once: ours
# --batch-window 0, no similarity check, a large reply budget; Python
# --queue-interval 0 (its queue is still looked at once a second), no MCP,
# no cooldown, a short instruction and random texts so that its fixed 0.85
# similarity check does not hold answers back.
# Prints one RESULT line per agent and run, then the medians over the runs.
set -euo pipefail
: "${TB_REAL_URL:?set TB_REAL_URL to a running Token Bowl server with real time}"
: "${PY_AGENT_PYTHON:?set PY_AGENT_PYTHON to a Python with token-bowl-chat-agent 1.0.0}"
n=${1:-60}
runs=${2:-3}
bin=${3:-target/release}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)

register() {
  curl -sf -X POST "$TB_REAL_URL/register" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])'
}

# drive KEY AGENT COUNT ARRIVALS: sends COUNT direct messages with random
# texts, each after the previous one was answered; writes the server's
# timestamp of each (unix ms) to ARRIVALS.
drive() {
  python3 - "$TB_REAL_URL" "$@" <<'PY'
import json, random, string, sys, time, urllib.request
from datetime import datetime
url, key, agent, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"X-API-Key": key, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
def at(m):
    return datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")).timestamp()
def answered(since):
    page = call("GET", "/messages/direct?limit=5")
    return any(m["from_username"] == agent and at(m) > since for m in page["messages"])
with open(out, "a") as f:
    for i in range(n):
        time.sleep(random.random())
        text = "".join(random.choice(string.ascii_lowercase + "      ") for _ in range(160))
        sent = call("POST", "/messages", {"content": text, "to_username": agent})
        f.write(f"{at(sent) * 1000:.0f}\n")
        deadline = time.time() + 60
        while not answered(at(sent)):
            if time.time() > deadline:
                sys.exit(f"no answer to message {i}")
            time.sleep(0.02)
PY
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# one KIND (rust|python): prints a RESULT line.
one() {
  local kind=$1 tag=$RANDOM$RANDOM dir="$work/$1-$RANDOM"
  mkdir -p "$dir"
  local agent_name="vs$kind$tag" agent_key person_key llm_url pid started ready marker
  agent_key=$(register "$agent_name")
  person_key=$(register "person$tag")
  "$bin/examples/standin_model" --key sk-bench --model tiny --log >"$dir/model.log" &
  local model_pid=$!
  until [ -s "$dir/model.log" ]; do sleep 0.05; done
  llm_url=$(head -1 "$dir/model.log")
  started=$(date +%s%N)
  if [ "$kind" = rust ]; then
    marker="joined (real time)"
    OPENAI_API_KEY=sk-bench "$bin/token-bowl" --base-url "$TB_REAL_URL" -k "$agent_key" agent run \
      --model tiny --llm-url "$llm_url" --batch-window 0 --reply-budget 100000 \
      --similarity-threshold 0 --state "$dir/state.jsonl" --format json \
      >"$dir/agent.out" 2>&1 &
  else
    marker="Agent running!"
    STANDIN_LLM_URL=$llm_url OPENROUTER_API_KEY=sk-bench PYTHONUNBUFFERED=1 COLUMNS=200 \
      setsid "$PY_AGENT_PYTHON" "$here/py_agent_standin.py" run -k "$agent_key" -m tiny \
      --server "$TB_REAL_URL" --queue-interval 0 --cooldown-messages 1000000 --no-mcp \
      --user "Reply briefly." >"$dir/agent.out" 2>&1 &
  fi
  pid=$!
  until grep -q "$marker" "$dir/agent.out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/agent.out" >&2; exit 1; }
    sleep 0.01
  done
  ready=$(date +%s%N)
  drive "$person_key" "$agent_name" 1 "$dir/arrivals"
  local before after
  before=$(ticks "$pid")
  drive "$person_key" "$agent_name" "$n" "$dir/arrivals"
  after=$(ticks "$pid")
  local hwm
  hwm=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
  # Ours stops cleanly on SIGINT; the Python agent, in a session of its own
  # (its Ctrl-C handling reaches this script otherwise), gets SIGTERM.
  if [ "$kind" = rust ]; then kill -INT "$pid"; else kill -TERM "$pid"; fi
  wait "$pid" 2>/dev/null || true
  kill "$model_pid"; wait "$model_pid" 2>/dev/null || true
  python3 - "$kind" "$(( (ready - started) / 1000000 ))" "$hwm" "$(( after - before ))" "$hz" "$n" \
    "$dir/arrivals" "$dir/model.log" <<'PY'
import statistics, sys
kind, start_ms, hwm, ticks, hz, n, arrivals, log = sys.argv[1:]
arr = [int(l) for l in open(arrivals)][1:]
req = [int(l.split()[1]) for l in open(log) if l.startswith("completion")][1:]
if len(req) != len(arr):
    sys.exit(f"{kind}: {len(arr)} messages but {len(req)} model requests")
waits = sorted(r - a for a, r in zip(arr, req))
p90 = waits[min(len(waits) - 1, int(0.9 * len(waits)))]
cpu = int(ticks) * 1000 / int(hz) / int(n)
print(f"RESULT {kind} start_ms={start_ms} peak_rss_kb={hwm} cpu_ms_per_msg={cpu:.2f} "
      f"arrival_to_model_p50_ms={statistics.median(waits):.0f} p90_ms={p90}", flush=True)
PY
}

for _ in $(seq "$runs"); do
  one rust | tee -a "$work/results"
  one python | tee -a "$work/results"
done
python3 - "$work/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows.setdefault(parts[1], []).append({k: float(v) for k, v in (p.split("=") for p in parts[2:])})
print(f"medians over {len(rows['rust'])} runs:")
for key in rows["rust"][0]:
    r = statistics.median(x[key] for x in rows["rust"])
    p = statistics.median(x[key] for x in rows["python"])
    print(f"  {key:28} rust {r:10.2f}   python {p:10.2f}   ratio {p / r if r else float('inf'):.1f}x")
PY
