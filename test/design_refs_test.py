#!/usr/bin/env python3
"""Every "DESIGN.md §n" cited in the sources names a section docs/DESIGN.md has ("## n. ...")."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
design = root / 'docs' / 'DESIGN.md'
if not design.is_file():
    print(f'{design}: missing')
    sys.exit(1)
sections = set(re.findall(r'^## (\d+)\. ', design.read_text(encoding='utf-8'), re.M))
cited = 0
bad = []
for folder in ('lib', 'tools', 'examples', 'test', 'bench', 'configs', 'scripts'):
    for path in sorted((root / folder).rglob('*')):
        if not path.is_file() or path.suffix not in {'.cpp', '.hpp', '.h', '.c', '.py', '.build', '.toml', '.sh'}:
            continue
        text = path.read_text(encoding='utf-8', errors='replace')
        for number in re.findall(r'DESIGN\.md §(\d+)', text):
            cited += 1
            if number not in sections:
                bad.append(f'{path.relative_to(root)}: cites DESIGN.md §{number}, which docs/DESIGN.md does not have')
for line in bad:
    print(line)
print(f'{cited} citations, sections {sorted(sections, key=int)}')
sys.exit(1 if bad or cited == 0 else 0)
