#!/usr/bin/env bash
# Makes data/digits/digits.csv, the 8×8 handwritten digits that `approx-cli dynamics` trains on,
# from Debian's python3-sklearn package (the file sklearn/datasets/data/digits.csv.gz, scikit-learn's
# copy of the test set of the UCI "Optical Recognition of Handwritten Digits" data). The package is
# downloaded, not installed, and only that file is taken out of it and decompressed. The result is
# compared byte for byte with the file the project ships, so a rerun either reproduces it bit
# for bit or says that it differs. Licences: data/digits/README.md.
#
#   bash scripts/make-digits.sh            # checks data/digits/digits.csv against a fresh extraction
#   bash scripts/make-digits.sh --write    # writes it (through a temporary file and a rename)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && apt-get download python3-sklearn >/dev/null 2>&1 ) || {
  echo "make-digits: 'apt-get download python3-sklearn' failed (run 'apt-get update' first?)" >&2; exit 1; }
dpkg -x "$work"/python3-sklearn_*.deb "$work/x"
gz=$(find "$work/x" -path '*sklearn/datasets/data/digits.csv.gz' | head -1)
[ -n "$gz" ] || { echo "make-digits: the package has no sklearn/datasets/data/digits.csv.gz" >&2; exit 1; }
zcat "$gz" > "$work/digits.csv"
rows=$(wc -l < "$work/digits.csv")
[ "$rows" -eq 1797 ] || { echo "make-digits: expected 1797 rows, found $rows" >&2; exit 1; }
got=$(sha256sum "$work/digits.csv" | cut -d' ' -f1)
echo "make-digits: $(dpkg-deb -f "$work"/python3-sklearn_*.deb Version) gives $rows rows, sha256 $got" >&2
if [ "${1:-}" = "--write" ]; then
  cp "$work/digits.csv" data/digits/digits.csv.tmp && mv data/digits/digits.csv.tmp data/digits/digits.csv
  echo "make-digits: wrote data/digits/digits.csv" >&2
elif cmp -s "$work/digits.csv" data/digits/digits.csv; then
  echo "make-digits: data/digits/digits.csv is identical" >&2
else
  echo "make-digits: data/digits/digits.csv differs from the extraction (sha256 $(sha256sum data/digits/digits.csv | cut -d' ' -f1))" >&2; exit 1
fi
