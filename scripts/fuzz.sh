#!/usr/bin/env bash
# Runs the libFuzzer targets of a -Dfuzz=enabled build (test/fuzz, docs/fuzzing.md), one after
# another, each for a fixed time over its seed corpus and regression inputs.
#   fuzz.sh [-t SECONDS] [-n RUNS] [-b BUILD_DIR] [-j JOBS] [TARGET...]   (default: 20 s each, build-fuzz, all)
# -n stops a target after RUNS executions if that comes before -t (a campaign: -t 3600 -n 10000000).
# Each target's growing corpus is kept in BUILD_DIR/fuzz-corpus/<target>/ (so reruns continue
# where the last one stopped); crash, leak and timeout inputs land in
# BUILD_DIR/fuzz-artifacts/<target>/. Exits non-zero when any target found something: copy the
# input into test/fuzz/regressions/<target>/, fix the bug, and the replay test keeps it fixed.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=20 runs="" build=build-fuzz jobs=1
while getopts "t:n:b:j:" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    n) runs=$OPTARG ;;
    b) build=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: fuzz.sh [-t SECONDS] [-n RUNS] [-b BUILD_DIR] [-j JOBS] [TARGET...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

dict_of() { # the dictionary that helps a target, if any
  case $1 in
    gguf|gguf_vocab) echo test/fuzz/dicts/gguf.dict ;;
    safetensors|safetensors_index|hf_config|tokenizer_json|vocab_merges|completion_request)
      echo test/fuzz/dicts/json.dict ;;
    chat_template) echo test/fuzz/dicts/chat_template.dict ;;
    settings_toml) echo test/fuzz/dicts/toml.dict ;;
    http_request) echo test/fuzz/dicts/http.dict ;;
  esac
}

if [ $# -eq 0 ]; then
  set -- $(ls test/fuzz/corpus)
fi
status=0
mkdir -p "$build"
results=$build/fuzz-results.txt # one line per target run: "OK <target>" or "FAIL <target>"
: >"$results"
for target in "$@"; do
  bin=$build/test/fuzz/fuzz-$target
  if [ ! -x "$bin" ]; then
    echo "fuzz.sh: $bin is not built (configure with -Dfuzz=enabled)" >&2
    echo "FAIL $target" >>"$results"
    status=1
    continue
  fi
  corpus=$build/fuzz-corpus/$target
  artifacts=$build/fuzz-artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  seeds=(test/fuzz/corpus/"$target")
  [ -d test/fuzz/regressions/"$target" ] && seeds+=(test/fuzz/regressions/"$target")
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  dict=$(dict_of "$target")
  [ -n "$dict" ] && args+=(-dict="$dict")
  [ -n "$runs" ] && args+=(-runs="$runs")
  [ "$jobs" -gt 1 ] && args+=(-fork="$jobs")
  log=$build/fuzz-$target.log
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    "$bin" "${args[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  stats=$(grep -E '^stat::number_of_executed_units|^#[0-9]+.*(DONE|cov:)' "$log" | tail -n 1)
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "FAIL $target" >>"$results"
    echo "== fuzz $target: FAILED (exit $rc, log $log)" >&2
    grep -E 'ERROR: |SUMMARY: |Test unit written|uncaught exception|runtime error' "$log" | head -n 8 >&2
  else
    echo "OK $target" >>"$results"
    echo "== fuzz $target: ok, ${stats:-no stats}"
  fi
done
exit $status
