#!/usr/bin/env bash
# The `calls` bench against two canned servers: the bench's own (hyper-free,
# a child process) and nginx (Debian's `nginx-light`), which this script
# starts on a free loopback port with the same bodies.
#
#   benches/calls.sh instructions [WHO...]   callgrind counts per call
#   benches/calls.sh cache [WHO...]          cachegrind misses per call
#   benches/calls.sh wall [RUNS]              CPU per call, wall-clock bench
#
# (`CALLS_BIN=PATH` runs a `calls` binary built elsewhere instead.)
#
# `instructions`: for each server, runtime (current-thread; multi-thread with
# 2 workers, the calls in spawned tasks) and cell (sequential, 8 concurrent),
# the instructions per call of each client (WHO: 0 bare reqwest + serde_json,
# 1 the SDK, 2 the generated client alone, 3 `Client::api()`, 4 bare
# reqwest with the SDK's client settings; default 0 1), as the slope between 200 and
# 1200 calls, so that start-up cancels out. Only this process is counted:
# valgrind does not follow the server. Two runs at a time (counts do not
# depend on load). On the multi-thread runtime the count still depends on
# how the scheduler interleaves the workers (about ±2 % between runs), so
# those cells are the median of 3 runs.
#
# `cache`: the same slope (200 -> 1200 calls) under `valgrind
# --tool=cachegrind --cache-sim=yes --branch-sim=yes`, for the sequential
# cell on both runtimes: instructions, I1 misses, D1 misses, last-level
# misses and branch mispredictions per call, each as × bare (no ratio where
# bare has fewer than 10 a call: last-level misses, once all is cached, are
# about none). The simulated
# caches are the host's, so the counts repeat on one machine whatever its
# load. The cells: `GET /users/me` and `POST /messages`
# (`CACHE_CALLS="0 1 2"` adds the page of 50), against the bench's own
# server (`CACHE_SERVERS="own nginx"` adds nginx); multi-thread cells are
# the median of 3 runs. `CACHE_KEEP=DIR` keeps the cachegrind.out files
# (`cg_annotate DIR/cachegrind.out.own.current.0.1.1200.1`).
#
# `lines`: why D1 misses differ. Each client's sequential calls under
# `valgrind --tool=lackey --trace-mem=yes`, split into calls at a marker the
# bench reads before each: the distinct 64-byte lines one call touches (its
# working set: a D1 cache smaller than that misses on every call), how many
# of them are on the stack, and how deep the stack goes (benches/lines.py).
# Current-thread runtime, the bench's own server, `me()` and
# `send_message()` (`CACHE_CALLS`, `LINES_CALLS=N` calls, default 60).
#
# `wall`: the bench's own table (`-- --bench --multi`), RUNS times (default
# 3) against each server; take the medians of the runs.
set -euo pipefail
cd "$(dirname "$0")/../../.."

mode=${1:-instructions}
shift || true
if ! command -v nginx >/dev/null; then
  echo "nginx is not installed: apt-get install nginx-light" >&2
  exit 1
fi

