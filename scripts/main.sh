#!/usr/bin/env bash
# The main job: build in release mode and run the built-in demonstration into ./out
# (extra arguments go to `approx-cli demo`, e.g. --m-max 60).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
.build/release/approx-cli demo --output out "$@"
