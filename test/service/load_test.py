#!/usr/bin/env python3
"""Load on `edge-rt-async serve`: N concurrent streaming clients plus a steady /health poll.

Every stream must complete (finish_reason, [DONE]) with the same greedy text; /health's p50/p99
latency while they generate is printed and, with --p99-ms, enforced (a latency bound only means
something on a quiet machine, so the meson test reports it without enforcing it).

--churn N then sends N more requests of which a random half are dropped by the client
mid-stream; afterwards every session must be free, and the server must exit 0 on SIGTERM (under
an ASan build, LeakSanitizer makes it exit non-zero on a leak).

  load_test.py --cli edge-rt-async --model stories260K.gguf [--clients 16] [--tokens 64]
               [--p99-ms 10] [--churn 200] [--churn-tokens 64]

/health latency is measured from a separate process (see health_poller) in two windows: from the
first connect, and the steady state while all clients are generating; --p99-ms bounds the
second.
"""
import argparse
import json
import multiprocessing
import random
import socket
import statistics
import sys
import threading
import time

from serve_process import Serve, read_response, request, sse_events


def stream_once(serve, tokens, results, i, drop_after=None, times=None):
    body = json.dumps({'prompt': 'Once upon a time', 'max_tokens': tokens, 'temperature': 0, 'stream': True}).encode()
    try:
        with serve.connect(timeout=300) as s:
            s.sendall(b'POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
            if drop_after is not None:
                got = 0
                while got < drop_after:
                    chunk = s.recv(drop_after)
                    if not chunk:
                        break
                    got += len(chunk)
                results[i] = 'dropped'
                return
            if times is not None:
                s.recv(1, socket.MSG_PEEK)  # the response has begun: this stream is generating
                begun = time.monotonic()
            st, _, b = read_response(s)
            if times is not None:
                times[i] = (begun, time.monotonic())
            events, done = sse_events(b)
            text = ''.join(e['choices'][0]['text'] for e in events if e['choices'])
            finish = [e['choices'][0]['finish_reason'] for e in events if e['choices'] and e['choices'][0]['finish_reason']]
            results[i] = (st, done, finish, text)
    except Exception as e:  # reported as a failed client
        results[i] = ('error', repr(e))


def poll_health(serve, stop, out):
    samples = []
    with serve.connect() as s:
        while not stop.is_set():
            t0 = time.perf_counter()
            s.sendall(b'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
            st, _, _ = read_response(s)
            samples.append((time.monotonic(), (time.perf_counter() - t0) * 1e3))
            assert st == 200
            time.sleep(0.01)
    out.put(samples)


def health_poller(serve):
    """Polls /health from its own process: in a thread of this one, the 16 streaming clients'
    threads would hold the GIL and their switch interval would be measured as the server's
    latency."""
    ctx = multiprocessing.get_context('fork')
    stop, out = ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=poll_health, args=(serve, stop, out))
    proc.start()

    def finish():
        stop.set()
        samples = out.get(timeout=60)
        proc.join()
        return samples
    return finish


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cli', required=True)
    ap.add_argument('--model', required=True)
    ap.add_argument('--clients', type=int, default=16)
    ap.add_argument('--tokens', type=int, default=64)
    ap.add_argument('--p99-ms', type=float)
    ap.add_argument('--churn', type=int, default=0)
    ap.add_argument('--churn-tokens', type=int, default=64)
    ap.add_argument('--threads', default='1')
    args = ap.parse_args()
    serve = Serve(args.cli, args.model, '--max-sessions', str(args.clients), '--threads', args.threads, '-q')
    ok = True
    try:
        # The same poll with nothing generating: what the machine itself adds to the latency.
        finish = health_poller(serve)
        time.sleep(3)
        idle = [ms for _, ms in finish()]
        print(f'/health idle: {len(idle)} polls, p50 {percentile(idle, 50):.2f} ms, p99 {percentile(idle, 99):.2f} ms')
        results = [None] * args.clients
        finish = health_poller(serve)
        t0 = time.time()
        times = [None] * args.clients
        clients = [threading.Thread(target=stream_once, args=(serve, args.tokens, results, i, None, times))
                   for i in range(args.clients)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        wall = time.time() - t0
        samples = finish()
        texts = {r[3] for r in results if isinstance(r, tuple) and len(r) == 4}
        complete = sum(1 for r in results if isinstance(r, tuple) and len(r) == 4 and r[0] == 200 and r[1] and r[2])
        print(f'{complete}/{args.clients} streams of {args.tokens} tokens complete in {wall:.2f} s; '
              f'{len(texts)} distinct greedy text(s)')
        if complete != args.clients or len(texts) != 1:
            print('FAIL: results:', results, file=sys.stderr)
            ok = False
        # Two windows: from the first connect (16 clients starting at once: their connects and
        # prefills), and the steady state once every stream has its first byte until the first
        # one ends, when all of them are generating. The bound applies to the steady state.
        everything = [ms for _, ms in samples]
        print(f'/health from the first connect: {len(everything)} polls, p50 {percentile(everything, 50):.2f} ms, '
              f'p99 {percentile(everything, 99):.2f} ms, max {max(everything):.2f} ms')
        if None in times:
            print('FAIL: a stream did not complete', file=sys.stderr)
            return 1
        all_begun, first_done = max(b for b, _ in times), min(e for _, e in times)
        steady = [ms for t, ms in samples if all_begun <= t <= first_done]
        if len(steady) < 50:
            print(f'only {len(steady)} polls while all {args.clients} streams were generating: use more --tokens',
                  file=sys.stderr)
            if args.p99_ms is not None:
                return 1
        p50, p99 = percentile(steady, 50), percentile(steady, 99)
        print(f'/health while generating: {len(steady)} polls, p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(steady):.2f} ms')
        if args.p99_ms is not None and p99 >= args.p99_ms:
            print(f'FAIL: /health p99 {p99:.2f} ms >= {args.p99_ms} ms', file=sys.stderr)
            ok = False
        if args.churn:
            rng = random.Random(1)
            churn = [None] * args.churn
            for start in range(0, args.churn, args.clients):
                batch = [threading.Thread(target=stream_once,
                                          args=(serve, args.churn_tokens, churn, i,
                                                rng.choice([None, rng.randint(1, 600)])))
                         for i in range(start, min(args.churn, start + args.clients))]
                for c in batch:
                    c.start()
                for c in batch:
                    c.join()
            dropped = sum(1 for r in churn if r == 'dropped')
            done = sum(1 for r in churn if isinstance(r, tuple) and len(r) == 4 and r[1])
            print(f'churn: {args.churn} requests, {dropped} dropped by the client, {done} complete')
            if dropped + done != args.churn:
                print('FAIL: churn results:', [r for r in churn if r != 'dropped' and not (isinstance(r, tuple) and len(r) == 4)],
                      file=sys.stderr)
                ok = False
            deadline = time.time() + 30
            while time.time() < deadline:
                _, _, b = request(serve, 'GET', '/health')
                if json.loads(b)['active_sessions'] == 0:
                    break
                time.sleep(0.1)
            else:
                print('FAIL: sessions still held after the churn', file=sys.stderr)
                ok = False
    finally:
        code, log = serve.stop(timeout=120)
    print(f'serve exit code after SIGTERM: {code}')
    if code != 0:
        print(log[-4000:], file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
