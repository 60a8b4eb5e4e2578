#!/usr/bin/env python3
"""Integration test of examples/http-service: starts edge-rt-http on an ephemeral loopback
port, runs several concurrent POST /generate streams while a client sends GET /health requests
back to back, and checks that

  - every stream's final text equals `edge-rt-async run --json` for the same prompt/seed/temp;
  - /health stays fast while inference runs: p99 under 10 ms natively (under sanitizers 50 ms,
    under an emulator 250 ms: those slow every instruction, not the design) - p50/p99 printed;
  - bad requests get the right 4xx with a JSON message; a client that disconnects mid-stream
    cancels its generation (the service's /metrics counts it and no generation stays active).

    http_service_test.py --server EXE --cli CLI --model GGUF [--sanitize S]
Under a cross build the server and the CLI run through $MESON_EXE_WRAPPER.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import shlex
import socket
import subprocess
import sys
import threading
import time

CASES = [("Once upon a time", 200, 1, 0.0), ("The little dog", 200, 42, 0.8), ("Lily and Ben", 200, 7, 0.8),
         ("One day", 200, 3, 1.0)]


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def wrapper():
    return shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))


def start_server(args):
    proc = subprocess.Popen(wrapper() + [args.server, "--model", args.model, "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("listening on 127.0.0.1:"):
        fail(f"server did not start: {line!r}")
    port = int(line.rsplit(":", 1)[1])
    if not proc.stdout.readline().startswith("model loaded"):
        fail("the model did not load")
    return proc, port


def request(port, method, path, body=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body is not None else {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def generate_stream(port, prompt, n, seed, temp, out, index):
    body = json.dumps({"prompt": prompt, "max_tokens": n, "seed": seed, "temperature": temp})
    status, data = request(port, "POST", "/generate", body, timeout=600)
    if status != 200:
        out[index] = ("error", status, data)
        return
    events = data.decode().split("\n\n")
    pieces = [json.loads(e[6:])["text"] for e in events if e.startswith("data: ")]
    done = [json.loads(e.split("data: ", 1)[1]) for e in events if e.startswith("event: done")]
    out[index] = ("ok", "".join(pieces), done[0] if done else None)


def health_loop(port, stop, latencies):
    """Runs in its own process, so the stream readers' threads (and the GIL) do not add to the timings."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # keep-alive
    local = []
    while not stop.is_set():
        start = time.perf_counter()
        conn.request("GET", "/health")
        resp = conn.getresponse()
        resp.read()
        # A failed /health counts as infinitely slow.
        local.append((time.perf_counter() - start) * 1000.0 if resp.status == 200 else float("inf"))
        if len(local) == 50:  # publish in batches: one round trip to the manager per 50
            latencies.extend(local)
            local.clear()
        time.sleep(0.002)
    conn.close()
    latencies.extend(local)


def cli_text(args, prompt, n, seed, temp):
    out = subprocess.run(wrapper() + [args.cli, "run", "-m", args.model, "-p", prompt, "-n", str(n), "--seed",
                                      str(seed), "--temp", str(temp), "--json"],
                         stdout=subprocess.PIPE, check=True, timeout=600).stdout
    return json.loads(out)["text"]


def run_round(port, results):
    streams = [threading.Thread(target=generate_stream, args=(port, *case, results, i)) for i, case in enumerate(CASES)]
    for t in streams:
        t.start()
    for t in streams:
        t.join()


def check_concurrent_streams(args, port):
    """Rounds of concurrent streams (up to 5) until /health was timed at least 300 times while
    they ran, so that p99 is not just the second-worst of a handful."""
    manager = multiprocessing.Manager()
    latencies, stop = manager.list(), manager.Event()
    health = multiprocessing.Process(target=health_loop, args=(port, stop, latencies))
    health.start()
    time.sleep(0.05)
    rounds = []
    while len(rounds) < 5 and (not rounds or len(latencies) < 300):
        results = [None] * len(CASES)
        run_round(port, results)
        rounds.append(results)
    stop.set()
    health.join()
    wants = [cli_text(args, *case) for case in CASES]
    for results in rounds:
        for (prompt, n, seed, temp), want, r in zip(CASES, wants, results):
            if r[0] != "ok" or r[2] is None:
                fail(f"stream {prompt!r} failed: {r}")
            if r[1] != want or r[2]["text"] != want:
                fail(f"stream {prompt!r} seed {seed}: {r[1]!r} != CLI {want!r}")
    for (prompt, n, seed, temp), r in zip(CASES, rounds[0]):
        print(f"ok: stream {prompt!r} seed {seed} temp {temp}: same text as the CLI ({len(r[2]['tokens'])} tokens)"
              f" in each of {len(rounds)} rounds")
    return sorted(latencies)


