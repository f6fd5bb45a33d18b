#!/usr/bin/env bash
# Rate-sweep benchmark (docs/shallow-phase.md): the sweeps of issue 3, each 8 values of W up to
# 1e5 (2-D Taylor also to 1e6), timed end to end on 2 threads. Not part of the tests.
# Usage: bash scripts/bench-rate.sh   (writes Benchmarks/out/rate/*.json and prints a summary)
out=Benchmarks/out/rate
source "$(dirname "$0")/bench-common.sh"
run() {  # name, then rate arguments
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$cli" rate --threads 2 --json "$@" > "$out/$name.json"
  end=$(date +%s.%N)
  python3 - "$out/$name.json" "$name" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); name = sys.argv[2]; seconds = float(sys.argv[4]) - float(sys.argv[3])
f, t = r["fit"], r["theory"]
rows = r["rows"]
expected = t["p_construction"]
print(f"{name:28s} {len(rows):2d} rows  W {rows[0]['W_all']:>7d}..{rows[-1]['W_all']:<8d} p = {f['p']:.3f} [{f['p_low']:.3f}, {f['p_high']:.3f}] vs {f['against']:5s}"
      f"  theory {expected:.3f}  |p - theory| = {abs(f['p'] - expected):.3f}  {seconds:6.1f} s")
PY
}
echo "sweep                        rows  W range            fitted p (95%)              theory   gap          time (2 threads)"
run power-r0.5-d1      --target power --smoothness 0.5 --weights 1e2...1e5
run power-r1-d1        --target power --smoothness 1   --weights 1e2...1e5
run power-r1.5-d1      --target power --smoothness 1.5 --weights 1e2...1e5
run power-r0.5-d2      --target power --smoothness 0.5 --dim 2 --weights 1e2...1e5
run power-r1-d2        --target power --smoothness 1   --dim 2 --weights 1e2...1e5
run power-r1.5-d2      --target power --smoothness 1.5 --dim 2 --weights 1e2...1e5
run power-r1.5-d2-1e6  --target power --smoothness 1.5 --dim 2 --weights 1e3...1e6 --points 6
run lacunary-r0.5-d1   --target lacunary --smoothness 0.5 --weights 1e2...1e5
run taylor-sine-d1     --target smooth-sine --smoothness 2 --construction taylor --weights 1e3...1e5
run taylor-sine-d2     --target smooth-sine --smoothness 2 --dim 2 --construction taylor --weights 1e3...1e5 --grid any
run taylor-sine-d2-1e6 --target smooth-sine --smoothness 2 --dim 2 --construction taylor --weights 5e4...1e6 --points 3
