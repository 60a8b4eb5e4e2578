#!/usr/bin/env python3
"""Generates text with edge-rt-async through its C ABI, using ctypes (standard library only).

    python3 generate.py [--lib PATH] MODEL PROMPT [--max-tokens N] [--seed S] [--temp T]

Only the generated text goes to stdout (no prompt, no newline added); metrics go to stderr.
--lib defaults to $EDGE_RT_LIB, else the system's libedge-rt-async.so.0.
"""
import argparse
import ctypes
import os
import sys


class RuntimeConfig(ctypes.Structure):
    _fields_ = [("budget_bytes", ctypes.c_uint64), ("strategy", ctypes.c_int),
                ("prefetch_depth", ctypes.c_uint), ("threads", ctypes.c_uint),
                ("io_backend", ctypes.c_int), ("direct_io", ctypes.c_int), ("ctx_size", ctypes.c_size_t)]


class GenerateParams(ctypes.Structure):
    _fields_ = [("prompt", ctypes.c_char_p), ("max_tokens", ctypes.c_size_t), ("temperature", ctypes.c_float),
                ("top_k", ctypes.c_int), ("top_p", ctypes.c_float), ("repeat_penalty", ctypes.c_float),
                ("repeat_last_n", ctypes.c_int), ("seed", ctypes.c_uint64)]


class Metrics(ctypes.Structure):
    _fields_ = [("load_ms", ctypes.c_double), ("budget_bytes", ctypes.c_uint64),
                ("budget_used_bytes", ctypes.c_uint64), ("budget_peak_bytes", ctypes.c_uint64),
                ("passes", ctypes.c_uint64), ("wall_ms", ctypes.c_double), ("compute_ms", ctypes.c_double),
                ("io_ms", ctypes.c_double), ("stall_ms", ctypes.c_double), ("bytes_read", ctypes.c_uint64)]


TOKEN_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_char),
                            ctypes.c_size_t, ctypes.c_double)


def bind(path):
    lib = ctypes.CDLL(path)
    lib.edge_rt_version.restype = ctypes.c_char_p
    lib.edge_rt_last_error.restype = ctypes.c_char_p
    lib.edge_rt_runtime_create.argtypes = [ctypes.POINTER(RuntimeConfig), ctypes.POINTER(ctypes.c_void_p)]
    lib.edge_rt_runtime_destroy.argtypes = [ctypes.c_void_p]
    lib.edge_rt_model_load.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.edge_rt_model_destroy.argtypes = [ctypes.c_void_p]
    lib.edge_rt_generate_params_init.argtypes = [ctypes.POINTER(GenerateParams)]
    lib.edge_rt_generate.argtypes = [ctypes.c_void_p, ctypes.POINTER(GenerateParams), TOKEN_FN, ctypes.c_void_p,
                                     ctypes.POINTER(ctypes.c_size_t)]
    lib.edge_rt_model_metrics.argtypes = [ctypes.c_void_p, ctypes.POINTER(Metrics)]
    return lib


def check(lib, status, what):
    if status != 0:
        raise RuntimeError(f"{what}: {lib.edge_rt_last_error().decode()}")


def generate(lib, model_path, prompt, max_tokens, seed, temp):
    runtime, model = ctypes.c_void_p(), ctypes.c_void_p()
    check(lib, lib.edge_rt_runtime_create(None, ctypes.byref(runtime)), "runtime")
    try:
        check(lib, lib.edge_rt_model_load(runtime, model_path.encode(), ctypes.byref(model)), "load")
        try:
            params = GenerateParams()
            lib.edge_rt_generate_params_init(ctypes.byref(params))
            params.prompt, params.max_tokens, params.seed = prompt.encode(), max_tokens, seed
            if temp is not None:
                params.temperature = temp
            pieces = []

            def on_token(_user, _id, text, length, _ms):
                pieces.append(ctypes.string_at(text, length))
                sys.stdout.buffer.write(pieces[-1])
                sys.stdout.buffer.flush()
                return 0

            generated = ctypes.c_size_t()
            check(lib, lib.edge_rt_generate(model, ctypes.byref(params), TOKEN_FN(on_token), None,
                                            ctypes.byref(generated)), "generate")
            metrics = Metrics()
            check(lib, lib.edge_rt_model_metrics(model, ctypes.byref(metrics)), "metrics")
            print(f"edge-rt-async {lib.edge_rt_version().decode()}: {generated.value} tokens in "
                  f"{metrics.passes} passes", file=sys.stderr)
            return b"".join(pieces)
        finally:
            lib.edge_rt_model_destroy(model)
    finally:
        lib.edge_rt_runtime_destroy(runtime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("prompt")
    ap.add_argument("--lib", default=os.environ.get("EDGE_RT_LIB", "libedge-rt-async.so.0"))
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--temp", type=float, default=None)
    args = ap.parse_args()
    try:
        generate(bind(args.lib), args.model, args.prompt, args.max_tokens, args.seed, args.temp)
    except RuntimeError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
