#!/usr/bin/env bash
# Installs the system libraries ApproxRates links against, when pkg-config cannot find them:
# MPFR and GMP (libmpfr-dev, libgmp-dev), Arb (libflint-arb-dev: ball arithmetic for the certified
# bounds; it ships no pkg-config file, so its header is looked for) and OpenBLAS (libopenblas-dev),
# plus pkg-config; and
# rsvg-convert (librsvg2-bin), which turns the project's SVG plots into PNG.
set -euo pipefail
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists mpfr; then missing+=(libmpfr-dev libgmp-dev); fi
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists openblas; then missing+=(libopenblas-dev); fi
[ -f /usr/include/arb.h ] || missing+=(libflint-arb-dev)
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "ensure-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq "${missing[@]}" >&2
pkg-config --exists mpfr && pkg-config --exists openblas || { echo "ensure-deps: MPFR or OpenBLAS still not found by pkg-config" >&2; exit 1; }
