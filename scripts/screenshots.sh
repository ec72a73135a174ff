#!/usr/bin/env bash
# Writes a PNG of each view of the window, with the demo data loaded, to
# docs/screenshots/ (or the folder given as $1). Runs the real window under
# Xvfb with Mesa's software Vulkan; installs what it needs on Debian/Ubuntu.
#
#   scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
mkdir -p "$out"

need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)
[ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] || [ -e /usr/share/vulkan/icd.d/lvp_icd.json ] || need+=(mesa-vulkan-drivers libvulkan1)
if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

echo "== building"
cargo build --release --locked
bin=target/release/listhygiene

display=":97"
Xvfb "$display" -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
runtime=$(mktemp -d)
chmod 700 "$runtime"
home=$(mktemp -d)
cleanup() {
    [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
    rm -rf "$runtime" "$home"
}
trap cleanup EXIT
sleep 1

export DISPLAY="$display" XDG_RUNTIME_DIR="$runtime" HOME="$home" LANG=en_GB.UTF-8

shot() {
    # Keep the pointer off the charts (a hovered chart draws a crosshair),
    # then give the window time to draw.
    [ "$1" = review ] || xdotool mousemove 600 818
    sleep "${2:-1.5}"
    import -window root -crop 1280x820+0+0 +repage "$out/$1.png"
    echo "   $out/$1.png"
}
key() { xdotool key --clearmodifiers "$1"; }
focus() {
    # No window manager runs: give the window the keyboard focus by hand.
    wid=$(xdotool search --sync --name "List Hygiene" | head -1)
    xdotool windowfocus --sync "$wid"
}

echo "== screenshots"
# A fresh HOME: no preferences or recent workspaces of yours appear.
# First the window as a new user sees it, then with the demo loaded.
"$bin" --workspace "$home/first.sqlite" &
app=$!
sleep 6
shot start 0
kill "$app"; wait "$app" 2>/dev/null || true

"$bin" --demo &
app=$!
sleep 8
focus
key ctrl+3; shot statistics
key ctrl+2; shot list
key ctrl+4; sleep 1
# Select the first row of the table to show its evidence.
xdotool mousemove 200 150 click 1
shot review
key ctrl+5; shot export
key ctrl+6; shot settings
echo "== done"
