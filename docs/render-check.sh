#!/usr/bin/env bash
# Renders the charts demo report in headless Chromium and saves a screenshot, so the charts can be
# checked by eye (overlaps, clipped labels, colours). Not run by `swift test`.
#
# USAGE: docs/render-check.sh [OUT_DIR]      (default OUT_DIR: .build/render-check)
# Needs Chromium: apt-get update && apt-get install -y chromium
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.build/render-check}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

swift build -c release --product driftlab
.build/release/driftlab charts-demo --out "$out"

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "error: no Chromium found; install it with: apt-get update && apt-get install -y chromium" >&2
    exit 1
fi
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$out/report.png" --window-size=1400,3000 "file://$out/report.html" 2>/dev/null
# A small picture of the top of the page for the README (docs/images/report-demo.png).
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=0.75 \
    --screenshot="$out/report-small.png" --window-size=1100,1500 "file://$out/report.html" 2>/dev/null
echo "wrote $out/report.html, $out/report.png and $out/report-small.png"
