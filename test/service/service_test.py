#!/usr/bin/env python3
"""`edge-rt-async serve` over raw HTTP: every error status in OpenAI's error shape, the limits
(body, head, timeouts, sessions, connections), stop strings, keep-alive, a client disconnect
cancelling its generation and freeing its session, Prometheus text, a clean SIGTERM.

  service_test.py --cli edge-rt-async --model stories260K.gguf
"""
import argparse
import json
import re
import socket
import sys
import time

from serve_process import Serve, read_response, request, sse_events

failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def error_of(status, body):
    e = json.loads(body)['error']
    assert set(e) == {'message', 'type', 'param', 'code'}, e
    return e


def expect_error(serve, what, status, method, path, body=None, code=None, param=None, **kw):
    st, headers, b = request(serve, method, path, body, **kw)
    ok = st == status
    if ok:
        e = error_of(st, b)
        ok = (code is None or e['code'] == code) and (param is None or e['param'] == param)
    check(ok, f'{what}: {status} {code or ""} (got {st} {b[:160]!r})')
    return headers


def wait_health(serve, active, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        st, _, b = request(serve, 'GET', '/health')
        if st == 200 and json.loads(b)['active_sessions'] == active:
            return True
        time.sleep(0.05)
    return False


def metric(serve, name):
    _, _, b = request(serve, 'GET', '/metrics')
    m = re.search(r'^' + re.escape(name) + r' (\S+)$', b.decode(), re.M)
    return float(m.group(1)) if m else None


def open_stream(serve, max_tokens=400):
    s = serve.connect()
    body = json.dumps({'prompt': 'Once upon a time', 'max_tokens': max_tokens, 'stream': True}).encode()
    s.sendall(b'POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
    first = s.recv(4096) # the head and the first event: the session is taken
    assert first.startswith(b'HTTP/1.1 200'), first
    return s


def errors(serve):
    expect_error(serve, 'unknown path', 404, 'GET', '/v1/nothing', code='not_found')
    expect_error(serve, 'wrong method', 405, 'GET', '/v1/completions')
    expect_error(serve, 'malformed JSON', 400, 'POST', '/v1/completions', b'{"prompt": ', code='invalid_json')
    expect_error(serve, 'wrong type', 400, 'POST', '/v1/completions', {'prompt': 'a', 'max_tokens': 'many'},
                 param='max_tokens')
    expect_error(serve, 'unknown field', 400, 'POST', '/v1/chat/completions',
                 {'messages': [{'role': 'user', 'content': 'a'}], 'frobnicate': 1}, param='frobnicate')
    expect_error(serve, 'unknown model', 404, 'POST', '/v1/completions', {'prompt': 'a', 'model': 'gpt-9'},
                 code='model_not_found')
    expect_error(serve, 'prompt over the context', 400, 'POST', '/v1/completions',
                 {'prompt': 'Once upon a time ' * 40}, code='context_length_exceeded', param='prompt')
    expect_error(serve, 'body over the limit', 413, 'POST', '/v1/completions', {'prompt': 'x' * 5000})
    expect_error(serve, 'head over the limit', 431, 'GET', '/health', headers={'X-Big': 'y' * 20000})
    expect_error(serve, 'POST without Content-Length', 411, 'POST', '/v1/completions',
                 raw=b'POST /v1/completions HTTP/1.1\r\nHost: x\r\n\r\n')
    with serve.connect() as s: # a request that stops arriving: 408 after the header timeout
        s.sendall(b'POST /v1/completions HTTP/1.1\r\nContent-Length: 50\r\n\r\n{"pro')
        t0 = time.time()
        st, _, b = read_response(s)
        check(st == 408 and 0.3 < time.time() - t0 < 5, f'slow request: 408 after {time.time() - t0:.2f} s')


def completions(serve):
    st, _, b = request(serve, 'POST', '/v1/completions',
                       {'prompt': 'Once upon a time', 'max_tokens': 40, 'temperature': 0, 'stop': [' girl']})
    r = json.loads(b)
    check(st == 200 and r['choices'][0]['text'] == ', there was a little' and r['choices'][0]['finish_reason'] == 'stop',
          f'stop string cuts the text before it: {r["choices"][0]!r}')
    with serve.connect() as s: # Expect: 100-continue (curl sends it for bodies over 1 KiB)
        body = json.dumps({'prompt': 'Once upon a time', 'max_tokens': 2}).encode()
        s.sendall(b'POST /v1/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n'
                  % len(body))
        interim = s.recv(4096)
        s.sendall(body)
        st, _, _ = read_response(s)
        check(interim == b'HTTP/1.1 100 Continue\r\n\r\n' and st == 200, 'Expect: 100-continue gets 100, then 200')
    with serve.connect() as s: # keep-alive: two requests, one connection
        for i in range(2):
            s.sendall(b'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
            st, h, _ = read_response(s)
            check(st == 200 and 'connection' not in h, f'keep-alive request {i + 1}')
    st, _, b = request(serve, 'POST', '/v1/chat/completions',
                       {'messages': [{'role': 'user', 'content': 'Hi'}], 'max_tokens': 6, 'stream': True})
    events, done = sse_events(b)
    check(st == 200 and done and events[0]['choices'][0]['delta']['role'] == 'assistant'
          and events[-1]['choices'][0]['finish_reason'] in ('stop', 'length'), 'streamed chat ends with [DONE]')


def limits(serve, max_sessions, max_connections):
    streams = [open_stream(serve) for _ in range(max_sessions)]
    h = expect_error(serve, 'over max_sessions', 429, 'POST', '/v1/completions', {'prompt': 'a'},
                     code='too_many_sessions')
    check(h.get('retry-after') == '1', 'the 429 has Retry-After')
    cancelled = metric(serve, 'edge_rt_cancelled_total')
    for s in streams: # the clients go away mid-generation: generations cancel, sessions free
        s.close()
    check(wait_health(serve, 0), 'disconnected clients free their sessions')
    deadline = time.time() + 10
    while metric(serve, 'edge_rt_cancelled_total') < cancelled + max_sessions and time.time() < deadline:
        time.sleep(0.05)
    check(metric(serve, 'edge_rt_cancelled_total') == cancelled + max_sessions, 'disconnects count as cancelled')
    idle = [serve.connect() for _ in range(max_connections)]
    time.sleep(0.3)
    with serve.connect() as s:
        st, h, b = read_response(s)
        check(st == 503 and h.get('retry-after') == '1', f'over max_connections: 503 with Retry-After (got {st})')
    for s in idle:
        s.close()


def prometheus(serve):
    # The limits check just closed max_connections idle sockets; until the server has seen them
    # go, a new connection is still over the limit (503), so wait for a 200 first.
    deadline = time.time() + 10
    while True:
        st, h, b = request(serve, 'GET', '/metrics')
        if st != 503 or time.time() > deadline:
            break
        time.sleep(0.05)
    text = b.decode()
    sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? '
                        r'([-+0-9.eE]+|NaN|[+-]Inf)$')
    ok = all(l.startswith('# HELP ') or l.startswith('# TYPE ') or sample.match(l) for l in text.splitlines())
    names = set(re.findall(r'^# TYPE (\S+)', text, re.M))
    check(ok and h['content-type'].startswith('text/plain; version=0.0.4') and
          {'edge_rt_passes_total', 'edge_rt_budget_peak_bytes', 'edge_rt_queue_length'} <= names,
          'metrics are Prometheus text')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cli', required=True)
    ap.add_argument('--model', required=True)
    args = ap.parse_args()
    serve = Serve(args.cli, args.model, '--max-sessions', '2', '--max-connections', '8', '--max-body', '4096',
                  '--header-timeout-ms', '500', '--ctx-size', '128')
    try:
        errors(serve)
        completions(serve)
        limits(serve, 2, 8)
        prometheus(serve)
    finally:
        code, log = serve.stop()
    check(code == 0 and 'SIGTERM: stopping' in log, f'SIGTERM stops it cleanly (exit {code})')
    if failures:
        print(log, file=sys.stderr)
        print(f'{len(failures)} failed', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
