#!/usr/bin/env bash
# Builds the example site from content/ into public/ (installing the C libraries if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product tsunagari
.build/release/tsunagari build --source . "$@"
