#!/usr/bin/env python3
"""The embedding example (examples/http-service) serves the OpenAI API on its own io_context:
it starts, lists the model, answers a completion, and stops on SIGINT with exit 0."""
import json
import re
import subprocess
import sys

from serve_process import read_response

import socket

exe, model = sys.argv[1], sys.argv[2]
p = subprocess.Popen([exe, model, '0'], stderr=subprocess.PIPE, text=True)
line = p.stderr.readline()
m = re.search(r'listening on http://([\d.]+):(\d+)', line)
if not m:
    print('FAIL: no address:', line, p.stderr.read(), file=sys.stderr)
    sys.exit(1)
addr = (m.group(1), int(m.group(2)))
body = json.dumps({'prompt': 'Once upon a time', 'max_tokens': 8, 'temperature': 0}).encode()
with socket.create_connection(addr, timeout=60) as s:
    s.sendall(b'GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n')
    st1, _, models = read_response(s)
    s.sendall(b'POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
    st2, _, completion = read_response(s)
p.send_signal(2)
code = p.wait(timeout=60)
r = json.loads(completion)
print('models:', models.decode(), '\ncompletion:', r['choices'][0]['text'])
ok = st1 == 200 and st2 == 200 and r['usage']['completion_tokens'] == 8 and code == 0
print('ok' if ok else f'FAIL: {st1} {st2} exit {code}')
sys.exit(0 if ok else 1)
