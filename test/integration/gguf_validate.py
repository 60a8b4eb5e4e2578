#!/usr/bin/env python3
"""Checks that GGUF files written by `edge-rt-async gen-model` follow the GGUF v3 layout as other
readers (llama.cpp's gguf loader among them) expect it, with a parser written here from the
format's specification, independent of the project's C++ reader:
  magic, version 3, counts; every metadata value type; unique keys; general.alignment a power of
  two; tensor infos with at most 4 dimensions; the data section starting aligned; every tensor
  offset aligned, its size the ggml type's block size times its blocks, inside the file and not
  overlapping another; the hyper-parameter keys llama.cpp requires for the architecture; the
  tokenizer arrays as long as the embedding matrix has rows.
Usage: gguf_validate.py --cli EDGE_RT_ASYNC --vocab-from MODEL.gguf [--cross]
Exit 0 when every file passes, 1 with one line per problem, 77 when cross-compiled (the host
cannot run the target's CLI to write the files)."""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

# ggml type id -> (elements per block, bytes per block)
TYPE_SIZES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 8: (32, 34), 30: (1, 2)}
SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
REQUIRED = {
    "llama": ["context_length", "embedding_length", "block_count", "feed_forward_length",
              "attention.head_count", "attention.layer_norm_rms_epsilon"],
    "gpt2": ["context_length", "embedding_length", "block_count", "feed_forward_length",
             "attention.head_count", "attention.layer_norm_epsilon"],
}


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ValueError(f"truncated at byte {self.pos}")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value

    def string(self):
        n = self.take("<Q")
        if self.pos + n > len(self.data):
            raise ValueError(f"string of {n} bytes runs past the end at byte {self.pos}")
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw.decode("utf-8")

    def value(self, kind):
        if kind in SCALARS:
            return self.take(SCALARS[kind])
        if kind == 8:
            return self.string()
        if kind == 9:
            item, n = self.take("<I"), self.take("<Q")
            if item == 9:
                raise ValueError("nested arrays")
            return [self.value(item) for _ in range(n)]
        raise ValueError(f"unknown metadata value type {kind}")


def validate(path):
    data = open(path, "rb").read()
    r = Reader(data)
    if r.take("<4s") != b"GGUF":
        return ["not GGUF: bad magic"]
    problems = []
    version = r.take("<I")
    if version != 3:
        problems.append(f"version {version}, expected 3")
    n_tensors, n_kv = r.take("<Q"), r.take("<Q")
    meta = {}
    for _ in range(n_kv):
        key = r.string()
        if key in meta:
            problems.append(f"duplicate key {key}")
        meta[key] = r.value(r.take("<I"))
    alignment = meta.get("general.alignment", 32)
    if alignment <= 0 or alignment & (alignment - 1):
        problems.append(f"general.alignment {alignment} is not a power of two")
        return problems
    tensors = {}
    for _ in range(n_tensors):
        name = r.string()
        n_dims = r.take("<I")
        if not 1 <= n_dims <= 4:
            problems.append(f"{name}: {n_dims} dimensions")
        dims = [r.take("<Q") for _ in range(n_dims)]
        kind, offset = r.take("<I"), r.take("<Q")
        if name in tensors:
            problems.append(f"duplicate tensor {name}")
        tensors[name] = (dims, kind, offset)
    data_start = (r.pos + alignment - 1) // alignment * alignment
    spans = []
    for name, (dims, kind, offset) in tensors.items():
        if kind not in TYPE_SIZES:
            problems.append(f"{name}: ggml type {kind} not expected from gen-model")
            continue
        block, block_bytes = TYPE_SIZES[kind]
        if dims[0] % block:
            problems.append(f"{name}: row of {dims[0]} is not a whole number of {block}-blocks")
        count = 1
        for d in dims:
            count *= d
        size = count // block * block_bytes
        if offset % alignment:
            problems.append(f"{name}: offset {offset} not aligned to {alignment}")
        if data_start + offset + size > len(data):
            problems.append(f"{name}: data runs past the end of the file")
        spans.append((offset, offset + size, name))
    spans.sort()
    for (_, end, a), (start, _, b) in zip(spans, spans[1:]):
        if start < end:
            problems.append(f"tensors {a} and {b} overlap")
    arch = meta.get("general.architecture")
    if arch not in REQUIRED:
        problems.append(f"general.architecture {arch!r}")
        return problems
    for key in REQUIRED[arch]:
        if f"{arch}.{key}" not in meta:
            problems.append(f"missing {arch}.{key}")
    embd = tensors.get("token_embd.weight")
    if embd is None:
        problems.append("no token_embd.weight")
    elif embd[0][0] != meta.get(f"{arch}.embedding_length"):
        problems.append(f"token_embd.weight rows of {embd[0][0]}, embedding_length {meta.get(arch + '.embedding_length')}")
    tokens = meta.get("tokenizer.ggml.tokens")
    if not isinstance(meta.get("tokenizer.ggml.model"), str) or not isinstance(tokens, list):
        problems.append("no tokenizer.ggml.model / tokenizer.ggml.tokens")
    elif embd is not None and len(tokens) != embd[0][1]:
        problems.append(f"{len(tokens)} tokens for an embedding of {embd[0][1]} rows")
    for extra in ("tokenizer.ggml.scores", "tokenizer.ggml.token_type"):
        if extra in meta and tokens is not None and len(meta[extra]) != len(tokens):
            problems.append(f"{extra} has {len(meta[extra])} entries for {len(tokens)} tokens")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--vocab-from", required=True)
    parser.add_argument("--cross", action="store_true")
    args = parser.parse_args()
    if args.cross:
        print("SKIP: cross build: the host cannot run the target's CLI to write the files")
        return 77
    cases = [["--preset", "stories15m", "--layers", "1", "--type", t] for t in ("f32", "f16", "bf16", "q8_0", "q4_0")]
    cases.append(["--preset", "stories15m", "--layers", "2", "--type", "q8_0", "--vocab-from", args.vocab_from])
    cases.append(["--preset", "gpt2-small", "--layers", "1", "--type", "q4_0"])
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases):
            out = os.path.join(tmp, f"m{i}.gguf")
            run = subprocess.run([args.cli, "gen-model", *case, "-o", out], capture_output=True, text=True)
            if run.returncode != 0:
                print(f"FAIL {' '.join(case)}: gen-model exited {run.returncode}: {run.stderr.strip()}")
                failed += 1
                continue
            try:
                problems = validate(out)
            except (ValueError, UnicodeDecodeError) as e:
                problems = [str(e)]
            for p in problems:
                print(f"FAIL {' '.join(case)}: {p}")
            if not problems:
                print(f"ok   {' '.join(case)} ({os.path.getsize(out)} bytes)")
            failed += bool(problems)
        # The checker itself must catch a broken file: a version-2 header.
        broken = os.path.join(tmp, "m0.gguf")
        data = bytearray(open(broken, "rb").read())
        data[4:8] = struct.pack("<I", 2)  # version 2 where 3 is required
        open(broken, "wb").write(bytes(data))
        if not any("version" in p for p in validate(broken)):
            print("FAIL the checker accepted a version-2 header")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
