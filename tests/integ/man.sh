#!/bin/sh
# man/tether.8 renders without warnings (mandoc -Tlint, groff -ww) and
# stays in step with the binary and the sources: a subsection for every
# command of `tether --help`, every option of `tether CMD --help` in that
# command's subsection, every exit code of src/exitcodes.h, every record
# key of src/state.c and every environment variable the sources read.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
page=$TETHER_SRC/man/tether.8
[ -f "$page" ] || skip_all "no man/tether.8"

if have mandoc; then
	mandoc -Tlint -W warning "$page" >"$TMP/lint" 2>&1
	is "$?:$(cat "$TMP/lint")" "0:" "mandoc -Tlint finds no warning or error"
	render() { mandoc -Tutf8 -O width=200 "$page" | col -b; }
elif have groff; then
	skip "mandoc -Tlint finds no warning or error" "mandoc missing"
	render() { groff -mdoc -Tutf8 -rLL=200n "$page" 2>/dev/null | col -b; }
else
	skip_all "neither mandoc nor groff to render the page"
fi
if have groff; then
	groff -ww -z -mdoc "$page" >"$TMP/groff" 2>&1
	is "$?:$(cat "$TMP/groff")" "0:" "groff -ww -mdoc renders it without a warning"
else
	skip "groff -ww -mdoc renders it without a warning" "groff missing (Debian groff-base)"
fi
render >"$TMP/page"
ok "$([ "$(wc -l <"$TMP/page")" -gt 200 ]; echo $?)" "it renders ($(wc -l <"$TMP/page") lines)"

# section TITLE: a top-level section's text; sub NAME: a subsection's.
section() { awk -v t="$1" '$0 == t { on = 1; next } on && /^[A-Z]/ { exit } on' "$TMP/page"; }
sub() {
	awk -v t="   $1" '$0 == t { on = 1; next } on && (/^   [^ ]/ || /^[A-Z]/) { exit } on' "$TMP/page"
}

cmds=$(T --help | sed -n '/^commands:/,$p' | awk 'NR > 1 && NF { print $1 }')
ok "$([ -n "$cmds" ]; echo $?)" "tether --help lists commands: $(echo "$cmds" | tr '\n' ' ')"
for c in $cmds; do
	sub "$c" >"$TMP/sub"
	if [ ! -s "$TMP/sub" ]; then
		ok 1 "COMMANDS has a subsection for $c"
		continue
	fi
	ok 0 "COMMANDS has a subsection for $c"
	T "$c" --help >"$TMP/help" 2>&1
	missing=
	# shellcheck disable=SC2013 # options are words
	for o in $(grep -o -- '--[a-z][a-z-]*' "$TMP/help" | sort -u); do
		grep -q -- "$o\\b" "$TMP/sub" || missing="$missing $o"
	done
	for p in $(grep -o -- ' -[a-zA-Z], --[a-z][a-z-]*' "$TMP/help" | tr -d ' ' | sort -u); do
		grep -q -- "$(echo "$p" | sed 's/,/, /')" "$TMP/sub" || missing="$missing $p"
	done
	is "$missing" "" "every option of tether $c --help is in its subsection"
done

section "EXIT STATUS" >"$TMP/exit"
missing=
# shellcheck disable=SC2013 # codes are words
for code in $(sed -n 's/^[[:space:]]*EX_[A-Z]* = \([0-9]*\),.*/\1/p' "$TETHER_SRC/src/exitcodes.h"); do
	grep -q "^     $code\\b" "$TMP/exit" || missing="$missing $code"
done
is "$missing" "" "EXIT STATUS lists every code of src/exitcodes.h"

section "STATE FILES" >"$TMP/state"
missing=
for k in $(grep -o 'FLD("[a-z]*"' "$TETHER_SRC/src/state.c" | cut -d'"' -f2) argv owner; do
	grep -q "^     $k\\b\\|^     [a-z]*, $k\\b" "$TMP/state" || missing="$missing $k"
done
is "$missing" "" "STATE FILES describes every record key of src/state.c"
like "$(cat "$TMP/state")" "*55799*unknown*kept*" "and the tag and the rule for unknown keys"

section ENVIRONMENT >"$TMP/env"
missing=
for v in $(grep -hE 'getenv\("[A-Z_]+"\)|#define [A-Z_]*(ENV|VAR)[A-Z_]* +"[A-Z_]+"' "$TETHER_SRC"/src/*.[ch] |
	grep -oE '"[A-Z_]+"' | tr -d '"' | sort -u); do
	grep -q "^     \\([A-Z_]*, \\)*$v\\b" "$TMP/env" || missing="$missing $v"
done
is "$missing" "" "ENVIRONMENT lists every variable the sources read"

missing=
for s in NAME SYNOPSIS DESCRIPTION COMMANDS IDENTITY SUPERVISORS MARKERS "STATE FILES" \
	ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -q "^$s\$" "$TMP/page" || missing="$missing [$s]"
done
is "$missing" "" "every section is there"
section FILES >"$TMP/files"
like "$(cat "$TMP/files")" "*.cbor*.lock*.marker*.cbor.corrupt*" "FILES names the record, lock, marker and corrupt files"
done_testing
