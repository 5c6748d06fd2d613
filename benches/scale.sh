#!/usr/bin/env bash
# The 100,000-passage scale benchmark, on loopback only:
#   bash benches/scale.sh        # ENTRIES=100000, DURATION=30s; SERVE_ONLY=1 reuses target/scale/indexes
# 1. examples/scale.rs builds target/scale/indexes from real text of ../shared/data (real vectors
#    for the ~3,900 distinct paragraphs, perturbed copies for the rest; see its header) and prints
#    the build time, index size, time to open a generation and HNSW recall@10 against exact search;
# 2. the release server serves it with the caches off; wrk sends real TyDiQA questions to
#    /v1/answer with one connection (warm latency, embedding included) and with 16; the server's
#    RSS is read after each run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${DURATION:-30s}"
PORT="${PORT:-18081}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
make -s setup >/dev/null
cargo build -q --release --bin haipedia --example scale
[ -n "${SERVE_ONLY:-}" ] || ENTRIES="${ENTRIES:-100000}" ./target/release/examples/scale
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 - "$WORK/bodies.txt" <<'PY'
import json, sys
with open("../shared/data/tydiqa-id-train/queries.jsonl") as f, open(sys.argv[1], "w") as out:
    for line in list(f)[:1000]:
        out.write(json.dumps({"question": json.loads(line)["query"]}) + "\n")
PY
# relative paths in a configuration file resolve against its folder: name the project's own
printf '[paths]\ncorpus = "%s/corpus"\n[server]\ncache_entries = 1\ndatabase = "%s/db.sqlite"\n[retrieve]\nquery_cache = 0\n[answer]\ncalibration = "%s/corpus/eval/calibration.json"\n' \
  "$ROOT" "$WORK" "$ROOT" > "$WORK/haipedia.toml"
started=$(date +%s%N)
./target/release/haipedia --config "$WORK/haipedia.toml" serve --addr "127.0.0.1:$PORT" \
  --index "$ROOT/target/scale/indexes" 2>"$WORK/server.log" &
pid=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
echo "server ready in $(( ($(date +%s%N) - started) / 1000000 )) ms, RSS $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
for c in 1 16; do
  echo "== /v1/answer, real TyDiQA questions, caches off, $c connection(s), $DURATION"
  BODIES="$WORK/bodies.txt" wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"$DURATION" --timeout 10s -s benches/answer.lua \
    "http://127.0.0.1:$PORT" | grep RESULT
  echo "server RSS after the run: $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
done
kill $pid; wait $pid 2>/dev/null || true
