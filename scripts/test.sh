#!/usr/bin/env bash
# The whole test suite: Swift unit and end-to-end tests, then the browser tests against the
# built example site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build --disable-swift-testing
# Fuzz smoke test: each libFuzzer target for 20 s from the seed corpus (longer by hand:
# scripts/fuzz.sh TARGET SECONDS). A crash fails the suite; the input is in .build-fuzz/crashes/.
if [[ "${TSUNAGARI_SKIP_FUZZ:-0}" != 1 ]]; then
  for target in frontmatter yaml entry; do bash scripts/fuzz.sh "$target" "${FUZZ_SECONDS:-20}" -seed=1; done
fi
# The benchmark's own logic (bench/run.py's wait for a quiet disk).
python3 -m pytest -q Tests/bench
if [[ -d Tests/browser ]] && ls Tests/browser/test_*.py >/dev/null 2>&1; then
  swift build -c release --product tsunagari
  python3 -m pytest -q Tests/browser
fi
