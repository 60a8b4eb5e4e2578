#!/usr/bin/env bash
# Quick start, part one: installs what building needs, builds edge-rt-async in release mode,
# and runs the main job on the bundled default model (models/stories260K.gguf).
# Extra arguments replace the default job, e.g.: scripts/run-default.sh inspect -m my.gguf
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
# The runtime's generation path is not in this build yet: show what the bundled model is.
exec "$cli" inspect
