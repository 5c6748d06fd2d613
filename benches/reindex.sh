#!/usr/bin/env bash
# Reindex timings with real data from ../shared/data (not needed by the tests):
#  A. full build of the 90 OCR'd SAKTI guides (converted to JSONL, one article each)
#  B. a 1,000-entry corpus (the starter corpus + TyDiQA-id passages) served live: the time from
#     POST /v1/admin/reindex to the new generation answering, after changing one article.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data}"
PORT="${PORT:-18090}"
cd "$ROOT"
make -s setup build >/dev/null
BIN=./target/release/haipedia
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

python3 - "$DATA" "$WORK" <<'PY'
import json, os, re, sys, glob
data, work = sys.argv[1], sys.argv[2]
os.makedirs(f"{work}/sakti", exist_ok=True)
with open(f"{work}/sakti/juknis.jsonl", "w") as out:
    for path in sorted(glob.glob(f"{data}/sakti-juknis/*.md")):
        name = os.path.basename(path)[:-3]
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        text = open(path, encoding="utf-8", errors="replace").read()
        out.write(json.dumps({"id": slug, "title": name, "text": text}) + "\n")
os.makedirs(f"{work}/kb1000", exist_ok=True)
with open(f"{data}/tydiqa-id-train/corpus.jsonl") as src, open(f"{work}/kb1000/wiki.jsonl", "w") as out:
    for i, line in enumerate(src):
        if i >= 829:
            break
        out.write(line)
PY
echo "== A. SAKTI guides: full build"
/usr/bin/time -f "wall %e s, max RSS %M KiB" $BIN index --corpus "$WORK/sakti" --out "$WORK/sakti-index"

echo "== B. 1,000 entries served live"
cp -r corpus/bot corpus/cso corpus/katalog "$WORK/kb1000/"
$BIN index --corpus "$WORK/kb1000" --out "$WORK/kb-index"
printf '[paths]\ncorpus = "%s"\nindexes = "%s"\n[server]\ndatabase = "%s/db.sqlite"\nadmin_token = "bench"\n' \
  "$WORK/kb1000" "$WORK/kb-index" "$WORK" > "$WORK/haipedia.toml"
$BIN --config "$WORK/haipedia.toml" serve --addr "127.0.0.1:$PORT" 2>"$WORK/server.log" &
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
echo "Catatan tambahan untuk uji reindex $(date +%s)." >> "$WORK/kb1000/bot/bot-sakti-reset-password.md"
start=$(date +%s.%N)
id=$(curl -fs -X POST -H "authorization: Bearer bench" "http://127.0.0.1:$PORT/v1/admin/reindex" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  job=$(curl -fs -H "authorization: Bearer bench" "http://127.0.0.1:$PORT/v1/admin/reindex/$id")
  echo "$job" | grep -q '"state":"running"' || break
  sleep 0.05
done
end=$(date +%s.%N)
echo "$job" | python3 -c 'import json,sys; j=json.load(sys.stdin); print("job", j["state"], "generation", j["generation"], "passages", j["passages"], "embedded", j["embedded_total"])'
python3 -c "print('one changed article live after %.2f s' % ($end - $start))"
