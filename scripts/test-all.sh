#!/usr/bin/env bash
# The project's test command: installs what it needs, then builds and tests four ways —
#   1. native release build (warnings as errors), all tests
#   2. native ASan + UBSan build, all tests under `meson test --setup asan`
#   3. Raspberry Pi 4 cross build (aarch64, cortex-a72), all tests under qemu-aarch64
#   4. fuzz: clang + libFuzzer + ASan build of test/fuzz, each target run for a fixed short time
#      over its corpus (scripts/fuzz.sh, docs/fuzzing.md); a crash, leak or timeout fails the run
#      (on by default; EDGE_RT_FUZZ_STAGE=0 skips it; FUZZ_SECONDS sets the time per target)
# and ends with one line "N passed, N failed, N skipped" summed over the runs (a fuzz target
# counts as one test).
# Exits non-zero if anything failed. Build folders: build/, build-asan/, build-rpi4/, build-fuzz/.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --cross || exit 1

common=(--wrap-mode=nodownload -Dwerror=true -Dtests=enabled -Dbenchmarks=enabled)
status=0
timings=()

setup() { # setup DIR ARGS... : configure once, reconfigure when the folder exists
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
  else
    meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
  fi || { cat "$dir.setup.log" >&2; return 1; }
}

stage() { # stage NAME DIR TEST-SETUP SETUP-ARGS...
  local name=$1 dir=$2 test_setup=$3; shift 3
  local t0=$SECONDS
  rm -f "$dir"/meson-logs/testlog*.json # never count a previous run's results
  echo "== $name: configure and build ($dir)"
  if ! setup "$dir" "$@" || ! meson compile -C "$dir" >"$dir.build.log" 2>&1; then
    tail -n 60 "$dir.build.log" 2>/dev/null >&2
    echo "== $name: BUILD FAILED (log: $dir.build.log)" >&2
    status=1
    timings+=("$name build failed after $((SECONDS - t0)) s")
    return
  fi
  local t1=$SECONDS
  echo "== $name: test"
  local args=(--print-errorlogs)
  [ -n "$test_setup" ] && args+=(--setup "$test_setup")
  local rc=0
  meson test -C "$dir" "${args[@]}" >"$dir.test.log" 2>&1 || rc=$?
  grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped|Timeout): ' "$dir.test.log"
  if [ "$rc" -ne 0 ]; then
    tail -n 80 "$dir.test.log" >&2
    echo "== $name: TESTS FAILED (log: $dir.test.log)" >&2
    status=1
  fi
  timings+=("$name: build $((t1 - t0)) s, tests $((SECONDS - t1)) s")
}

start=$SECONDS
stage "native release" build "" --buildtype=release "${common[@]}"
stage "native asan+ubsan" build-asan asan --buildtype=debugoptimized \
  -Db_sanitize=address,undefined "${common[@]}"
stage "rpi4 cross (qemu)" build-rpi4 "" --buildtype=release \
  --cross-file cross/aarch64-linux-gnu.ini --cross-file cross/rpi4.ini \
  --cross-file .ci/ccache-aarch64.ini "${common[@]}"

fuzz_stage() { # builds only the libFuzzer binaries; their replay tests ran in the stages above
  local t0=$SECONDS dir=build-fuzz
  echo "== fuzz: configure and build ($dir)"
  local targets=()
  if CC=clang CXX=clang++ setup "$dir" --buildtype=debugoptimized -Dfuzz=enabled -Db_sanitize=address \
       -Db_lundef=false -Dtests=disabled -Dbenchmarks=disabled --wrap-mode=nodownload -Dwerror=true; then
    mapfile -t targets < <(ninja -C "$dir" -t targets all | grep -oE '^test/fuzz/fuzz-[a-z0-9_]+:' |
                           grep -v '/fuzz-replay-' | tr -d ':')
  fi
  if [ "${#targets[@]}" -eq 0 ] || ! ninja -C "$dir" "${targets[@]}" >"$dir.build.log" 2>&1; then
    tail -n 60 "$dir.build.log" 2>/dev/null >&2
    echo "== fuzz: BUILD FAILED (log: $dir.build.log)" >&2
    status=1
    timings+=("fuzz build failed after $((SECONDS - t0)) s")
    return
  fi
  local t1=$SECONDS
  echo "== fuzz: ${FUZZ_SECONDS:-20} s per target"
  bash scripts/fuzz.sh -t "${FUZZ_SECONDS:-20}" -b "$dir" || { echo "== fuzz: FINDINGS (see above)" >&2; status=1; }
  timings+=("fuzz: build $((t1 - t0)) s, fuzzing $((SECONDS - t1)) s")
}
# On by default (about 6 min: 15 targets x 20 s plus the clang build); EDGE_RT_FUZZ_STAGE=0
# skips it. Each target's result is one line of build-fuzz/fuzz-results.txt, counted below.
fuzz_logs=()
rm -f build-fuzz/fuzz-results.txt
if [ "${EDGE_RT_FUZZ_STAGE:-1}" != 0 ]; then
  fuzz_stage
  fuzz_logs=(build-fuzz/fuzz-results.txt)
fi

echo "== timings"
printf '   %s\n' "${timings[@]}" "total: $((SECONDS - start)) s"

python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog-asan.json \
  build-rpi4/meson-logs/testlog.json "${fuzz_logs[@]}" <<'PY' || status=1
import json, os, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        failed += 1  # a run that produced no log did not pass
        continue
    if path.endswith("fuzz-results.txt"):  # scripts/fuzz.sh: "OK <target>" or "FAIL <target>"
        for line in open(path):
            if line.startswith("OK "):
                passed += 1
            elif line.strip():
                failed += 1
        continue
    for line in open(path):
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
exit $status
