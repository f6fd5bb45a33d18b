# Shared part of the rate benchmark scripts: sourced, not run. Builds the release CLI, creates
# $out (set by the caller) and defines `run NAME ARGS...`: one `approx-cli rate` sweep on 2
# threads, written to $out/NAME.json, then one summary line. An interrupted sweep resumes from
# $out/NAME.jsonl; a finished one removes it, so that the next run times every row again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
mkdir -p "$out"
cli=.build/release/approx-cli
run() {  # name, then rate arguments
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$cli" rate --threads 2 --json --checkpoint "$out/$name.jsonl" "$@" > "$out/$name.json"
  end=$(date +%s.%N)
  rm -f "$out/$name.jsonl"
  python3 - "$out/$name.json" "$name" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); name = sys.argv[2]; seconds = float(sys.argv[4]) - float(sys.argv[3])
f, t, rows = r["fit"], r["theory"], r["rows"]
bits = max((x.get("bits_per_weight") or 0) for x in rows)
packed = f"  max bits/weight {bits:4d}" if bits else ""
expected = t["p_construction"]
print(f"{name:28s} {len(rows):2d} rows  W {rows[0]['W_all']:>7d}..{rows[-1]['W_all']:<8d}{packed}  p = {f['p']:.3f} [{f['p_low']:.3f}, {f['p_high']:.3f}] vs {f['against']:5s}"
      f"  theory {expected:.3f}  |p - theory| = {abs(f['p'] - expected):.3f}  {seconds:6.1f} s")
PY
}
