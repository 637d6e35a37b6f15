# CBOR interop with Debian's python3-cbor2: what cbor2 writes, `tether
# cbor-diag -j` reads to the same values; what tether's encoder writes
# (the sample test_cbor emits), cbor2 reads to the values meant.
. "$TETHER_SRC/tests/integ/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no $PY (apt-get install python3-cbor2)"
"$PY" -c 'import cbor2' 2>/dev/null || skip_all "no cbor2 for $PY (apt-get install python3-cbor2)"

# record RESULTS: lines "STATUS DESCRIPTION" from the Python side, as TAP
record() {
	while read -r st desc; do
		ok "$st" "$desc"
	done <"$1"
}

# --- cbor2 -> tether ---

if ! T cbor-diag --help >/dev/null 2>&1; then
	skip "tether cbor-diag -j reads cbor2's items" "no cbor-diag in this tether (CONFIG_CMD_CBOR_DIAG is off)"
else

"$PY" - "$TMP/in.cbor" "$TMP/want.jsonl" <<'EOF'
import base64, json, math, sys
import cbor2

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def key(k):
    if isinstance(k, str):
        return k
    if isinstance(k, bool) or k is None:
        return json.dumps(k)
    if isinstance(k, bytes):
        return b64u(k)
    return str(k)

def to_json(v):
    """RFC 8949 6.1, as cbor-diag -j documents it."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, bytes):
        return b64u(v)
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {key(k): to_json(x) for k, x in v.items()}
    if isinstance(v, cbor2.CBORTag):
        return to_json(v.value)
    return None  # undefined, other simple values

values = [0, 1, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1,
          -1, -24, -25, -256, -257, -65536, -65537, -2**32, -2**32 - 1, -2**64,
          2**64, -2**64 - 1, 2**100, -(2**200),
          b"", b"\x00\x01\xfe\xff", bytes(range(256)),
          "", "a", "h\u00e9llo w\u00f6rld", "\u6c34", "\U00010151 \U0001f600", "\"\\\n\t\x01\x7f",
          {"a": [1, {"b": None}], "c": {"d": [True, False]}}, [[[[[]]]]],
          {1: "int key", "s": 2, -5: b"\x01", True: 1.5, None: 0},
          cbor2.CBORTag(4000, [1, "x"]), cbor2.CBORTag(55799, {"x": 1}),
          1.5, 65504.0, 5.960464477539063e-08, 0.1, 1e300, -0.0, 100000.0,
          3.4028234663852886e+38, 2.0**-1074, 1.7976931348623157e+308, 1363896240.5,
          float("nan"), float("inf"), float("-inf"),
          True, False, None, cbor2.undefined, cbor2.CBORSimpleValue(99)]
raw = [("f93c00", 1.0), ("f97bff", 65504.0), ("f90001", 5.960464477539063e-08),
       ("f9c400", -4.0), ("fa47c35000", 100000.0), ("fb3ff199999999999a", 1.1),
       ("5f42010243030405ff", b"\x01\x02\x03\x04\x05"),
       ("7f657374726561646d696e67ff", "streaming"),
       ("bf6346756ef563416d7421ff", {"Fun": True, "Amt": -2}),
       ("9f018202039f0405ffff", [1, [2, 3], [4, 5]])]

with open(sys.argv[1], "wb") as f, open(sys.argv[2], "w") as w:
    for v in values:
        f.write(cbor2.dumps(v, canonical=True))
        w.write(json.dumps({"desc": "cbor2 %.40s" % repr(v), "want": to_json(v)}) + "\n")
    for hexed, v in raw:
        f.write(bytes.fromhex(hexed))
        w.write(json.dumps({"desc": "raw 0x%s" % hexed, "want": to_json(v)}) + "\n")
EOF
ok $? "cbor2 encodes the sample"

T cbor-diag -j <"$TMP/in.cbor" >"$TMP/got.jsonl" 2>"$TMP/err"
ok $? "tether cbor-diag -j reads all of cbor2's items"
[ -s "$TMP/err" ] && diag "stderr: $(cat "$TMP/err")"

"$PY" - "$TMP/want.jsonl" "$TMP/got.jsonl" >"$TMP/results" <<'EOF'
import json, sys

def same(a, b):
    """Equal, and of the same JSON type: 1 is not 1.0, -0.0 is not 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b

