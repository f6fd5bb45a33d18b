#!/usr/bin/env bash
# Online SGD benchmark (docs/dynamics-sgd.md): one unit of SGD time (d steps at κ = δ = 0) of the
# soft committee, Swift + OpenBLAS against numpy (system python3-numpy) on the same update, in one
# run, as a ratio; both first run the same 200 shared samples and their weights are compared. The
# Swift side also integrates the ODE at the same p, k to t = 1000. Not part of the tests.
# Usage: bash scripts/bench-sgd.sh [--d 1000 --p 8 --k 4]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
if ! python3 -c "import numpy" 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q python3-numpy >&2; else sudo apt-get install -y -q python3-numpy >&2; fi
fi
swift build -c release --product approx-cli >&2
out=Benchmarks/out/sgd; mkdir -p "$out"
swift_line=$(.build/release/approx-cli dynamics sgd bench --out "$out" "$@")
numpy_line=$(python3 Benchmarks/python/sgd_numpy.py "$out" "$swift_line")
echo "$swift_line"; echo "$numpy_line"
python3 - "$swift_line" "$numpy_line" <<'PY'
import json, sys
s, n = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"d = {s['d']}, p = {s['p']}, k = {s['k']}, γ = {s['learning_rate']:g}, Δ = {s['label_noise']:g}; one unit of time = {s['unit_steps']} steps")
print(f"{'':34}{'Swift':>12}{n['tool']:>16}{'numpy/Swift':>13}")
print(f"{'one unit of SGD time (s)':34}{s['unit_seconds']:12.4g}{n['unit_seconds']:16.4g}{n['unit_seconds'] / s['unit_seconds']:13.1f}")
print(f"Swift: sampling alone {s['sampling_seconds']:.4g} s of {s['unit_seconds']:.4g} s ({100 * s['sampling_seconds'] / s['unit_seconds']:.0f} %)")
print(f"same {n['check_steps']} shared samples: largest weight difference {n['max_weight_difference']:.2e}")
print(f"ODE p = {s['p']}, k = {s['k']} to t = {s['ode_horizon']:g}: {s['ode_seconds']:.2f} s, {s['ode_steps']} steps, {s['ode_evaluations']} evaluations, R = {s['ode_final_risk']:.4e}")
PY
