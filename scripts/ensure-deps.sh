#!/usr/bin/env bash
# Installs the system libraries ApproxRates links against, when pkg-config cannot find them:
# MPFR and GMP (libmpfr-dev, libgmp-dev), Arb (libflint-arb-dev: ball arithmetic for the certified
# bounds; it ships no pkg-config file, so its header is looked for) and OpenBLAS (libopenblas-dev),
# plus pkg-config; and
# rsvg-convert (librsvg2-bin), which turns the project's SVG plots into PNG; and pdflatex
# (texlive-latex-base, texlive-latex-recommended for booktabs), which the tests use to compile
# every LaTeX table the project writes (installed without recommended packages: about 150 MB).
set -euo pipefail
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists mpfr; then missing+=(libmpfr-dev libgmp-dev); fi
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists openblas; then missing+=(libopenblas-dev); fi
[ -f /usr/include/arb.h ] || missing+=(libflint-arb-dev)
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
tex=()
if ! command -v pdflatex >/dev/null 2>&1 || ! kpsewhich booktabs.sty >/dev/null 2>&1; then tex=(texlive-latex-base texlive-latex-recommended); fi
if [ ${#missing[@]} -eq 0 ] && [ ${#tex[@]} -eq 0 ]; then exit 0; fi
echo "ensure-deps: installing ${missing[*]} ${tex[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
if [ ${#missing[@]} -gt 0 ]; then $SUDO apt-get install -y -qq "${missing[@]}" >&2; fi
if [ ${#tex[@]} -gt 0 ]; then $SUDO apt-get install -y -qq --no-install-recommends "${tex[@]}" >&2; fi
pkg-config --exists mpfr && pkg-config --exists openblas || { echo "ensure-deps: MPFR or OpenBLAS still not found by pkg-config" >&2; exit 1; }
