#!/usr/bin/env python3
"""No file under tools/ or examples/ includes a private header (lib/src/): they are built on the
public API (lib/include/edge_rt/) and tools/common only. PENDING may list a file that must
still reach inside, with its reason; a listed file that no longer needs it fails too, so the list
only shrinks."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
PENDING = set()  # every file is on the public API now; a new exception needs a reason here
search = [root / 'lib' / 'include', root / 'tools' / 'common', root / 'tools' / 'edge-rt-async']
private = root / 'lib' / 'src'
bad, pending_clean = [], []
checked = 0
for folder in ('tools', 'examples'):
    for path in sorted((root / folder).rglob('*')):
        if not path.is_file() or path.suffix not in {'.cpp', '.hpp', '.h', '.c'}:
            continue
        checked += 1
        rel = str(path.relative_to(root))
        uses_private = False
        for name in re.findall(r'^\s*#\s*include\s+"([^"]+)"', path.read_text(encoding='utf-8'), re.M):
            if any((d / name).is_file() for d in [path.parent] + search):
                continue
            if (private / name).is_file():
                uses_private = True
                if rel not in PENDING:
                    bad.append(f'{rel}: includes "{name}" from lib/src (use a public header in lib/include/edge_rt/)')
        if rel in PENDING and not uses_private:
            pending_clean.append(f'{rel}: no longer includes lib/src: remove it from PENDING')
for line in bad + pending_clean:
    print(line)
print(f'{checked} files checked')
sys.exit(1 if bad or pending_clean or checked == 0 else 0)
