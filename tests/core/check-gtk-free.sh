#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The engine (app/) must stay GTK-free: no GTK, GDK or libadwaita include in
# any file, and no such dependency named in its meson.build files.
set -u
root=${SVD_SOURCE_ROOT:?}
status=0

hits=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](gtk|gdk|adwaita|adw)[/.]' "$root/app" || true)
if [ -n "$hits" ]; then
  echo "not ok - app/ includes GTK/GDK/libadwaita headers:"
  echo "$hits" | sed 's/^/#   /'
  status=1
else
  echo "ok 1 - no GTK, GDK or libadwaita include under app/"
fi

deps=$(grep -rnE "dependency\([[:space:]]*'(gtk4|gtk\+-3\.0|libadwaita-1|gdk)" $(find "$root/app" -name meson.build) || true)
if [ -n "$deps" ]; then
  echo "not ok 2 - app/ meson.build names a GTK dependency:"
  echo "$deps" | sed 's/^/#   /'
  status=1
else
  echo "ok 2 - app/ meson.build files name no GTK dependency"
fi

# The built library must not reference GTK symbols either.
lib="${SVD_BUILD_ROOT:?}/app/libsvd.a"
if [ -f "$lib" ] && nm -u "$lib" 2>/dev/null | grep -qE ' (gtk_|gdk_|adw_)'; then
  echo "not ok 3 - libsvd.a references GTK/GDK/libadwaita symbols"
  status=1
else
  echo "ok 3 - libsvd.a references no GTK/GDK/libadwaita symbol"
fi
echo "1..3"
exit $status
