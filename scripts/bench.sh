#!/usr/bin/env bash
# Evaluation benchmark (docs/performance.md): Swift over MPFR against a plain C loop (gcc -O2),
# gmpy2 and mpmath, and the float64 path against numpy, in one run; outputs compared bit for bit.
# Not part of the tests. Usage: bash scripts/bench.sh [PRECISIONS...]   (default 64 256 1024 4096)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
python3 -c "import gmpy2, mpmath, numpy" 2>/dev/null || python3 -m pip install -q gmpy2 mpmath numpy >&2
swift build -c release --product approx-cli >&2
out=Benchmarks/out; mkdir -p "$out"
gcc -O2 -o "$out/mpfr_loop" Benchmarks/c/mpfr_loop.c $(pkg-config --cflags --libs mpfr)
timings="$out/timings.jsonl"; : > "$timings"
precisions=("${@:-64 256 1024 4096}"); precisions=(${precisions[*]})
for p in 53 "${precisions[@]}"; do
  echo "precision $p ..." >&2
  reps=3; [ "$p" -ge 1024 ] && reps=1
  .build/release/approx-cli bench-eval --precision "$p" --out "$out" --repeats "$reps" | tee -a "$timings"
  [ "$p" = 53 ] && { python3 Benchmarks/python/peers.py "$out" 53 numpy 256 | tee -a "$timings"; continue; }
  "$out/mpfr_loop" "$out" "$p" "$reps" | tee -a "$timings"
  gp=64; mp=16; [ "$p" -ge 4096 ] && { gp=16; mp=4; }
  python3 Benchmarks/python/peers.py "$out" "$p" gmpy2 "$gp" | tee -a "$timings"
  python3 Benchmarks/python/peers.py "$out" "$p" mpmath "$mp" | tee -a "$timings"
done
python3 Benchmarks/python/compare.py "$out" "$timings"
