#!/usr/bin/env bash
# Bench of `token-bowl agent run` (not a timed test): start time, resident
# memory, CPU per answered message, and the time from a message's arrival
# at the server to the model request, against the real server (TB_REAL_URL,
# webhooks on loopback) and the stand-in model (no delay).
#
#   cargo build --release -p token-bowl-chat-cli --bin token-bowl
#   cargo build --release -p token-bowl-chat-agent --example standin_model
#   TB_REAL_URL=http://127.0.0.1:18090 crates/token-bowl-chat-agent/benches/agent.sh [MESSAGES] [BIN_DIR]
set -euo pipefail
: "${TB_REAL_URL:?set TB_REAL_URL to a running Token Bowl server}"
n=${1:-20}
bin=${2:-target/release}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
tag=$RANDOM$RANDOM

register() {
  curl -sf -X POST "$TB_REAL_URL/register" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])'
}
agent_key=$(register "bench$tag")
person_key=$(register "person$tag")

"$bin/examples/standin_model" --key sk-bench --model tiny --log >"$work/model.log" &
until [ -s "$work/model.log" ]; do sleep 0.05; done
llm_url=$(head -1 "$work/model.log")

started=$(date +%s%N)
OPENAI_API_KEY=sk-bench "$bin/token-bowl" --base-url "$TB_REAL_URL" -k "$agent_key" agent run \
  --model tiny --llm-url "$llm_url" --webhook 127.0.0.1:0 --batch-window 0 \
  --reply-budget 1000 --similarity-threshold 0 --state "$work/state.jsonl" --format json \
  >"$work/stats.log" 2>"$work/agent.err" &
pid=$!
until grep -q joined "$work/agent.err" 2>/dev/null; do sleep 0.01; done
joined=$(date +%s%N)
echo "time to start (process start to joined): $(( (joined - started) / 1000000 )) ms"

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
python3 - "$TB_REAL_URL" "$person_key" "bench$tag" "$n" "$work/arrivals" <<'PY'
import json, sys, time, urllib.request
from datetime import datetime
url, key, agent, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, headers={"X-API-Key": key, "Content-Type": "application/json"},
                                 data=json.dumps(body).encode() if body else None)
    return json.load(urllib.request.urlopen(req))
with open(out, "w") as f:
    for i in range(n):
        sent = call("POST", "/messages", {"content": f"bench {i}", "to_username": agent})
        at = datetime.fromisoformat(sent["timestamp"]).timestamp() * 1000
        f.write(f"{at:.0f}\n")
        deadline = time.time() + 30
        while time.time() < deadline:
            page = call("GET", "/messages/direct?limit=5")
            if any(m["from_username"] == agent and f"bench {i}" in m["content"] for m in page["messages"]):
                break
            time.sleep(0.02)
        else:
            sys.exit(f"no answer to message {i}")
PY
after=$(ticks)
hz=$(getconf CLK_TCK)
rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
hwm=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
echo "answered: $n messages"
echo "resident memory: ${rss} kB now, ${hwm} kB peak"
echo "CPU per answered message: $(python3 -c "print(f'{($after - $before) * 1000 / $hz / $n:.2f} ms')")"
python3 - "$work/arrivals" "$work/model.log" <<'PY'
import statistics, sys
arrivals = [int(l) for l in open(sys.argv[1])]
requests = [int(l.split()[1]) for l in open(sys.argv[2]) if l.startswith("completion")]
waits = sorted(r - a for a, r in zip(arrivals, requests))
print(f"arrival to model request: median {statistics.median(waits):.0f} ms, max {waits[-1]} ms (n={len(waits)})")
PY
kill -INT "$pid"; wait "$pid" || true
echo "statistics at exit: $(tail -1 "$work/stats.log")"
