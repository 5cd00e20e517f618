#!/bin/sh
# test_example.sh BUILD_DIR EXAMPLE.cc [COMPILER FLAGS...]
#
# docs/examples/ns3-keepalive-example.cc built the way docs/ns3.md tells an
# ns-3 user to build it, against kasim as installed: `meson install
# --destdir` into a temporary folder, then g++ with pkg-config's flags for
# kasim-ns3 from there.  Prints TAP.
#
# A staged install keeps its .pc files' prefix (/usr/local); pkg-config
# is told the staged one for our two packages only (depth 2: not for
# glib, which kasim-model requires and which stays where it is).
set -u
build=$1
example=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..3"

meson install -C "$build" --destdir "$tmp" --no-rebuild --quiet >"$tmp/install.log" 2>&1
pc=$(find "$tmp" -name kasim-ns3.pc | head -n 1)
hdr=$(find "$tmp" -path '*/include/kasim/ns3/keepalive-tcp-socket.h' | head -n 1)
if [ -n "$pc" ] && [ -n "$hdr" ]; then
  echo "ok 1 installed kasim-ns3.pc and kasim/ns3/keepalive-tcp-socket.h"
else
  echo "not ok 1 installed kasim-ns3.pc and kasim/ns3/keepalive-tcp-socket.h"
  sed 's/^/# /' "$tmp/install.log"
  exit 1
fi

pcdir=$(dirname "$pc")
prefix=$(sed -n 's/^prefix=//p' "$pc")
ours=$(PKG_CONFIG_PATH=$pcdir pkg-config --define-variable=prefix="$tmp$prefix" \
  --maximum-traverse-depth=2 --cflags --libs kasim-ns3 kasim-model)
glib=$(pkg-config --cflags --libs glib-2.0)
libdir=$(PKG_CONFIG_PATH=$pcdir pkg-config --define-variable=prefix="$tmp$prefix" \
  --variable=libdir kasim-ns3)
# shellcheck disable=SC2086
if ${CXX:-c++} -std=c++17 -Wall -Wextra -Werror "$@" "$example" -o "$tmp/example" \
    $ours $glib -lns3-point-to-point >"$tmp/build.log" 2>&1; then
  echo "ok 2 the example builds with the installed files"
else
  echo "not ok 2 the example builds with the installed files"
  sed 's/^/# /' "$tmp/build.log"
  exit 1
fi

# The run the example's comment promises: 10 probes, then WSAENETRESET at
# 0.002 + 10 + 10 x 1 = 20.002 s.
out=$(LD_LIBRARY_PATH=$libdir "$tmp/example" 2>&1)
echo "$out" | sed 's/^/# /'
if echo "$out" | grep -q "^20.00[0-9] s: connection closed: keepalive_timeout, WSAENETRESET (10052), after 10 probes$"; then
  echo "ok 3 the example gives up as Vista does"
else
  echo "not ok 3 the example gives up as Vista does"
  exit 1
fi
