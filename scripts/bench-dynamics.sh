#!/usr/bin/env bash
# Training-dynamics benchmark (docs/dynamics.md): one sharpness estimate (Lanczos on exact
# Hessian-vector products) and one training step, Swift + OpenBLAS against JAX on the CPU
# (jitted), in one run, as ratios; the two sharpness values and losses are compared. Two problems:
# a depth-4, width-256 ReLU MLP on 512 teacher examples, and the depth-5, width-32 Myrtle-style
# ReLU CNN on 512 digits. Installs jax from PyPI into .build-venv/jax (not the system).
# Not part of the tests. Usage: bash scripts/bench-dynamics.sh [options of `approx-cli dynamics bench`
# for both problems, e.g. --repeats 9]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
venv=.build-venv/jax
if ! "$venv/bin/python" -c "import jax" 2>/dev/null; then
  python3 -m venv "$venv"
  # jax 0.10.2 is the newest release for Python 3.11 (0.11 and later need 3.12).
  "$venv/bin/pip" install -q "jax==0.10.2" "jaxlib==0.10.2" >&2
fi
swift build -c release --product approx-cli >&2
out=Benchmarks/out/dynamics; mkdir -p "$out"
for problem in "--model fcn --depth 4 --width 256" "--model cnn --depth 5 --width 32"; do
# shellcheck disable=SC2086
swift_line=$(.build/release/approx-cli dynamics bench $problem --out "$out" "$@")
jax_line=$("$venv/bin/python" Benchmarks/python/jax_sharpness.py "$out")
echo "$swift_line"; echo "$jax_line"
python3 - "$swift_line" "$jax_line" "$problem" <<'PY'
import json, sys
s, j = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{sys.argv[3]}: parameters {s['parameters']}, {s['products']} Hessian-vector products per estimate")
print(f"{'':28}{'Swift':>12}{j['tool']:>14}{'Swift/JAX':>11}")
for key, label in [("sharpness_seconds", "sharpness estimate (s)"), ("step_seconds", "training step (s)")]:
    print(f"{label:28}{s[key]:12.4g}{j[key]:14.4g}{s[key] / j[key]:11.2f}")
rel = abs(s["sharpness"] - j["sharpness"]) / abs(j["sharpness"])
print(f"sharpness: Swift {s['sharpness']:.12g} (residual {s['residual']:.1e}), JAX {j['sharpness']:.12g} (residual {j['residual']:.1e}); relative difference {rel:.1e}")
print(f"loss after one step: Swift {s['loss_after_step']:.12g}, JAX {j['loss_after_step']:.12g}")
PY
done