def tap(st, desc):
    print(st, desc.replace("\\", "/"))

want = [json.loads(l) for l in open(sys.argv[1])]
got = open(sys.argv[2]).read().splitlines()
tap(0 if len(got) == len(want) else 1, "one line per item (%d for %d)" % (len(got), len(want)))
for w, line in zip(want, got):
    try:
        g = json.loads(line)
    except ValueError as e:
        tap(1, "%s: not JSON: %s: %.60s" % (w["desc"], e, line))
        continue
    st = 0 if same(g, w["want"]) else 1
    tap(st, "%s reads as %.50s" % (w["desc"], line))
    if st:
        tap(1, "  wanted %.100s" % json.dumps(w["want"]))
EOF
record "$TMP/results"
fi

# --- tether -> cbor2 ---

unit="$TETHER_BUILD/tests/test_cbor"
if [ ! -x "$unit" ]; then
	skip "cbor2 reads tether's encoding" "no $unit (make tests)"
	done_testing
	exit
fi
CBOR_INTEROP_OUT="$TMP/tether.cbor" $TETHER_WRAP "$unit" >"$TMP/unit.log" 2>&1
ok $? "test_cbor writes tether's interop sample"

"$PY" - "$TMP/tether.cbor" >"$TMP/results" <<'EOF'
import io, math, sys
import cbor2

# In the order of interop_items() in tests/unit/test_cbor.c.
want = [0, 23, 24, 255, 256, 65535, 65536, 4294967295, 4294967296, 2**64 - 1,
        -1, -24, -25, -256, -257, -65536, -65537, -4294967296, -4294967297, -2**63,
        b"", b"\x00\x01\xff", "", "h\u00e9llo w\u00f6rld \u20ac\U00010151",
        0.0, -0.0, 1.5, 65504.0, 100000.0, 1.1, 5.960464477539063e-08, 1e300, -4.1,
        float("inf"), float("-inf"), float("nan"),
        True, False, None, cbor2.undefined, cbor2.CBORSimpleValue(32),
        cbor2.CBORTag(4000, "x"), 2**64,
        {"a": [1, {"c": None}], "b": 1, 10: b"\x00"},
        [[[[[[[[[["deep"]]]]]]]]]],
        {50 - i: i for i in range(100)}]
# Preferred serialization is what cbor2 writes canonically too, except that
# cbor2 sorts map keys length-first (RFC 7049), tether bytewise (RFC 8949),
# and cbor2 5.4 writes 65504.0, the largest half, as a single (fa477fe000;
# RFC 8949 Appendix A has f97bff).
cbor2_differs = {len(want) - 1, want.index(65504.0)}

def tap(st, desc):
    print(st, desc.replace("\\", "/"))

def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return repr(a) == repr(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b

data = open(sys.argv[1], "rb").read()
fp = io.BytesIO(data)
dec = cbor2.CBORDecoder(fp)
for i, w in enumerate(want):
    start = fp.tell()
    try:
        g = dec.decode()
    except Exception as e:
        tap(1, "item %d: cbor2 cannot decode: %s" % (i, e))
        break
    raw = data[start:fp.tell()]
    tap(0 if same(g, w) else 1, "cbor2 reads tether's 0x%.24s as %.40s" % (raw.hex(), repr(w)))
    if isinstance(w, dict):
        keys = [cbor2.dumps(k) for k in g]
        tap(0 if keys == sorted(keys) else 1, "  and its keys come in bytewise order")
    if i not in cbor2_differs:
        tap(0 if cbor2.dumps(w, canonical=True) == raw else 1,
            "  byte for byte what cbor2 writes canonically")
tap(0 if fp.tell() == len(data) else 1, "nothing is left over (%d of %d bytes)" % (fp.tell(), len(data)))
EOF
record "$TMP/results"

if T cbor-diag --help >/dev/null 2>&1; then
	n=$(T cbor-diag <"$TMP/tether.cbor" | wc -l)
	is "$n" 46 "tether cbor-diag reads its own sample back, one line per item"
fi

done_testing
