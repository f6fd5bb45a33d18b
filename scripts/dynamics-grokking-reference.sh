#!/usr/bin/env bash
# The shipped measurements of docs/dynamics-grokking.md, one command each, into
# data/reference/dynamics-grokking/<name>. Every command journals its training runs (runs.jsonl),
# so with the shipped journals this rewrites the tables and pictures in about a minute (the
# example runs of each diagram are retrained); from empty folders it takes about an hour on 2 cores.
# Usage: bash scripts/dynamics-grokking-reference.sh [name ...]   (default: all)
set -euo pipefail
D=data/reference/dynamics-grokking
only=("$@")
source "$(dirname "$0")/reference-common.sh"
run map       dynamics grokking
run fraction  dynamics grokking fraction --fractions 0.1:0.9:17 --seeds 5
run minibatch dynamics grokking --learning-rates 1e-5:1e-3:6 --weight-decays 0:6:4 --seeds 3 --batch 16
