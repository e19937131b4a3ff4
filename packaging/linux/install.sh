#!/bin/sh
# Install the office console's one-folder bundle (built by `make package`) like any Linux app:
# the program folder, a `portal-console` command, the desktop entry, AppStream metadata and the
# icons in every hicolor size.
#
#   install.sh [--user | --system] [--bundle DIR]     install (default: --user, into ~/.local)
#   install.sh [--user | --system] --uninstall        remove what install.sh placed
#
# --user needs no privileges; --system (as root) installs under /opt and /usr/local.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
packaging=$(dirname "$here")
app_id=io.toolbag.Portal
scope=user
action=install
bundle=

while [ $# -gt 0 ]; do
  case "$1" in
    --user) scope=user ;;
    --system) scope=system ;;
    --uninstall) action=uninstall ;;
    --bundle) shift; bundle=${1:?--bundle needs a folder} ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$scope" = user ]; then
  data=${XDG_DATA_HOME:-$HOME/.local/share}
  prefix_bin=$HOME/.local/bin
  program=$data/toolbag-portal
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: --system needs root (or use --user)" >&2; exit 1
  fi
  data=/usr/local/share
  prefix_bin=/usr/local/bin
  program=/opt/toolbag-portal
fi

refresh_caches() {
  command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database -q "$data/applications" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
}

if [ "$action" = uninstall ]; then
  rm -rf "$program"
  rm -f "$prefix_bin/portal-console" "$data/applications/$app_id.desktop" \
        "$data/metainfo/$app_id.metainfo.xml"
  for icon in "$data"/icons/hicolor/*/apps/"$app_id".png "$data"/icons/hicolor/scalable/apps/"$app_id".svg; do
    [ -e "$icon" ] && rm -f "$icon"
  done
  refresh_caches
  echo "Removed Toolbag Portal ($scope)."
  exit 0
fi

if [ -z "$bundle" ]; then
  # The newest bundle `make package` left in dist/.
  bundle=$(ls -d "$packaging"/../dist/toolbag-portal-*/ 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$bundle" ] || [ ! -x "$bundle/portal-console" ]; then
  echo "install.sh: no bundle found; run 'make package' first or pass --bundle DIR" >&2
  exit 1
fi

mkdir -p "$program" "$prefix_bin" "$data/applications" "$data/metainfo"
# Replace the program folder whole, so files of an older version do not linger.
rm -rf "$program.new"
cp -a "$bundle/." "$program.new/"
rm -rf "$program"
mv "$program.new" "$program"
ln -sf "$program/portal-console" "$prefix_bin/portal-console"

# The desktop entry runs the installed program by its full path: ~/.local/bin is not on every
# desktop session's PATH.
sed "s|^Exec=portal-console|Exec=$program/portal-console|" "$packaging/$app_id.desktop" \
  > "$data/applications/$app_id.desktop"
cp "$packaging/$app_id.metainfo.xml" "$data/metainfo/"
for size_dir in "$packaging"/icons/hicolor/*/; do
  size=$(basename "$size_dir")
  mkdir -p "$data/icons/hicolor/$size/apps"
  cp "$size_dir"apps/* "$data/icons/hicolor/$size/apps/"
done
refresh_caches
echo "Installed Toolbag Portal ($scope) in $program; start it from the menu or with portal-console."
