#!/usr/bin/env bash
# The whole test suite: Swift unit and end-to-end tests, then the browser tests against the
# built example site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build --disable-swift-testing
if [[ -d Tests/browser ]] && ls Tests/browser/test_*.py >/dev/null 2>&1; then
  swift build -c release --product tsunagari
  python3 -m pytest -q Tests/browser
fi
