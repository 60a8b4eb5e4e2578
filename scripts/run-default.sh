#!/usr/bin/env bash
# Quick start, part one: installs what building needs, builds edge-rt-async in release mode,
# and runs the main job on the bundled default model (models/stories260K.gguf).
# Extra arguments replace the default job, e.g.: scripts/run-default.sh run -p "Hello" --temp 0
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release --wrap-mode=nodownload >build.setup.log 2>&1 \
    || { cat build.setup.log >&2; exit 1; }
fi
meson compile -C build edge-rt-async:executable >build.build.log 2>&1 || { tail -n 60 build.build.log >&2; exit 1; }

cli=build/tools/edge-rt-async/edge-rt-async
if [ "$#" -gt 0 ]; then
  exec "$cli" "$@"
fi
# The main job: a story from the bundled model; timings go to stderr.
exec "$cli" run -p "Once upon a time" -n 64
