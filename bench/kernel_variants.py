#!/usr/bin/env python3
"""Decode tok/s of the stories260K-w256 quantised files with each x86 kernel variant forced
(EDGE_RT_KERNELS), the variants interleaved run by run so machine load hits them alike.
Usage: bench/kernel_variants.py BUILD_DIR [REPS]   (prints a markdown table; raw runs on stderr)"""
import csv, io, os, statistics, subprocess, sys

build, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7
exe = os.path.join(build, 'tools/edge-rt-async/edge-rt-async')
models = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../shared/models/stories260K-w256')
types = ['Q3_K_M', 'Q2_K', 'IQ4_XS', 'Q5_0', 'IQ4_NL', 'Q5_1']
kernels = ['scalar', 'avx2', 'avx512']
runs = {}
for _ in range(reps):
    for t in types:
        for k in kernels:
            out = subprocess.run([exe, 'bench', '-m', f'{models}/stories260K-w256-{t}.gguf', '-t', '1', '-n', '128',
                                  '-r', '1', '-o', 'csv'], env=dict(os.environ, EDGE_RT_KERNELS=k),
                                 capture_output=True, text=True, check=True).stdout
            runs.setdefault((t, k), []).append(float(next(csv.DictReader(io.StringIO(out)))['decode_tok_s_median']))
print('| file | scalar | avx2 | avx512 | avx2 / scalar | avx512 / scalar |')
print('|---|--:|--:|--:|--:|--:|')
for t in types:
    m = [statistics.median(runs[(t, k)]) for k in kernels]
    print(f'| {t} | {m[0]:.0f} | {m[1]:.0f} | {m[2]:.0f} | {m[1] / m[0]:.1f}x | {m[2] / m[0]:.1f}x |')
for (t, k), v in runs.items():
    print(t, k, ' '.join(f'{x:.0f}' for x in v), file=sys.stderr)
