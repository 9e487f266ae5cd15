#!/usr/bin/env bash
# Builds and runs one libFuzzer target for a set time:
#   scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags]
#   TARGET: frontmatter | yaml | entry | all
#
# The targets live in Tests/fuzz/targets/<target>.swift and are built here with swiftc, not
# through Package.swift: SwiftPM cannot apply -sanitize=fuzzer to the library modules a target
# depends on without instrumenting (and relinking) every product for everyone, and a second
# `main` from libFuzzer would clash with XCTest's. So each library module (TsunagariYAML,
# TsunagariMarkdown, TsunagariTemplates, TsunagariCore) is compiled once into an object with
# coverage instrumentation (-sanitize=fuzzer) and AddressSanitizer, then linked with the target.
#
# Corpus: Tests/fuzz/corpus/<target>/ (the seed corpus, in git) is read; new inputs found go to
# $FUZZ_BUILD/corpus/<target>/ so the repository does not grow. Crashes are written to
# $FUZZ_BUILD/crashes/<target>/ — turn each into a regression test (FuzzRegressionTests.swift)
# and, once fixed, add it to Tests/fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${1:?usage: scripts/fuzz.sh frontmatter|yaml|entry|all SECONDS [libFuzzer flags]}
SECONDS_TO_RUN=${2:-60}
shift 2 || shift $#
B=${FUZZ_BUILD:-.build-fuzz}
SAN=${FUZZ_SANITIZERS:-fuzzer,address}
mkdir -p "$B/obj"

if [[ "$TARGET" == all ]]; then
  for t in frontmatter yaml entry; do "$0" "$t" "$SECONDS_TO_RUN" "$@"; done
  exit 0
fi
[[ -f Tests/fuzz/targets/$TARGET.swift ]] || { echo "no target Tests/fuzz/targets/$TARGET.swift" >&2; exit 2; }

FLAGS=(-swift-version 5 -O -g -sanitize="$SAN" -parse-as-library -enable-testing
       -I Sources/CYAML -I Sources/CCmark -I "$B/obj" -module-cache-path "$B/module-cache")

# module name, dependencies' sources: rebuilt only when a source is newer than the object.
build_module() {
  local name=$1
  local obj="$B/obj/$name.o"
  local newest
  newest=$(ls -t Sources/"$name"/*.swift Sources/"$name"/*/*.swift 2>/dev/null | head -1 || true)
  if [[ -f "$obj" && "$obj" -nt "$newest" && "$obj" -nt scripts/fuzz.sh ]]; then return; fi
  echo "fuzz: compiling $name" >&2
  # shellcheck disable=SC2046
  swiftc "${FLAGS[@]}" -module-name "$name" -wmo -c \
    $(find Sources/"$name" -name '*.swift' | sort) \
    -emit-module -emit-module-path "$B/obj/$name.swiftmodule" -o "$obj"
  # swiftc leaves an object whose bytes did not change untouched (old mtime), which would
  # make every later run compile the module again.
  touch "$obj"
}
build_module TsunagariYAML
build_module TsunagariMarkdown
build_module TsunagariTemplates
build_module TsunagariCore

EXE="$B/fuzz-$TARGET"
# Checks shared with the regression tests, compiled into every target.
SHARED=Tests/TsunagariCoreTests/UnsafeURLs.swift
if [[ ! -x "$EXE" || "$EXE" -ot Tests/fuzz/targets/$TARGET.swift || "$EXE" -ot "$SHARED" || "$EXE" -ot "$B/obj/TsunagariCore.o" ]]; then
  echo "fuzz: linking $EXE" >&2
  swiftc "${FLAGS[@]}" -module-name "fuzz_$TARGET" Tests/fuzz/targets/"$TARGET".swift "$SHARED" \
    "$B"/obj/TsunagariYAML.o "$B"/obj/TsunagariMarkdown.o "$B"/obj/TsunagariTemplates.o "$B"/obj/TsunagariCore.o \
    -lyaml -lcmark -o "$EXE"
fi

mkdir -p "$B/corpus/$TARGET" "$B/crashes/$TARGET"
# Swift's own backtracer would inspect the crashed process under ASan and muddle the report;
# libFuzzer prints the stack and saves the input itself.
export SWIFT_BACKTRACE=enable=no
SEEDS=Tests/fuzz/corpus/$TARGET
DICT=()
[[ -f Tests/fuzz/$TARGET.dict ]] && DICT=(-dict=Tests/fuzz/$TARGET.dict)
# -timeout: an input slower than this is a finding (a body "built to be slow");
# -rss_limit_mb / -malloc_limit_mb: so is one that needs this much memory.
exec "$EXE" "$B/corpus/$TARGET" "$SEEDS" \
  -max_total_time="$SECONDS_TO_RUN" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -max_len=65536 -print_final_stats=1 "${DICT[@]}" \
  -artifact_prefix="$B/crashes/$TARGET/" "$@"
