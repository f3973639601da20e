#!/usr/bin/env bash
# The proof that lasts: nsgroup built with clang, AddressSanitizer and
# UBSan (any finding fails) in a tree of its own, the unit and privileged
# suites run there, then each libFuzzer target for a bounded time from its
# checked-in corpus (new inputs go to a scratch copy, crashes to the tree).
#   run.sh SOURCE_DIR BUILD_DIR [FUZZ_SECONDS]
set -euo pipefail
src=$1 dir=$2 fuzz_seconds=${3:-30}

if [ ! -f "$dir/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNSGROUP_TESTS=ON -DNSGROUP_SANITIZE=ON -DNSGROUP_FUZZ=ON -DNSGROUP_WERROR=ON \
    > "$dir.configure.log" 2>&1 || { tail -n 40 "$dir.configure.log" >&2; exit 1; }
fi
targets=(nsgroup nsgroup_binary_tests nsgroup_privileged_tests nsgroup_fuzz_request
         nsgroup_fuzz_records nsgroup_fuzz_runtime)
for layer in util core kernel host json service cli; do
  targets+=("nsgroup_${layer}_tests")
done
# The build's log is long and of no interest unless it fails: the test's
# output is what a reader of CI needs to see.
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}" > "$dir/build.log" 2>&1 \
  || { tail -n 60 "$dir/build.log" >&2; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$dir" -L '^(unit|privileged)$' --output-on-failure --timeout 300

for target in request records runtime; do
  scratch=$(mktemp -d)
  cp -r "$src/tests/fuzz/corpus/$target/." "$scratch/"
  echo "fuzzing $target for ${fuzz_seconds}s from $(ls "$scratch" | wc -l) inputs"
  status=0
  "$dir/tests/fuzz/nsgroup_fuzz_$target" -max_total_time="$fuzz_seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/fuzz-$target-" \
    "$scratch" 2>&1 | tail -n 25 || status=$?
  rm -rf "$scratch"
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $target failed; the input is in $dir/fuzz-$target-*" >&2
    exit 1
  fi
done
