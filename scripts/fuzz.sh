#!/usr/bin/env bash
# The long fuzz run of issue 19 (docs/fuzzing.md): generated formulas, network files, sweep
# plans and option values against the release approx-cli, each case with a 5 s timeout and a
# 4 GiB address-space limit. Resumable: finished cases go to fuzz/journal.jsonl, so rerunning the
# same command after an interruption continues where it stopped. Writes fuzz/summary.json and
# fuzz/failures.jsonl; exits 1 when any case crashed, hung, was silently wrong or ended in an
# unclean error. Arguments go to approx-fuzz (default here: --cases 100000 --seed 20261202).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
swift build -c release --product approx-fuzz >&2
mkdir -p fuzz
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--cases 100000 --seed 20261202)
.build/release/approx-fuzz --cli .build/release/approx-cli --work "${TMPDIR:-/tmp}/approx-fuzz-$$" \
  --journal fuzz/journal.jsonl --summary fuzz/summary.json --failures fuzz/failures.jsonl "${args[@]}"
