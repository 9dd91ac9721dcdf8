#!/usr/bin/env bash
# Renders the reports in headless Chromium and saves screenshots, so the charts can be checked by
# eye (overlaps, clipped labels, colours, legends): the charts demo (synthetic data, every chart
# kind), the standard sweep's report redrawn from results/standard/summary.json (real data), and the
# capstone postmortem's report as committed in results/capstone (`driftlab diagnose`, see its README).
# Not run by `swift test`.
#
# USAGE: docs/render-check.sh [OUT_DIR] [--readme-image]   (default OUT_DIR: .build/render-check)
# Look at the PNGs (any image viewer); each section of the sweep report has its own.
#   --readme-image  also copy the sweep report's picture to docs/images/sweep-report.png
# Needs Chromium: apt-get update && apt-get install -y chromium
set -euo pipefail
cd "$(dirname "$0")/.."
out=".build/render-check"
readme_image=0
for arg in "$@"; do
    case "$arg" in
        --readme-image) readme_image=1 ;;
        *) out="$arg" ;;
    esac
done
mkdir -p "$out/demo" "$out/sweep" "$out/postmortem"
out="$(cd "$out" && pwd)"

# DRIFTLAB_BINARY=.build/debug/driftlab skips the release build (the reports are the same bytes).
driftlab="${DRIFTLAB_BINARY:-}"
if [ -z "$driftlab" ]; then
    swift build -c release --product driftlab
    driftlab=.build/release/driftlab
fi
"$driftlab" charts-demo --out "$out/demo" --quiet
"$driftlab" report results/standard --out "$out/sweep/report.html" --quiet

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "error: no Chromium found; install it with: apt-get update && apt-get install -y chromium" >&2
    exit 1
fi
shot() {  # shot PAGE PNG WIDTH HEIGHT [SCALE]: a screenshot of the page's top
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor="${5:-1}" \
        --screenshot="$2" --window-size="$3,$4" "file://$1" 2>/dev/null
}
section() {  # section PAGE ANCHOR PNG WIDTH HEIGHT [SCALE]: a screenshot from the section with that id
    # The page in a frame scrolled to the anchor, so any part of a long page can be looked at.
    local frame="$(dirname "$3")/frame-$2.html"
    printf '<!DOCTYPE html><html><body style="margin:0;overflow:hidden"><iframe src="%s#%s" style="border:0;width:100%%;height:100vh"></iframe></body></html>\n' \
        "file://$1" "$2" > "$frame"
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
        --force-device-scale-factor="${6:-1}" --screenshot="$3" --window-size="$4,$5" "file://$frame" 2>/dev/null
}

shot "$out/demo/report.html" "$out/demo/report.png" 1400 3000
shot "$out/sweep/report.html" "$out/sweep/top.png" 1300 1600
for id in detectors-and-the-diagnosis confusion-matrices power-against-severity detection-delay false-alarms root-cause-feature runs; do
    section "$out/sweep/report.html" "$id" "$out/sweep/$id.png" 1300 1600
done
# The README's picture: the diagnosis's confusion matrices, scaled down.
section "$out/sweep/report.html" confusion-matrices "$out/sweep/readme.png" 1280 560 0.75
if [ "$readme_image" = 1 ]; then cp "$out/sweep/readme.png" docs/images/sweep-report.png; fi
# The capstone postmortem: its first screen (the README-sized picture) and the whole page.
shot "$(pwd)/results/capstone/report.html" "$out/postmortem/top.png" 1100 1500
shot "$(pwd)/results/capstone/report.html" "$out/postmortem/report.png" 1100 4200
if [ "$readme_image" = 1 ]; then cp "$out/postmortem/top.png" docs/images/postmortem-report.png; fi
echo "wrote $out/demo/report.png, $out/sweep/*.png (top, one per section, readme.png) and $out/postmortem/*.png"
