#!/usr/bin/env bash
# The test suite (Swift Testing, property tests and CLI end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --product approx-cli
swift test --disable-xctest "$@"
