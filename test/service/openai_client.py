#!/usr/bin/env python3
"""Runs the official openai npm client test (client/openai_client_test.mjs) against `serve`.

Skips (exit 77) when node or the client's node_modules is missing, unless CI is set: in CI the
client must be installed (scripts/install-deps.sh does `npm ci` in test/service/client).
"""
import argparse
import os
import shutil
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
client = os.path.join(here, 'client')

ap = argparse.ArgumentParser()
ap.add_argument('--cli', required=True)
ap.add_argument('--model', required=True)
ap.add_argument('--sanitize', default='none')
args = ap.parse_args()

node = shutil.which('node')
missing = None
if not node:
    missing = 'node is not installed'
elif not os.path.isdir(os.path.join(client, 'node_modules', 'openai')):
    missing = 'the openai client is not installed (npm ci in test/service/client)'
if missing:
    if os.environ.get('CI'):
        print(f'FAIL: {missing}, and CI is set', file=sys.stderr)
        sys.exit(1)
    print(f'SKIP: {missing}')
    sys.exit(77)

r = subprocess.run([node, os.path.join(client, 'openai_client_test.mjs'), args.cli, args.model],
                   cwd=client, timeout=600)
sys.exit(r.returncode)
