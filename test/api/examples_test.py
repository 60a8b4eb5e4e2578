#!/usr/bin/env python3
"""Installs the build into a temporary prefix, then runs an embedding example against the
INSTALLED library and checks its text equals `edge-rt-async run --json` for the same seed.

    examples_test.py c|python --meson M --build-root B --source-root S --cli CLI --model GGUF
                     [--sanitize b_sanitize] [--cross]

c: compiles examples/c/generate.c with the host cc and `pkg-config --cflags --libs edge-rt-async`.
python: runs examples/python/generate.py (ctypes) on the installed libedge-rt-async.so.
Exit 77 (skipped, with the reason printed) for cross builds, and for python under sanitizers.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77
# (prompt, max tokens, seed, temperature): greedy, and sampled with a seed.
CASES = [("Once upon a time", 40, 1, "0"), ("The little dog", 30, 42, "0.8")]


def run(argv, env=None):
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(argv)} exited {p.returncode}\n{p.stderr.decode(errors='replace')}")
    return p.stdout


def install(args, destdir):
    run([args.meson, "install", "-C", args.build_root, "--no-rebuild", "--quiet", "--destdir", destdir])
    pcs = glob.glob(os.path.join(destdir, "**", "edge-rt-async.pc"), recursive=True)
    libs = glob.glob(os.path.join(destdir, "**", "libedge-rt-async.so.0"), recursive=True)
    if len(pcs) != 1 or len(libs) != 1:
        sys.exit(f"FAIL: expected one edge-rt-async.pc and one libedge-rt-async.so.0 under {destdir}")
    return pcs[0], libs[0]


def build_c(args, destdir, pc):
    # The .pc names the configured prefix; point it at the staged copy.
    prefix = None
    for line in open(pc):
        if line.startswith("prefix="):
            prefix = line.split("=", 1)[1].strip()
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc))
    flags = run(["pkg-config", f"--define-variable=prefix={destdir}{prefix}", "--cflags", "--libs",
                 "edge-rt-async"], env).decode().split()
    san = [f"-fsanitize={args.sanitize}"] if args.sanitize not in ("", "none") else []
    exe = os.path.join(destdir, "generate")
    src = os.path.join(args.source_root, "examples", "c", "generate.c")
    run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *san, src, "-o", exe, *flags])
    print("compiled with:", " ".join(flags))
    return exe


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["c", "python"])
    for name in ("--meson", "--build-root", "--source-root", "--cli", "--model"):
        ap.add_argument(name, required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("--cross", action="store_true")
    args = ap.parse_args()
    if args.cross:
        print("SKIP: cross build: the host cc/python cannot load the target's library (qemu)")
        return SKIP
    if args.kind == "python" and args.sanitize not in ("", "none"):
        print(f"SKIP: -Db_sanitize={args.sanitize}: an instrumented library cannot be loaded into an "
              "uninstrumented python without LD_PRELOADing the sanitizer runtime")
        return SKIP
    with tempfile.TemporaryDirectory() as destdir:
        pc, lib = install(args, destdir)
        env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(lib))
        if args.kind == "c":
            exe = build_c(args, destdir, pc)
        for prompt, n, seed, temp in CASES:
            cli = json.loads(run([args.cli, "run", "-m", args.model, "-p", prompt, "-n", str(n), "--seed", str(seed),
                                  "--temp", temp, "--json"]))
            if args.kind == "c":
                got = run([exe, args.model, prompt, str(n), str(seed), temp], env)
            else:
                script = os.path.join(args.source_root, "examples", "python", "generate.py")
                got = run([sys.executable, script, "--lib", lib, args.model, prompt, "--max-tokens", str(n),
                           "--seed", str(seed), "--temp", temp], env)
            want = cli["text"].encode()
            if got != want or len(want) == 0:
                sys.exit(f"FAIL: {prompt!r} seed {seed} temp {temp}:\n  example: {got!r}\n  cli:     {want!r}")
            print(f"ok: {prompt!r} seed {seed} temp {temp}: {len(cli['generated_ids'])} tokens, same text as the CLI")
    return 0


if __name__ == "__main__":
    sys.exit(main())
