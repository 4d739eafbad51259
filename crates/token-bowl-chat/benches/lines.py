"""How much memory one call touches: for `calls.sh lines`.

Reads `valgrind --tool=lackey --trace-mem=yes` logs of `calls --profile WHO
CALL N` run with `CALLS_MARKER=1` (which prints the address of the static
read before each call, and of a local on the stack), splits each trace into
calls at the marker's reads, and prints, per call (the median over the calls
after the first 20, once pools and caches are warm):

- the distinct 64-byte lines the call touches: its working set, what a data
  cache must hold so that the next call misses nothing;
- of those, the lines on the stack, and how deep below the loop's frame the
  stack went.

Usage: lines.py OUT_DIR CALL WHO... (the traces OUT_DIR/lackey.CALL.WHO,
the bench's own output OUT_DIR/marker.CALL.WHO)
"""

import re
import statistics
import sys

NAMES = {"0": "bare", "1": "SDK", "2": "generated", "3": "api()", "4": "bare+settings"}
CALLS = ["GET /users/me", "GET /messages (50)", "POST /messages"]
LINE = 64
# The stack: from the local the bench prints, up to 64 KiB above it (the
# runtime's own frames) and down as deep as any call goes.
STACK_ABOVE = 64 * 1024
STACK_BELOW = 8 * 1024 * 1024


def calls_of(trace, output):
    """Each call's set of touched lines, and the stack's mark."""
    with open(output) as printed:
        found = re.search(r"marker (0x[0-9a-f]+) stack (0x[0-9a-f]+)", printed.read())
    if not found:
        sys.exit(f"{output}: no marker line (run with CALLS_MARKER=1)")
    marker, stack = (int(x, 16) for x in found.groups())
    calls, current = [], None
    with open(trace) as log:
        for record in log:
            kind = record[:3].strip()
            if kind not in ("L", "S", "M"):
                continue
            address = int(record[3:].split(",", 1)[0], 16)
            if kind == "L" and address == marker:
                if current is not None:
                    calls.append(current)
                current = set()
            elif current is not None:
                current.add(address // LINE)
    return calls[20:], stack


def measure(out, call, who):
    """Median lines per call, stack lines, and stack depth in KiB."""
    trace = f"{out}/lackey.{call}.{who}"
    calls, stack = calls_of(trace, f"{out}/marker.{call}.{who}")
    if not calls:
        sys.exit(f"{trace}: fewer than 21 calls")
    low, high = (stack - STACK_BELOW) // LINE, (stack + STACK_ABOVE) // LINE
    total, on_stack, depth = [], [], []
    for lines in calls:
        stack_lines = [line for line in lines if low <= line <= high]
        total.append(len(lines))
        on_stack.append(len(stack_lines))
        depth.append((stack // LINE - min(stack_lines)) * LINE / 1024 if stack_lines else 0)
    return [statistics.median(v) for v in (total, on_stack, depth)]


def main():
    out, call, whos = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = {who: measure(out, call, who) for who in whos}
    base = rows.get("0")
    print(f"\n{CALLS[int(call)]}, current-thread, sequential: per call")
    print(f"{'':<22}" + "".join(f"{NAMES[w]:>18}" for w in whos))
    labels = ["lines touched", "of them on the stack", "stack depth (KiB)"]
    for k, label in enumerate(labels):
        line = f"{label:<22}"
        for who in whos:
            value = rows[who][k]
            ratio = f" ({value / base[k]:.2f}×)" if base and base[k] and who != "0" else ""
            line += f"{value:>10,.1f}{ratio:>8}" if k == 2 else f"{value:>10,.0f}{ratio:>8}"
        print(line)
    if base:
        for who in whos:
            if who != "0":
                extra = rows[who][0] - base[0]
                print(f"{NAMES[who]}: {extra:+,.0f} lines ({extra * LINE / 1024:+.1f} KiB) a call")


if __name__ == "__main__":
    main()
