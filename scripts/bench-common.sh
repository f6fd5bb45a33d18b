# Shared set-up of the benchmark scripts: sourced, not run. Builds the release CLI and sets
# $cli; the caller sets $out (created here).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
mkdir -p "$out"
cli=.build/release/approx-cli
