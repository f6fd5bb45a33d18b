#!/usr/bin/env bash
# The main job: build in release mode and measure the shallow-phase rate of piecewise-linear
# interpolation on |x - 1/3|^(1/2) for W = 1e2 ... 1e5, in MPFR. Writes out/rate.txt (the table),
# out/rate.json and out/rate.csv; rows are checkpointed in out/rate.jsonl, so an interrupted run
# resumes where it stopped. Extra arguments go to `approx-cli rate` (e.g. --smoothness 1.5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
mkdir -p out
args=(--target power --smoothness 0.5 --construction interpolation --weights 1e2...1e5 --checkpoint out/rate.jsonl "$@")
cli=.build/release/approx-cli
"$cli" rate "${args[@]}" --output out/rate.txt
"$cli" rate "${args[@]}" --json --output out/rate.json > /dev/null   # from the checkpoint: no re-measurement
"$cli" rate "${args[@]}" --csv --output out/rate.csv > /dev/null
