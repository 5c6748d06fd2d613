#!/usr/bin/env bash
# Load benchmark of POST /v1/answer with wrk (Debian package), on loopback only.
#   bash benches/load.sh            # 16 connections, 30 s per scenario
# First the bound: bare query embeddings per second with every core busy (examples/answer_profile.rs,
# which also prints where one answer's time goes). Scenarios: "distinct" cycles through the 350 dev
# questions with the caches off (every request embeds and searches), with 1 connection (latency
# without queueing) and with CONNECTIONS; "repeated" sends one question (answer cache on). Each
# server first gets one cold pass over its bodies (printed), then wrk measures it warm. Last, the
# ratio of "distinct" answers per second at CONNECTIONS to the bound, and its p99 / p50.
# SESSIONS and THREADS set the model layout of both (default: the configuration's).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-30s}"
PORT="${PORT:-18080}"
# EXTRA_TOML adds configuration, e.g. EXTRA_TOML='[embed]\nsessions = 2\nthreads = 1\n'
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
make -s index >/dev/null
LAYOUT=""
[ -n "${SESSIONS:-}" ] && LAYOUT+="sessions = $SESSIONS\n"
[ -n "${THREADS:-}" ] && LAYOUT+="threads = $THREADS\n"
echo "== bound: bare query embeddings, every core busy"
PROFILE="$(MEASURE_SECONDS=10 cargo run -q --release --example answer_profile)"
echo "$PROFILE"
BOUND="$(echo "$PROFILE" | sed -n 's/.* \([0-9.]*\) embeddings\/s.*/\1/p')"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# request bodies, one per line, JSON-escaped
python3 - "$WORK/bodies.txt" <<'PY'
import json, sys
with open("corpus/eval/dev.jsonl") as f, open(sys.argv[1], "w") as out:
    for line in f:
        out.write(json.dumps({"question": json.loads(line)["query"]}) + "\n")
PY
echo '{"question": "cara reset password sakti"}' > "$WORK/repeated.txt"

run() { # name cache_entries bodies connections
  # cache off = neither answers nor query vectors are reused
  local vectors=256; [ "$2" = 1 ] && vectors=0
  # relative paths in a configuration file resolve against its folder: name the project's own
  printf '[paths]\ncorpus = "%s/corpus"\nindexes = "%s/indexes"\n[answer]\ncalibration = "%s/corpus/eval/calibration.json"\n[server]\ncache_entries = %s\ndatabase = "%s/db.sqlite"\n[retrieve]\nquery_cache = %s\n[embed]\n%b%b' \
    "$ROOT" "$ROOT" "$ROOT" "$2" "$WORK" "$vectors" "$LAYOUT" "${EXTRA_TOML:-}" > "$WORK/haipedia.toml"
  ./target/release/haipedia --config "$WORK/haipedia.toml" serve --addr "127.0.0.1:$PORT" 2>"$WORK/server-$1.log" &
  local pid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  local rss_before; rss_before=$(ps -o rss= -p $pid)
  # first pass: each body once, one connection; the coverage check reads each entry it is about
  # to answer from once per generation (about 0.1 s), so this pass is the cold one
  python3 - "$3" "$PORT" <<'PY'
import json, sys, time, urllib.request
times = []
for body in open(sys.argv[1]).read().splitlines():
    t = time.time()
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{sys.argv[2]}/v1/answer",
        data=body.encode(), headers={"content-type": "application/json"})).read()
    times.append((time.time() - t) * 1000)
times.sort()
print(f"first pass (cold), {len(times)} requests: p50 {times[len(times) // 2]:.1f} ms, "
      f"p99 {times[min(len(times) - 1, int(len(times) * 0.99))]:.1f} ms, {sum(times) / 1000:.1f} s in all")
PY
  echo "== $1: $4 connection(s), $DURATION"
  BODIES="$3" wrk -t"$(( $4 < 2 ? 1 : 2 ))" -c"$4" -d"$DURATION" --timeout 10s -s benches/answer.lua "http://127.0.0.1:$PORT" \
    | grep -E "RESULT" | tee "$WORK/result-$1-$4.txt"
  echo "server RSS: $((rss_before / 1024)) MiB at start, $(( $(ps -o rss= -p $pid) / 1024 )) MiB after the run"
  kill $pid; wait $pid 2>/dev/null || true
}
run distinct 1 "$WORK/bodies.txt" 1
run distinct 1 "$WORK/bodies.txt" "$CONNECTIONS"
run repeated 1024 "$WORK/repeated.txt" "$CONNECTIONS"
python3 - "$BOUND" "$WORK/result-distinct-$CONNECTIONS.txt" <<'PY'
import re, sys
bound = float(sys.argv[1])
r = dict(re.findall(r"(\w+)=([0-9.]+)", open(sys.argv[2]).read()))
print(f"== distinct at {sys.argv[2].rsplit('-', 1)[1][:-4]} connections: {float(r['rps']):.1f} answers/s = "
      f"{float(r['rps']) / bound:.2f} x the bare embedding bound ({bound:.1f}/s); "
      f"p99 / p50 = {float(r['p99_ms']) / float(r['p50_ms']):.2f}")
PY
