#!/usr/bin/env python3
"""Timeline of the bench's durable CSV writes, from an strace log (docs/simulator.md, "The disk starts early").

Run (release build):
    strace -f -tt -T -e trace=fsync,fdatasync,rename,openat -o /tmp/st.txt \
        .build/release/driftlab bench --only sim --jobs 2
    python3 docs/bench/sync_timeline.py /tmp/st.txt

For each of the bench's three CSV writes it prints, in ms after production.csv's temporary file is
opened: the first background fdatasync, the start of the finish (the first sync of reference.csv,
fd 6: `startFinishing`'s fdatasync, or the old writer's fsync), the rename of scenario.resolved.json
(the last step), and the tail between the last two.
"""
import sys


def seconds(stamp):
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def main(path):
    runs, cur = [], None
    for line in open(path):
        parts = line.split()
        if len(parts) < 3:
            continue
        t = seconds(parts[1])
        if "openat" in line and "production.csv.tmp" in line:
            cur = {"open": t}
        elif cur is None:
            continue
        elif "fdatasync(" in line and "first" not in cur:
            cur["first"] = t
        if cur is not None and ("fsync(6" in line or "fdatasync(6" in line) and "finish" not in cur:
            cur["finish"] = t
        if cur is not None and "rename" in line and "scenario.resolved" in line:
            cur["end"] = t
            runs.append(cur)
            cur = None
    for r in runs:
        ms = lambda k: 1e3 * (r[k] - r["open"])
        print("first sync +%.1f ms, finish starts +%.1f ms, end +%.1f ms, tail %.1f ms"
              % (ms("first"), ms("finish"), ms("end"), ms("end") - ms("finish")))


if __name__ == "__main__":
    main(sys.argv[1])
