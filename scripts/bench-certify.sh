#!/usr/bin/env bash
# Certification benchmark (docs/certified-bounds.md). Not part of the tests.
# Usage: bash scripts/bench-certify.sh [quick]
#   quick: the 1-D deep network with 10,051 linear pieces (lacunary r = 1/2, seed 37, N = 160,
#          W_all = 11,710), measured without and with --certify on all cores.
#   default: also the default plan swept without and with certification (long). The certified
#   plan certifies every experiment but deep-relu2-lacunary-r1, whose branch and bound converges
#   only up to W ~ 1,400 (docs/certified-bounds.md): its rows are measured as in the plain plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >/dev/null
cli=.build/release/approx-cli
out=Benchmarks/out/certify
mkdir -p "$out"
$cli build deep --target lacunary --smoothness 0.5 --seed 37 --cells 160 -o "$out/deep-n160.json"
t0=$(date +%s.%N)
$cli sup-norm "$out/deep-n160.json" --target lacunary --smoothness 0.5 --seed 37 --json > "$out/deep-n160-sampled.json"
t1=$(date +%s.%N)
$cli sup-norm "$out/deep-n160.json" --target lacunary --smoothness 0.5 --seed 37 --certify --json > "$out/deep-n160-certified.json"
t2=$(date +%s.%N)
python3 - "$out" "$t0" "$t1" "$t2" <<'PY'
import json, sys
out, t0, t1, t2 = sys.argv[1], *map(float, sys.argv[2:])
s = json.load(open(f"{out}/deep-n160-sampled.json")); c = json.load(open(f"{out}/deep-n160-certified.json"))
print(f"deep N = 160, W_all = {c['W_all']}: {s['method'].split('(')[1].split(' linear')[0]} linear pieces")
print(f"  sampled   error {s['error_value']:.6e}   {t1 - t0:6.1f} s")
print(f"  certified [{c['certified_lower']}, {c['certified']}] within gap: {c['within_gap']}, {c['certify_boxes']} boxes, "
      f"certification {c['certify_seconds']:.1f} s, whole command {t2 - t1:6.1f} s ({(t2 - t1) / (t1 - t0):.1f}x the sampled one)")
PY
[ "${1:-}" = quick ] && exit 0
for mode in plain certified; do
  plan=data/plans/default.json
  if [ $mode = certified ]; then
    python3 -c "import json,sys; p=json.load(open('$plan')); [e.__setitem__('certify',0.01) for e in p['experiments'] if e['name'] != 'deep-relu2-lacunary-r1']; json.dump(p,open('$out/default-certified.json','w'))"
    plan=$out/default-certified.json
  fi
  rm -rf "$out/sweep-$mode"
  s=$(date +%s.%N); $cli sweep "$plan" --out "$out/sweep-$mode" >/dev/null; e=$(date +%s.%N)
  echo "default plan, $mode: $(python3 -c "print(f'{$e - $s:.0f}')") s"
done
