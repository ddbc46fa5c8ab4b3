#!/usr/bin/env python3
"""Builds data/heldout-queries.jsonl: queries of the kinds of the dev corpus's
queries-hard.jsonl (what people type), made by rule from the dev listings that
queries-hard.jsonl does NOT use as answers, with templates and a pinyin
converter that wenku's code did not see. It is a held-out check of the query
understanding work (issue 11): the filler list, the condition forms and the
reading rules were written after reading queries-hard.jsonl.

Kinds (same schema as queries-hard.jsonl: qid, query, kind, expected,
expected_title, n_matching_docs and unique (documents whose titles hold the
source words), condition):
- nospace: two of the title's rarer jieba words, in title order, unspaced;
- question: a rarer title word in one of 12 templates, four of which use
  words that are NOT in data/query-fillers.txt (怎么弄, 怎么做, 想找, 谁有…的资料);
- pinyin: one or two rarer title words as toneless pinyin (pypinyin), a
  group per word;
- homophone: a rarer title word with one character replaced by the most
  frequent other character (jieba's dictionary frequencies) of the same
  toneless reading;
- catalog: a title word shared by several documents plus 最新 (the youngest
  of them is expected) or N页以上 (only the expected reaches N pages).

Words are cut with the Python jieba (not wenku's jieba-rs); "rarer" = found
in the titles of the fewest documents. Seeded: the same corpus gives the same
file. zh-Hant titles are left out (the rules compare characters directly).

Usage: pip install jieba pypinyin
       python3 data/make_heldout_queries.py > data/heldout-queries.jsonl
Score: python3 ../shared/corpus/dev/score.py --queries data/heldout-queries.jsonl ...
"""
import collections
import json
import pathlib
import random
import re
import unicodedata

import jieba
from pypinyin import Style, lazy_pinyin, pinyin

jieba.setLogLevel(60)
HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared/corpus/dev"
rows = [json.loads(l) for l in (CORPUS / "truth.jsonl").open(encoding="utf-8")]
hard = [json.loads(l) for l in (CORPUS / "queries-hard.jsonl").open(encoding="utf-8")]
by_loc = {f"{r['page_file']}:{r['line']}": r for r in rows}
used_docs = {by_loc[q["expected"]]["doc"] for q in hard}
HAN = re.compile(r"^[\u4e00-\u9fff]+$")
N_PER_KIND = 30
rng = random.Random(20261130)


def norm(s):
    return unicodedata.normalize("NFKC", s).lower()


def words(title):
    return [w for w in jieba.lcut(norm(title)) if HAN.match(w) and len(w) >= 2]


# one listing per document: the first, non-duplicate, simplified
docs = {}
for r in rows:
    if r["dup_kind"] is None and r["script"] == "zh-Hans" and r["doc"] not in docs:
        docs[r["doc"]] = r
titles = {d: norm(r["title"]) for d, r in docs.items()}
df = collections.Counter()
for d, t in titles.items():
    for w in set(words(t)):
        df[w] += 1


def docs_with(ws):
    return [d for d, t in titles.items() if all(w in t for w in ws)]


def rarer(ws, k):
    return sorted(ws, key=lambda w: (df[w], -len(w)))[:k]


candidates = [d for d in docs if d not in used_docs]
rng.shuffle(candidates)
out = []


def add(kind, query, r, source_words, **extra):
    n = len(docs_with(source_words))
    q = {"qid": f"HO{len(out) + 1:04d}", "query": query, "kind": kind,
         "expected": f"{r['page_file']}:{r['line']}", "expected_title": r["title"],
         "n_matching_docs": n, "unique": n == 1}
    q.update(extra)
    out.append(q)


# most frequent character per toneless reading (for homophones)
char_freq = {w: f for w, f in jieba.dt.FREQ.items() if len(w) == 1 and f > 0}
by_reading = collections.defaultdict(list)
for c, f in char_freq.items():
    if HAN.match(c):
        readings = {p for p in pinyin(c, style=Style.NORMAL, heteronym=True)[0]}
        if len(readings) == 1:
            by_reading[readings.pop()].append((f, c))
for v in by_reading.values():
    v.sort(reverse=True)

TEMPLATES = ["如何{w}", "{w}怎么用", "{w}是什么", "有没有{w}的文档", "求{w}", "关于{w}的资料",
             "请问{w}", "{w}的教程", "{w}怎么弄", "{w}怎么做", "想找{w}", "谁有{w}的资料"]

kinds = collections.Counter()
for d in candidates:
    r = docs[d]
    ws = words(titles[d])
    if not ws:
        continue
    order = ["nospace", "question", "pinyin", "homophone"]
    rng.shuffle(order)
    for kind in order:
        if kinds[kind] >= N_PER_KIND:
            continue
        if kind == "nospace" and len(ws) >= 2:
            pick = rarer(ws, 2)
            pick.sort(key=lambda w: titles[d].find(w))
            if len(docs_with(pick)) <= 5:
                add(kind, "".join(pick), r, pick)
                kinds[kind] += 1
                break
        if kind == "question":
            w = rarer(ws, 1)[0]
            if df[w] <= 5:
                add(kind, rng.choice(TEMPLATES).format(w=w), r, [w])
                kinds[kind] += 1
                break
        if kind == "pinyin":
            pick = rarer(ws, 2 if len(ws) >= 3 else 1)
            pick.sort(key=lambda w: titles[d].find(w))
            if len(docs_with(pick)) <= 5:
                add(kind, " ".join("".join(lazy_pinyin(w)) for w in pick), r, pick)
                kinds[kind] += 1
                break
        if kind == "homophone":
            w = rarer(ws, 1)[0]
            i = rng.randrange(len(w))
            reading = lazy_pinyin(w[i])[0]
            subs = [c for _, c in by_reading.get(reading, []) if c != w[i]]
            if subs and df[w] <= 5:
                add(kind, w[:i] + subs[0] + w[i + 1:], r, [w])
                kinds[kind] += 1
                break

# catalog: a word in the titles of 3+ documents with distinct dates
word_docs = collections.defaultdict(list)
for d, t in titles.items():
    for w in set(words(t)):
        word_docs[w].append(d)
cat = 0
for w in sorted(word_docs, key=lambda w: (len(word_docs[w]), w)):
    ds = word_docs[w]
    if len(ds) < 3 or cat >= N_PER_KIND:
        continue
    rs = [docs[d] for d in ds]
    youngest = max(rs, key=lambda r: r["date"])
    if youngest["doc"] not in used_docs and sum(r["date"] == youngest["date"] for r in rs) == 1:
        add("catalog", f"{w} 最新", youngest, [w], condition={"newest": True})
        cat += 1
        continue
    biggest = max(rs, key=lambda r: r["pages"])
    second = sorted((r["pages"] for r in rs), reverse=True)[1]
    if biggest["doc"] not in used_docs and biggest["pages"] > second:
        add("catalog", f"{w} {second + 1}页以上", biggest, [w], condition={"pages_min": second + 1})
        cat += 1

for q in out:
    print(json.dumps(q, ensure_ascii=False))
