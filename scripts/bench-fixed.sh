#!/usr/bin/env bash
# Deep-network evaluation benchmark (docs/performance.md, "Fixed point"): the fixed-point
# evaluator against (a) the MPFR evaluator and (b) a plain C loop of generic mpfr_mul + mpfr_add,
# on the deep constructions in 1-D and 2-D at W of about 1e3, 1e4 and 1e5, in one run.
# Usage: bash scripts/bench-fixed.sh [quick]   (quick: the two smallest sizes only)
#        APPROX_CLI=path/to/approx-cli bash scripts/bench-fixed.sh   (a binary already built)
# Writes Benchmarks/out/fixed/results.jsonl and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh >&2
cli=${APPROX_CLI:-}
if [ -z "$cli" ]; then swift build -c release --product approx-cli >&2; cli=.build/release/approx-cli; fi
out=Benchmarks/out/fixed
mkdir -p "$out"
: > "$out/results.jsonl.tmp"
run() { "$cli" bench-deep "$@" | tee -a "$out/results.jsonl.tmp" >&2; }
# 1-D (bit extraction, N = M): W ~ 80 N.  2-D (snake, four copies): W ~ 4 (40 (N+1)^2 + 60 M^2).
sizes=("--dim 1 --cells 12 --fine 12" "--dim 2 --cells 1 --fine 9" "--dim 1 --cells 128 --fine 128" "--dim 2 --cells 13 --fine 13" "--dim 1 --cells 1250 --fine 1250" "--dim 2 --cells 17 --fine 17")
[ "${1:-}" = quick ] && sizes=("${sizes[@]:0:2}")
for s in "${sizes[@]}"; do
  for order in grid random; do
    # shellcheck disable=SC2086
    run $s --points "$([ "${s:6:1}" = 1 ] && echo 256 || echo 128)" --order "$order"
  done
done
mv "$out/results.jsonl.tmp" "$out/results.jsonl"
python3 - "$out/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| d | N = M | W | depth | bits | points | fixed 1 thread (ms/pt) | fixed 2 threads | (a) MPFR evaluator 1 thread | (b) generic C loop | (b) / fixed 1 | (b) / fixed 2 | (a) / fixed 1 | no reuse: (b) / fixed | units recomputed | max bound | within bound |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    ms = lambda k: r[k] * 1e3
    print(f"| {r['dim']} | {r['cells']}, {r['fine']} | {r['weights']:,} | {r['depth']} | {r['precision']} | {r['points']} {r['order']} | "
          f"{ms('fixed_1'):.3f} | {ms('fixed_2'):.3f} | {ms('mpfr_1'):.3f} | {ms('generic_c'):.3f} | "
          f"{r['generic_c']/r['fixed_1']:.2f} | {r['generic_c']/r['fixed_2']:.2f} | {r['mpfr_1']/r['fixed_1']:.2f} | {r['generic_c']/r['fixed_1_fresh']:.2f} | "
          f"{100*r['recomputed_share']:.0f} % | {r['max_bound']:.1e} | {r['within_bound']}/{r['points']} |")
PY
