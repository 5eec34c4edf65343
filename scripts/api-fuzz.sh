#!/usr/bin/env bash
# API fuzzing (issue #15): schemathesis against /openapi.json of a demo server, every
# operation, anonymous and with a token of each role, with every check schemathesis has:
# no 5xx, no response outside its documented schema, status or content type.
#
#   scripts/api-fuzz.sh                 # 20 examples per operation and role (CI runs 5)
#   XINYONG_FUZZ_EXAMPLES=200 scripts/api-fuzz.sh   # the long form
#
# Needs the `xinyong` binary (XINYONG_BIN, or target/{release,debug}/xinyong) and Python 3;
# installs schemathesis from PyPI into a virtual environment under target/ when missing.
# Reports (JUnit) go to target/api-fuzz/. Exits non-zero when any role's run found a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${XINYONG_FUZZ_EXAMPLES:-20}"
seed="${XINYONG_FUZZ_SEED:-1}"
version="4.32.5"
out="$(realpath -m target/api-fuzz)"
mkdir -p "$out"

bin="${XINYONG_BIN:-}"
if [ -z "$bin" ]; then
    for b in target/release/xinyong target/debug/xinyong; do
        if [ -x "$b" ] && { [ -z "$bin" ] || [ "$b" -nt "$bin" ]; }; then bin="$b"; fi
    done
fi
[ -n "$bin" ] || { echo "no xinyong binary: cargo build first" >&2; exit 2; }
bin="$(realpath "$bin")"

venv="target/schemathesis-venv"
if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
st="$(realpath "$venv/bin/st")"
config="$(realpath scripts/schemathesis.toml)"

dir="$(mktemp -d)"
log="$dir/serve.log"
# Fuzzing sends thousands of requests from one address, many with bad tokens on purpose: the
# limits are raised so that what is tested is the API, not the rate limiter (which has tests
# of its own); 429 is documented on every operation all the same.
(cd "$dir" && exec "$bin" serve --demo --subjects 200 --addr 127.0.0.1:0 \
    --rate-anonymous 100000 --rate-anonymous-burst 100000 --rate-failures 100000 \
    --rate-token 100000 --rate-token-burst 100000) >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do
    grep -q "serving on http://" "$log" && break
    kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.2
done
addr="$(grep -o 'serving on http://[^/ ]*' "$log" | head -n 1 | sed 's|serving on http://||')"
[ -n "$addr" ] || { cat "$log"; exit 1; }
token() { grep -o "^  $1=xy_[^ ]*" "$log" | head -n 1 | sed "s/^  $1=//"; }

status=0
run() {
    local role="$1"; shift
    echo "== schemathesis: $role ($examples examples per operation)"
    # From the scratch directory: schemathesis keeps a cache of what it found in its working
    # directory, which is not the repository's business.
    if ! (cd "$dir" && "$st" --config-file "$config" run "http://$addr/openapi.json" \
        --checks all --max-examples "$examples" \
        --seed "$seed" --workers 2 --request-timeout 30 --no-color \
        --generation-database none --suppress-health-check all \
        --report junit --report-junit-path "$out/$role.xml" "$@"); then
        status=1
    fi
}
run anonymous
for role in TOKEN:department OPERATOR:operator SERVICE:service SELF:subject; do
    secret="$(token "${role%%:*}")"
    [ -n "$secret" ] || { echo "the demo printed no ${role%%:*} token" >&2; exit 1; }
    run "${role#*:}" --header "Authorization: Bearer $secret"
done
if ! kill -0 "$server" 2>/dev/null; then
    echo "the server died during fuzzing:" >&2
    tail -n 50 "$log" >&2
    exit 1
fi
exit "$status"
