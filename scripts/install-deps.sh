#!/usr/bin/env bash
# Installs the Debian packages the build needs (libcmark-dev, libyaml-dev, libjemalloc-dev,
# pkg-config) when missing.
# With --test, also what the test suite needs: Chromium and its driver for the browser tests,
# Java for the Nu Html Checker, Japanese fonts (realistic layout tests and screenshots), Valgrind
# (a build must run under it: bench/instructions.py counts instructions with callgrind), and the
# Python packages in Tests/browser/requirements.txt.
set -euo pipefail
need=()
for pkg in libcmark-dev libyaml-dev libjemalloc-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [[ "${1:-}" == "--test" ]]; then
  for pkg in chromium chromium-driver default-jre-headless fonts-noto-cjk valgrind; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
fi
if ((${#need[@]})); then
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [[ "${1:-}" == "--test" ]]; then
  python3 -m pip install -q --disable-pip-version-check -r Tests/browser/requirements.txt
fi
