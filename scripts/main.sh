#!/usr/bin/env bash
# The main job: build in release mode and run the default sweep (data/plans/default.json): the
# shallow phase (interpolation, Taylor) and the deep phase (bit extraction, alpha = 1 and 1/2) on
# d = 1 targets, every error in MPFR. Writes into out/: points.jsonl (one line per finished
# point; an interrupted run resumes from it), rates.{csv,json,md,tex}, phase-diagram.svg and
# plots/*.svg, with PNGs beside them (rsvg-convert, installed by ensure-deps.sh).
# Extra arguments go to `approx-cli sweep` (e.g. --threads 1 or --shard 1/2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
.build/release/approx-cli sweep data/plans/default.json --out out "$@"
