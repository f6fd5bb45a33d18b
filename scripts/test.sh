#!/usr/bin/env bash
# The test suite (Swift Testing, property tests and CLI end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# The library's floors import only what Package.swift lets them (docs/architecture.md): a target that
# imports another target of the package without declaring it is an error, not a silent success.
swift build --product approx-cli --explicit-target-dependency-import-check error
swift test --disable-xctest --explicit-target-dependency-import-check error "$@"
