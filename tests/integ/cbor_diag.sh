# tether cbor-diag: one line per item, and on malformed input one line
# "tether: cbor-diag: byte OFFSET: REASON" on stderr, exit 1.
. "$TETHER_SRC/tests/integ/lib.sh"

T cbor-diag --help >/dev/null 2>&1 || skip_all "no cbor-diag in this tether (CONFIG_CMD_CBOR_DIAG is off)"

# unhex HEX: the bytes (printf's octal escapes: POSIX sh has no \x)
unhex() {
	printf "$(printf %s "$1" | awk '{
		for (i = 1; i < length($0); i += 2) {
			hi = index("0123456789abcdef", substr($0, i, 1)) - 1
			lo = index("0123456789abcdef", substr($0, i + 1, 1)) - 1
			printf "\\%03o", hi * 16 + lo
		} }')"
}

# diag HEX [ARGS]: stdout in $out, stderr in $err, status in $rc
diag() {
	_hex=$1
	shift
	unhex "$_hex" >"$TMP/in"
	T cbor-diag "$@" <"$TMP/in" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

diag a26161016162820203
is "$out" '{"a": 1, "b": [2, 3]}' "a map prints in diagnostic notation"
is "$rc" 0 "and exits 0"

diag 0161614163f97e00c249010000000000000000
is "$out" "$(printf '1\n"a"\nh%s\nNaN\n18446744073709551616' "'63'")" "a sequence prints one item a line"

diag 5f42010243030405ff -j
is "$out" '"AQIDBAU"' "-j prints bytes as base64url"
diag bf6346756ef563416d7421ff --json
is "$out" '{"Fun": true, "Amt": -2}' "--json prints an indefinite map as an object"

diag 8201f801
is "$rc" 1 "a two-byte simple value below 32 exits 1"
is "$err" "tether: cbor-diag: byte 2: two-byte simple value below 32" "naming its offset and the reason"
is "$out" "" "and prints nothing of that item"

diag 01ff
is "$out" "1" "items before a malformed one are printed"
is "$err" "tether: cbor-diag: byte 1: break outside an indefinite-length item" "then the error"

diag 830102
is "$err" "tether: cbor-diag: byte 3: truncated" "a truncated array is reported where the input ends"
diag 63e28261
is "$err" "tether: cbor-diag: byte 1: invalid UTF-8 in text string" "invalid UTF-8 at its byte"

diag 81818101 --max-depth 2
is "$err" "tether: cbor-diag: byte 2: nested too deep" "--max-depth limits nesting"
diag 81818101 --max-depth 3
is "$out" "[[[1]]]" "and allows what is within it"
diag 00 --max-depth 65
is "$rc" 2 "--max-depth past 64 is a usage error"
diag 00 --max-depth
is "$rc:$err" "2:tether: cbor-diag: --max-depth needs a number
usage: tether cbor-diag [-j]" "--max-depth without a number is a usage error"

diag a1810102 -j
is "$rc" 1 "-j refuses an array as a map key"
is "$out" "" "without printing half an object"
is "$err" "tether: cbor-diag: byte 1: a map key JSON cannot have (array, map or tag)" "naming the key's offset"

diag ""
is "$rc" 1 "no input exits 1"

{ unhex 5a000ffffb; head -c 1048571 /dev/zero; } >"$TMP/big"
T cbor-diag <"$TMP/big" >"$TMP/out" 2>"$TMP/err"
is "$?:$(wc -c <"$TMP/out" | tr -d ' ')" "0:2097146" "1 MiB of input is read whole"
{ cat "$TMP/big"; unhex 00; } | T cbor-diag >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:tether: cbor-diag: input larger than 1048576 bytes" "a byte more is refused"

T cbor-diag --help >"$TMP/out"
is "$?:$(head -n 1 "$TMP/out")" "0:usage: tether cbor-diag [-j]" "--help prints the usage"
T cbor-diag --bogus </dev/null >/dev/null 2>&1
is "$?" 2 "an unknown option exits 2"

done_testing
