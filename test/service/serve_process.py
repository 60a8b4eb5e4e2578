"""Starts `edge-rt-async serve` on a free loopback port for the service tests, and raw HTTP helpers."""
import json
import re
import socket
import subprocess
import time


class Serve:
    def __init__(self, cli, model, *extra, env=None):
        self.proc = subprocess.Popen([cli, 'serve', model, '--port', '0', *extra], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.log = []
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise RuntimeError('serve exited: ' + ''.join(self.log))
            self.log.append(line)
            m = re.search(r'listening on http://([\d.]+):(\d+)', line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                return
        raise RuntimeError('serve did not start')

    def connect(self, timeout=30):
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def stop(self, timeout=60):
        """SIGTERM; returns the exit code and the rest of the log."""
        self.proc.terminate()
        rest = self.proc.communicate(timeout=timeout)[1]
        self.log.append(rest)
        return self.proc.returncode, ''.join(self.log)


def read_response(s):
    """Reads one HTTP response (Content-Length or until close): (status, headers, body bytes)."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError('closed before a response head: %r' % data)
        data += chunk
    head, body = data.split(b'\r\n\r\n', 1)
    lines = head.decode().split('\r\n')
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (l.split(':', 1) for l in lines[1:])}
    if 'content-length' in headers:
        n = int(headers['content-length'])
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body[:n]
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return status, headers, body
        body += chunk


def request(serve, method, path, body=None, headers=None, raw=None, keep=None):
    """One request on a new connection; returns (status, headers, body)."""
    with serve.connect() as s:
        if raw is None:
            payload = b'' if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            h = {'Host': 'x', 'Connection': 'close'}
            if body is not None:
                h['Content-Type'] = 'application/json'
                h['Content-Length'] = str(len(payload))
            h.update(headers or {})
            raw = (f'{method} {path} HTTP/1.1\r\n' + ''.join(f'{k}: {v}\r\n' for k, v in h.items()) + '\r\n').encode() + payload
        s.sendall(raw)
        return read_response(s)


def sse_events(body):
    """The JSON payloads of a server-sent-events body, and whether it ended with [DONE]."""
    events, done = [], False
    for block in body.decode().split('\n\n'):
        if not block.startswith('data: '):
            continue
        data = block[len('data: '):]
        if data == '[DONE]':
            done = True
        else:
            events.append(json.loads(data))
    return events, done
