#!/bin/sh
# End-to-end decode and prefill speed of resident synthetic TinyLlama-1.1B models through the CLI:
# medians of RUNS runs of a 32-token greedy decode after an 8-token prompt, and of a 512-token
# prompt's prefill. Prints the load average too: on a shared machine it says what the numbers mean.
# Decode's weight traffic (every weight but the embedding table, once per token) is set against
# the read bandwidth that edge-rt-bench measures in the same run, between the models.
#   bench/e2e_tokens_per_s.sh BUILD_DIR MODEL.gguf... (THREADS=2 RUNS=3 by default)
# Models: edge-rt-async gen-model --preset tinyllama-1.1b --type q8_0|q4_0|f16 -o FILE
set -eu
build=$1
shift
cli=${CLI:-"$build/tools/edge-rt-async/edge-rt-async"}
bench="$build/bench/edge-rt-bench"
threads=${THREADS:-2}
runs=${RUNS:-3}
short=$(seq -s, 1 8)
long=$(seq -s, 1 512)

metric() { # run json field
    python3 -c "import json,sys; print(json.load(sys.stdin)['metrics']['$1'])"
}

median() {
    sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

# Bytes a decode token reads: all weights but the embedding table (one row of it is read).
decode_bytes() {
    "$cli" inspect -m "$1" -s sequential --json |
        python3 -c "import json,sys; d=json.load(sys.stdin); print(d['total_weight_bytes'] - d['groups'][0]['weight_bytes'])"
}

bandwidth() {
    if [ -x "$bench" ]; then
        EDGE_RT_BENCH_THREADS=$threads "$bench" '[bandwidth]' | sed -n 's/^read bandwidth.*: \([0-9.]*\) GB\/s.*/\1/p'
    else
        echo 0
    fi
}

for model in "$@"; do
    decode="" prefill="" bw=""
    for _ in $(seq "$runs"); do
        decode="$decode $("$cli" run -m "$model" --prompt-ids "$short" -n 32 --temp 0 -t "$threads" --ctx-size 1024 --json | metric decode_tokens_per_s)"
        bw="$bw $(bandwidth)"
        prefill="$prefill $("$cli" run -m "$model" --prompt-ids "$long" -n 1 --temp 0 -t "$threads" --ctx-size 1024 --json | metric prefill_tokens_per_s)"
    done
    kernels=$("$cli" run -m "$model" --prompt-ids 1 -n 1 --temp 0 --json | metric kernels)
    d=$(echo $decode | tr ' ' '\n' | median)
    b=$(echo $bw | tr ' ' '\n' | median)
    gbs=$(python3 -c "print(f'{$(decode_bytes "$model") * $d / 1e9:.1f}')")
    share=$(python3 -c "print(f'{100 * $gbs / $b:.0f}%' if $b > 0 else 'n/a')")
    printf '%s (%s, %s threads): decode %.1f tok/s [%s] = %s GB/s of weights, %s of read bandwidth %s GB/s [%s]; prefill-512 %.1f tok/s [%s]; load average %s\n' \
        "$(basename "$model")" "$kernels" "$threads" "$d" "$decode" "$gbs" "$share" "$b" "$bw" \
        "$(echo $prefill | tr ' ' '\n' | median)" "$prefill" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
done
