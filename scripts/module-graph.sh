#!/usr/bin/env bash
# The library's module graph from Package.swift (docs/architecture.md): each target with the
# targets it depends on, bottom floor first, and a check that the graph has no cycle.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package describe --type json 2>/dev/null | python3 -c '
import json, sys
targets = {t["name"]: t.get("target_dependencies", []) for t in json.load(sys.stdin)["targets"]}
order, state = [], {}
def visit(t, path):
    if state.get(t) == 1: sys.exit("cycle: " + " -> ".join(path + [t]))
    if state.get(t) == 2: return
    state[t] = 1
    for d in targets.get(t, []): visit(d, path + [t])
    state[t] = 2; order.append(t)
for t in sorted(targets): visit(t, [])
for t in order: print("%-22s -> %s" % (t, ", ".join(targets[t]) or "(none in the package)"))
print("%d targets, no cycle (depth-first search over target_dependencies)" % len(order))
'
