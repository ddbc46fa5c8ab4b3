#!/usr/bin/env python3
"""Builds data/ranking-queries.jsonl: known-item queries where the intended
document is the *current* or the *substantial* one, to check what the age and
size factors of wenku's blended ranking are meant to do (docs/ranking.md).

Two rules over ../shared/corpus/dev/truth.jsonl, no hand-picking:
- latest: a title shared by several documents (releases of the same page)
  whose dates differ; the query is the title, the expected listing is the
  most recently updated release (a reader looking a page up wants the
  current one);
- manual: a listing of a whole manual (size in MB); the query is its title
  without the version, the expected listing is the manual (a reader asking
  for "Python 标准库" wants the manual, not one of its pages).
Usage: python3 data/make_ranking_queries.py > data/ranking-queries.jsonl
"""
import collections
import json
import pathlib
import re

truth = pathlib.Path(__file__).resolve().parent.parent.parent / "shared/corpus/dev/truth.jsonl"
rows = [json.loads(l) for l in truth.open(encoding="utf-8")]
by_title = collections.defaultdict(list)
for r in rows:
    if r["dup_kind"] is None:
        by_title[r["title"]].append(r)
out = []
for title, rs in sorted(by_title.items()):
    dates = sorted({r["date"] for r in rs})
    if len({r["doc"] for r in rs}) >= 2 and len(dates) >= 2:
        newest = max(rs, key=lambda r: r["date"])
        if sum(r["date"] == newest["date"] for r in rs) == 1:
            out.append({"query": title, "expected": f'{newest["page_file"]}:{newest["line"]}', "kind": "latest"})
for r in rows:
    if r["dup_kind"] is None and r["size_text"].endswith("MB"):
        q = re.sub(r"\s*v?\d+(\.\d+)*\s*", " ", r["title"]).strip()
        out.append({"query": q, "expected": f'{r["page_file"]}:{r["line"]}', "kind": "manual"})
for i, q in enumerate(out, 1):
    print(json.dumps({"qid": f"R{i:03d}", **q}, ensure_ascii=False))
