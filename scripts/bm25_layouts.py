#!/usr/bin/env python3
"""The lexical side's field layouts compared on the matrix's tuning split with bm25s (a benchmark
of the README's Retrieval section, "One field for a passage's words"; never the held-back split).

    cargo run --release --example lexical_dump -- eval/matrix.toml /tmp/lexical
    python3 -m venv /tmp/bm25env && /tmp/bm25env/bin/pip install bm25s==0.3.16 PySastrawi==1.2.1 numpy==2.4.6
    /tmp/bm25env/bin/python scripts/bm25_layouts.py /tmp/lexical

For each set: hit@1 of bm25s with PySastrawi (one document per entry, then one per passage), and
of BM25 fields combined as our index combines them (each field scored apart, weighted and summed;
the best passage ranks its entry), fed our own analyzer's terms. k1 = 1.2, b = 0.75 as tantivy.
"""
import json
import re
import sys

import bm25s
import numpy as np
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

LAYOUTS = {
    "fields apart: title 2, phrasings 1.5, body 1": {"title": 2, "questions": 1.5, "body": 1},
    "one field (title, heading, text)": {"joined": 1},
    "one field + title 0.25": {"joined": 1, "title": 0.25},
    "one field + title 0.5 (shipped)": {"joined": 1, "title": 0.5},
    "one field + title 1": {"joined": 1, "title": 1},
    "one field + phrasings 1.5": {"joined": 1, "questions": 1.5},
}


def index(docs):
    if not any(docs):
        return None
    r = bm25s.BM25(k1=1.2, b=0.75)
    r.index(docs, show_progress=False)
    return r


def scores(r, terms, n):
    return r.get_scores(terms) if (r is not None and terms) else np.zeros(n)


def hit_at_1(ids, owner, queries, score):
    hits = 0
    for q in queries:
        per_passage = score(q)
        best = np.full(len(ids), -1.0)
        np.maximum.at(best, owner, per_passage)
        hits += ids[int(np.argmax(best))] in q["relevant"]
    return hits / max(len(queries), 1)


def sastrawi():
    stem = StemmerFactory().create_stemmer()
    stops = set(StopWordRemoverFactory().get_stop_words())
    memo = {}

    def terms(text):
        out = []
        for w in re.findall(r"\w+", text.lower()):
            if w in stops:
                continue
            if w not in memo:
                memo[w] = stem.stem(w) or w
            out.append(memo[w])
        return out

    return terms


def main(folder):
    terms = sastrawi()
    for line in open(f"{folder}/sets.txt"):
        name = line.strip()
        passages = [json.loads(l) for l in open(f"{folder}/{name}.passages.jsonl")]
        queries = [json.loads(l) for l in open(f"{folder}/{name}.queries.jsonl")]
        entries = [json.loads(l) for l in open(f"{folder}/{name}.entries.jsonl")]
        ids = [e["id"] for e in entries]
        at = {e: i for i, e in enumerate(ids)}
        owner = np.array([at[p["entry"]] for p in passages])
        row = []
        # bm25s with PySastrawi on the raw text: one document per entry, then per passage
        raw = [p["title"] + "\n" + (p["heading"] or "") + "\n" + p["text"] for p in passages]
        whole = [e["title"] + "\n" + "\n".join(e["questions"]) + "\n" + e["body"] for e in entries]
        r = index([terms(t) for t in whole])
        row.append(("bm25s+Sastrawi, per entry", hit_at_1(
            ids, np.arange(len(ids)), queries, lambda q: scores(r, terms(q["query"]), len(ids)))))
        r = index([terms(t) for t in raw])
        row.append(("bm25s+Sastrawi, per passage", hit_at_1(
            ids, owner, queries, lambda q: scores(r, terms(q["query"]), len(passages)))))
        # our analyzer's terms, fields combined as the index combines them
        fields = {
            "title": index([p["terms"]["title"] for p in passages]),
            "questions": index([p["terms"]["questions"] for p in passages]),
            "body": index([p["terms"]["body"] for p in passages]),
            "joined": index([p["terms"]["title"] + p["terms"]["body"] for p in passages]),
        }
        cache = {}

        def field(q, f):
            key = (q["qid"], f)
            if key not in cache:
                cache[key] = scores(fields[f], q["terms"], len(passages))
            return cache[key]

        for name_, weights in LAYOUTS.items():
            row.append((name_, hit_at_1(ids, owner, queries, lambda q: sum(
                w * field(q, f) for f, w in weights.items()))))
        print(f"{name} ({len(queries)} tuning queries)")
        for label, h in row:
            print(f"  {h:.3f}  {label}")


if __name__ == "__main__":
    main(sys.argv[1])