# CALLS_BIN: a `calls` binary built elsewhere (another commit, to compare).
bin=${CALLS_BIN:-}
[ -n "$bin" ] || bin=$(cargo bench -p token-bowl-chat --bench calls --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "calls" and m.get("executable"):
        print(m["executable"])')

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work"/{body,proxy,fastcgi,uwsgi,scgi}
"$bin" --nginx-conf "$work" "$port" >"$work/nginx.conf"
# nginx's workers run as `nobody` when it is started as root.
chmod -R a+rX "$work"
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  if curl -sf "http://127.0.0.1:$port/users/me" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
nginx_url="http://127.0.0.1:$port"

case "$mode" in
instructions)
  whos=("$@")
  [ ${#whos[@]} -gt 0 ] || whos=(0 1)
  count() { # ARGS... -> instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
      grep -o 'Collected : [0-9]*' | grep -o '[0-9]*$'
  }
  jobs_file="$work/jobs"
  : >"$jobs_file"
  for server in own nginx; do
    for runtime in current multi; do
      for tasks in 1 8; do
        for call in 0 1 2; do
          reps=1
          [ "$runtime" = multi ] && reps=3
          for who in "${whos[@]}"; do
            for rep in $(seq $reps); do
              for n in 200 1200; do
                echo "$server $runtime $tasks $call $who $n $rep" >>"$jobs_file"
              done
            done
          done
        done
      done
    done
  done
  export -f count
  export bin nginx_url
  # shellcheck disable=SC2016
  xargs -P 2 -L 1 bash -c '
    server=$0 runtime=$1 tasks=$2 call=$3 who=$4 n=$5 rep=$6
    args=(--profile "$who" "$call" "$n" --tasks "$tasks")
    [ "$runtime" = multi ] && args+=(--multi)
    [ "$server" = nginx ] && args+=(--base "$nginx_url")
    echo "$server $runtime $tasks $call $who $n $rep $(count "${args[@]}")"
  ' <"$jobs_file" >"$work/counts"
  python3 - "$work/counts" "${whos[@]}" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
whos = sys.argv[2:]
names = {"0": "bare", "1": "SDK", "2": "generated", "3": "api()", "4": "bare+settings"}
calls = ["GET /users/me", "GET /messages (50)", "POST /messages"]
count = {tuple(r[:7]): int(r[7]) for r in rows}
print("instructions per call (slope 200 -> 1200 calls; multi-thread: median of 3 runs);")
print("× bare in brackets")
for server in ["own", "nginx"]:
    for runtime in ["current", "multi"]:
        print(f"\nserver: {server}, runtime: {runtime}-thread")
        print(f"{'call':<20} {'cell':<13}" + "".join(f"{names[w]:>22}" for w in whos))
        for call in range(3):
            for tasks, cell in [("1", "sequential"), ("8", "8 concurrent")]:
                per = {}
                for w in whos:
                    reps = sorted({r[6] for r in rows if r[:5] == [server, runtime, tasks, str(call), w]})
                    key = lambda n, rep: (server, runtime, tasks, str(call), w, n, rep)
                    per[w] = statistics.median(
                        (count[key("1200", rep)] - count[key("200", rep)]) / 1000 for rep in reps
                    )
                base = per.get("0")
                line = f"{calls[call]:<20} {cell:<13}"
                for w in whos:
                    ratio = f" ({per[w] / base:.3f}×)" if base else ""
                    line += f"{per[w]:>13,.0f}{ratio:>9}"
                print(line)
PY
  ;;
cache)
  whos=("$@")
  [ ${#whos[@]} -gt 0 ] || whos=(0 1)
  keep=${CACHE_KEEP:-$work}
  mkdir -p "$keep"
  jobs_file="$work/jobs"
  : >"$jobs_file"
  for server in ${CACHE_SERVERS:-own}; do
    for runtime in current multi; do
      for call in ${CACHE_CALLS:-0 2}; do
        reps=1
        [ "$runtime" = multi ] && reps=3
        for who in "${whos[@]}"; do
          for rep in $(seq $reps); do
            for n in 200 1200; do
              echo "$server $runtime $call $who $n $rep" >>"$jobs_file"
            done
          done
        done
      done
    done
  done
  export bin nginx_url keep
  # shellcheck disable=SC2016
  xargs -P 2 -L 1 bash -c '
    server=$0 runtime=$1 call=$2 who=$3 n=$4 rep=$5
    args=(--profile "$who" "$call" "$n")
    [ "$runtime" = multi ] && args+=(--multi)
    [ "$server" = nginx ] && args+=(--base "$nginx_url")
    out="$keep/cachegrind.out.$server.$runtime.$call.$who.$n.$rep"
    summary=$(valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
      --cachegrind-out-file="$out" "$bin" "${args[@]}" 2>&1 |
      sed -n "s/^==[0-9]*== \(I *refs\|I1 *misses\|D1 *misses\|LL misses\|Mispredicts\): *\([0-9,]*\).*/\2/p" |
      tr -d , | tr "\n" " ")
    echo "$server $runtime $call $who $n $rep $summary"
  ' <"$jobs_file" >"$work/counts"
  python3 - "$work/counts" "${whos[@]}" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
whos = sys.argv[2:]
names = {"0": "bare", "1": "SDK", "2": "generated", "3": "api()", "4": "bare+settings"}
calls = ["GET /users/me", "GET /messages (50)", "POST /messages"]
kinds = ["instructions", "I1 misses", "D1 misses", "LL misses", "mispredicts"]
count = {tuple(r[:6]): [int(v) for v in r[6:11]] for r in rows}
print("per call under cachegrind (slope 200 -> 1200 calls; multi-thread: median of 3 runs);")
print("× bare in brackets")
for server in sorted({r[0] for r in rows}, reverse=True):
    for runtime in ["current", "multi"]:
        for call in sorted({r[2] for r in rows}):
            print(f"\nserver: {server}, runtime: {runtime}-thread, {calls[int(call)]}, sequential")
            print(f"{'':<14}" + "".join(f"{names[w]:>22}" for w in whos))
            per = {}
            for w in whos:
                reps = sorted({r[5] for r in rows if r[:4] == [server, runtime, call, w]})
                key = lambda n, rep: (server, runtime, call, w, n, rep)
                per[w] = [
                    statistics.median(
                        (count[key("1200", rep)][k] - count[key("200", rep)][k]) / 1000
                        for rep in reps
                    )
                    for k in range(len(kinds))
                ]
            for k, kind in enumerate(kinds):
                base = per.get("0", [0] * len(kinds))[k]
                line = f"{kind:<14}"
                for w in whos:
                    # (A ratio of a few misses per call, e.g. last-level
                    # ones once everything is cached, would be noise.)
                    ratio = f" ({per[w][k] / base:.3f}×)" if abs(base) >= 10 else ""
                    line += f"{per[w][k]:>13,.0f}{ratio:>9}"
                print(line)
PY
  ;;
lines)
  whos=("$@")
  [ ${#whos[@]} -gt 0 ] || whos=(0 1)
  echo "lines each call touches (valgrind --tool=lackey; calls 21 to ${LINES_CALLS:-60}, medians)"
  for call in ${CACHE_CALLS:-0 2}; do
    traced=()
    for who in "${whos[@]}"; do
      CALLS_MARKER=1 valgrind --tool=lackey --trace-mem=yes --log-file="$work/lackey.$call.$who" \
        "$bin" --profile "$who" "$call" "${LINES_CALLS:-60}" 2>"$work/marker.$call.$who" >/dev/null &
      traced+=($!)
    done
    # (Not a bare `wait`: nginx runs in the background too.)
    wait "${traced[@]}"
    python3 crates/token-bowl-chat/benches/lines.py "$work" "$call" "${whos[@]}"
    rm -f "$work"/lackey.* "$work"/marker.*
  done
  ;;
wall)
  runs=${1:-3}
  for server in own nginx; do
    for run in $(seq "$runs"); do
      echo "== server: $server, run $run of $runs"
      if [ "$server" = nginx ]; then
        "$bin" --bench --multi --base "$nginx_url"
      else
        "$bin" --bench --multi
      fi
    done
  done
  ;;
*)
  echo "usage: $0 instructions [WHO...] | cache [WHO...] | lines [WHO...] | wall [RUNS]" >&2
  exit 2
  ;;
esac
