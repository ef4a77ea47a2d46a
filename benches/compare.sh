#!/usr/bin/env bash
# Tribune beside the anchors (pandoc for EPUB, typst for PDF) on the same generated corpus:
# median wall time and peak memory of each, their ratios, and with --quality the
# typographic metrics and text fidelity of both PDFs.
#   benches/compare.sh [N] [--runs R] [--quality]      (N speeches, default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >/dev/null; }
command -v fc-scan >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq fontconfig >/dev/null; }
# shellcheck source=/dev/null
source ../shared/tools/setup-validators.sh --anchors
cargo build --release --quiet
exec python3 ../shared/bench/compare.py "$@"
