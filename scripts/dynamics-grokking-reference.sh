#!/usr/bin/env bash
# The shipped measurements of docs/dynamics-grokking.md, one command each, into
# data/reference/dynamics-grokking/<name>. Every command journals its training runs (runs.jsonl),
# so with the shipped journals this rewrites the tables and pictures in about a minute (the
# example runs of each diagram are retrained); from empty folders it takes about an hour on 2 cores.
# Usage: bash scripts/dynamics-grokking-reference.sh [name ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
cli=.build/release/approx-cli
D=data/reference/dynamics-grokking
run() { local name=$1; shift; if [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $name "* ]]; then echo "== $name" >&2; "$cli" "$@" --out "$D/$name" > /dev/null; fi; }
only=("$@")
run map       dynamics grokking
run fraction  dynamics grokking fraction --fractions 0.1:0.9:17 --seeds 5
run minibatch dynamics grokking --learning-rates 1e-5:1e-3:6 --weight-decays 0:6:4 --seeds 3 --batch 16
