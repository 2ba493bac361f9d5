#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks, as TAP, that every ui/ and data/ file with translatable strings is
# listed in po/POTFILES.in, and that pt_BR.po translates every string the
# sources have *now* (a fresh extraction, not the possibly stale .po).
set -u
src="${SVD_SOURCE_ROOT:?SVD_SOURCE_ROOT must point at the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 1

echo "1..5"
n=0
fail=0
result () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

listed=$(grep -v '^#' po/POTFILES.in | sed '/^[[:space:]]*$/d')

# 1. Files with translatable strings are listed.
missing=""
while IFS= read -r f; do
  if ! grep -qxF "$f" <<<"$listed"; then missing="$missing $f"; fi
done < <(
  { grep -rlE '\b(N|C|NC)?_\(|translatable="yes"' ui data --include='*.c' --include='*.h' --include='*.ui' --include='*.in' --include='*.xml' 2>/dev/null
    find data -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml'; } | sort -u)
[ -z "$missing" ] || echo "# not in po/POTFILES.in:$missing"
result "$([ -z "$missing" ]; echo $?)" "every ui/ and data/ file with translatable strings is in POTFILES.in"

# 2. Every listed file exists.
gone=""
for f in $listed; do [ -f "$f" ] || gone="$gone $f"; done
[ -z "$gone" ] || echo "# listed in po/POTFILES.in but missing:$gone"
result "$([ -z "$gone" ]; echo $?)" "every file in POTFILES.in exists"

# 3. A fresh template, extracted like meson's glib preset does.
xgettext --package-name=svd-studio --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
  --flag=g_string_append_printf:2:c-format --flag=g_set_error:4:c-format \
  -f po/POTFILES.in -D . -o "$tmp/svd-studio.pot" 2>"$tmp/xgettext.log"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/xgettext.log"
result $rc "xgettext extracts the strings of every file in POTFILES.in"

# 4. pt_BR covers every string of the fresh template, none fuzzy.
for lang in $(grep -v '^#' po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/svd-studio.pot" -o "$tmp/$lang.po"
  untranslated=$(msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ')
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "po/$lang.po" | grep -c '^msgid ')
  echo "# $lang: $(msgfmt --statistics -o /dev/null "$tmp/$lang.po" 2>&1)"
  if [ "$untranslated" -ne 0 ] || [ "$fuzzy" -ne 0 ]; then
    msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -A1 '^msgid ' | sed 's/^/# untranslated: /'
    result 1 "$lang.po translates every string with no fuzzy entries"
  else
    result 0 "$lang.po translates every string with no fuzzy entries"
  fi
done

# 5. Format strings and headers are valid.
ok=0
for lang in $(grep -v '^#' po/LINGUAS); do
  msgfmt --check -o /dev/null "po/$lang.po" 2>&1 | sed 's/^/# /'
  [ "${PIPESTATUS[0]}" -eq 0 ] || ok=1
done
result $ok "msgfmt --check accepts every .po file"

exit $fail
