#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 1800) each, all at once under `nice`, seeded
# from the tests' data and the bundled books. Logs go to $FUZZ_LOGS (default fuzz/logs);
# crashes to fuzz/artifacts/TARGET/. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-1800}
logs=${FUZZ_LOGS:-logs}
targets=(front_matter book_file markdown_model model_epub model_pdf)
mkdir -p "$logs"

# Seeds: speech files for the front matter; book files; Markdown bodies (the CommonMark
# and GFM spec examples of tests/data/spec and the bundled speeches without front matter).
python3 - <<'PY'
import json, pathlib, hashlib
root = pathlib.Path('..')
def put(target, data):
    d = pathlib.Path('corpus') / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
speeches = sorted((root / 'books/speeches').rglob('*.md'))
for p in speeches:
    put('front_matter', p.read_bytes())
for p in sorted((root / 'books').glob('*.toml')):
    put('book_file', p.read_bytes())
bodies = [e['markdown'].encode() for e in json.loads((root / 'tests/data/spec/examples.json').read_text())['examples']]
for p in speeches:
    text = p.read_text()
    end = text.find('\n---', 4)
    bodies.append(text[end + 4:].encode() if text.startswith('---\n') and end > 0 else text.encode())
for b in bodies:
    put('markdown_model', b)
    put('model_epub', b)
    if len(b) <= 2048:
        put('model_pdf', b)
PY

cargo +nightly fuzz build
# Each target's scratch project goes below a folder of this run's own, removed at the end.
scratch_base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && scratch_base=/dev/shm
TRIBUNE_FUZZ_SCRATCH=$(mktemp -d "$scratch_base/tribune-fuzz-run.XXXXXX")
export TRIBUNE_FUZZ_SCRATCH
trap 'rm -rf "$TRIBUNE_FUZZ_SCRATCH"' EXIT
pids=()
for t in "${targets[@]}"; do
  nice -n 10 cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=4096 -timeout=60 >"$logs/fuzz-$t.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    echo "${targets[$i]}: no crash in ${secs} s"
  else
    echo "${targets[$i]}: FAILED (see $logs/fuzz-${targets[$i]}.log and artifacts/${targets[$i]}/)"
    status=1
  fi
  tail -n 3 "$logs/fuzz-${targets[$i]}.log"
done
exit $status