def check_bad_requests(port):
    cases = [("POST", "/generate", "{not json", 400, "malformed JSON"),
             ("POST", "/generate", json.dumps({"prompt": "x", "bogus": 1}), 400, "unknown field 'bogus'"),
             ("POST", "/generate", json.dumps({"prompt": "x", "max_tokens": 0}), 400, "max_tokens"),
             ("POST", "/generate", json.dumps({"prompt": "x" * 70000}), 413, "over the limit"),
             ("POST", "/generate", json.dumps({"prompt": "Once upon a time " * 1000, "max_tokens": 1}), 400,
              "more than the context"),
             ("GET", "/generate", None, 405, "POST"),
             ("GET", "/nowhere", None, 404, "no such path")]
    for method, path, body, status, needle in cases:
        got, data = request(port, method, path, body)
        message = json.loads(data).get("error", "")
        if got != status or needle not in message:
            fail(f"{method} {path} {str(body)[:40]!r}: {got} {message!r}, expected {status} with {needle!r}")
        print(f"ok: {method} {path} -> {got} {message[:70]!r}")


def check_disconnect_cancels(port):
    _, before = request(port, "GET", "/metrics")
    before = json.loads(before)
    body = json.dumps({"prompt": "Once upon a time", "max_tokens": 480, "temperature": 0.8, "seed": 5}).encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
              str(len(body)).encode() + b"\r\n\r\n" + body)
    first = s.recv(4096)
    s.close()  # mid-stream
    if b"200 OK" not in first:
        fail(f"generate did not start streaming: {first[:80]!r}")
    for _ in range(500):
        _, after = request(port, "GET", "/metrics")
        after = json.loads(after)
        # The session is freed once the connection's coroutine has ended, after the completion.
        if after["model"]["active_generations"] == 0 and after["model"]["sessions"] == 0:
            break
        time.sleep(0.01)
    if after["cancelled"] != before["cancelled"] + 1 or after["client_disconnects"] != before["client_disconnects"] + 1:
        fail(f"disconnect did not cancel the generation: {before} -> {after}")
    if after["model"]["sessions"] != 0 or after["model"]["active_generations"] != 0:
        fail(f"sessions left after the disconnect: {after['model']}")
    passes = after["model"]["passes"] - before["model"]["passes"]
    print(f"ok: disconnect cancelled its generation after {passes} of 480 passes")


def percentiles(latencies):
    return latencies[len(latencies) // 2], latencies[min(len(latencies) - 1, (len(latencies) * 99) // 100)]


def main():
    ap = argparse.ArgumentParser()
    for name in ("--server", "--cli", "--model"):
        ap.add_argument(name, required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("--cross", action="store_true")
    args = ap.parse_args()
    if args.cross and not wrapper():
        print("SKIP: cross build: meson gives script tests no MESON_EXE_WRAPPER to run the target's server")
        return 77
    limit = 250.0 if wrapper() else 50.0 if args.sanitize not in ("", "none") else 10.0
    proc, port = start_server(args)
    try:
        # Up to 3 measurements: on a shared, overloaded machine the OS alone can deschedule the
        # server for 10 ms; an io_context that really blocks fails every one of them.
        for attempt in range(1, 4):
            latencies = check_concurrent_streams(args, port)
            if len(latencies) < 20:
                fail("too few /health requests were timed to say anything")
            p50, p99 = percentiles(latencies)
            lag = json.loads(request(port, "GET", "/metrics")[1])["loop_lag_ms"]
            print(f"attempt {attempt}: /health latency during {len(CASES)} concurrent generations: "
                  f"{len(latencies)} requests, p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1]:.2f} ms "
                  f"(limit p99 < {limit} ms); io_context lag (a 2 ms timer in the server, last {lag['samples']} "
                  f"firings): p50 {lag['p50']:.2f} ms, p99 {lag['p99']:.2f} ms")
            if p99 < limit:
                break
        check_bad_requests(port)
        check_disconnect_cancels(port)
    finally:
        proc.terminate()
        code = proc.wait(timeout=60)
    if code != 0:
        fail(f"the server exited with {code} on SIGTERM")
    if p99 >= limit:
        fail(f"/health p99 {p99:.2f} ms is over {limit} ms in every attempt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
