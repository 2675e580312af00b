"""A large, varied, synthetic news corpus for the scale runs, generated on demand (never committed).

Documents are plain-text articles in the ``extract`` input format: about a third report a prisoner
exchange, a body repatriation or an agreement (different parties, counts, days, mediators, places,
wording), the rest are other news (markets, weather, sport, courts, science) of the same build.
Lengths follow the real pages' article lengths (median about 3,200 characters, long tail to 50,000).
Pages wrap a document in one of several site templates with the chrome real pages carry: navigation,
inline scripts and styles, JSON-LD, ads, related links, comments, cookie banners, footers (median
page about 110 kB, like the real ones).

Everything is a pure function of (index, seed): shard files under ``bench/out/corpus/`` are only a
cache. Run as a script it generates ``BENCH_SCALE`` x 100,000 documents and prints how fast.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import sys
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import OUT, emit, scaled, timed  # noqa: E402

GENERATOR_VERSION = 2
CORPUS_DIR = OUT / "corpus"
SHARD = {"docs": 2_000, "pages": 200}

PAIRS = [("Russia", "Ukraine"), ("Ukraine", "Russia"), ("United States", "Russia"), ("Armenia", "Azerbaijan"),
         ("Venezuela", "United States"), ("Iran", "United States"), ("Yemen", "Saudi Arabia")]
MEDIATORS = ["the United Arab Emirates", "Türkiye", "Qatar", "Saudi Arabia", "the Vatican", "Oman",
             "the International Committee of the Red Cross"]
PLACES = ["on the Belarus-Ukraine border", "at Istanbul airport", "in Abu Dhabi", "in Doha",
          "at a crossing in the Sumy region", "in Muscat", "at Ankara's Esenboga airport"]
GROUPS = ["prisoners of war", "servicemen", "captured soldiers", "detained civilians", "prisoners"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TOPICS = {
    "markets": (["The central bank", "Bond traders", "The finance ministry", "Analysts at a Frankfurt bank",
                 "Shareholders", "The largest refiner"],
                ["raised its forecast for", "warned about", "cut spending on", "reported weak demand for",
                 "expects a rebound in", "sold part of its stake in"],
                ["consumer credit", "grain exports", "the steel sector", "regional airports", "new housing",
                 "electricity prices", "the shipping business", "its retail arm"]),
    "weather": (["Forecasters", "The national weather service", "Emergency crews", "Farmers in the south",
                 "The city council", "Rail operators"],
                ["expect heavy snow across", "reported flooding in", "closed schools in", "opened shelters in",
                 "cancelled services through", "warned of frost over"],
                ["the northern valleys", "the coastal districts", "the capital region", "mountain passes",
                 "three provinces", "the river delta"]),
    "sport": (["The home side", "The coach", "The club's captain", "The league", "The visiting team",
               "The federation"],
              ["beat", "drew with", "signed a striker from", "fined", "lost narrowly to", "appealed against"],
              ["last season's champions", "a second-division rival", "the national team", "the referee",
               "a club from the coast", "the cup holders"]),
    "courts": (["A district court", "Prosecutors", "Defence lawyers", "The appeals panel", "The judge",
                "Investigators"],
               ["sentenced", "questioned", "dropped charges against", "postponed the hearing of",
                "published records on", "ordered the release on bail of"],
               ["a former mayor", "two company directors", "a local official", "the contractor",
                "a customs officer", "three activists"]),
    "science": (["Researchers", "A university team", "The space agency", "Engineers", "Doctors at the clinic",
                 "The institute"],
                ["published a study of", "launched a probe to study", "found new evidence on",
                 "tested a vaccine against", "mapped", "measured"],
                ["glacier melt", "a distant comet", "soil bacteria", "a rare fever", "deep-sea vents",
                 "urban heat islands"]),
}
TAILS = ["on Tuesday", "this week", "after months of delays", "according to a statement",
         "officials said", "in a report released late on Friday", "despite criticism", "for the first time"]
QUOTES = ["\"We are working day and night,\" a spokesperson said.",
          "\"This is only the beginning,\" one official told reporters.",
          "\"Nobody expected it to happen so quickly,\" a resident said.",
          "A spokesperson declined to comment further."]


def _filler(rng: random.Random, topic: str) -> str:
    subj, verb, obj = TOPICS[topic]
    s = f"{rng.choice(subj)} {rng.choice(verb)} {rng.choice(obj)} {rng.choice(TAILS)}."
    if rng.random() < 0.25:
        s += " " + rng.choice(QUOTES)
    if rng.random() < 0.3:
        s += f" The figure was {rng.randint(2, 98)} percent {rng.choice(['higher', 'lower'])} than a year ago."
    return s


@lru_cache(maxsize=1)
def _sentence_pool() -> tuple[str, ...]:
    """20,000 filler sentences (seeded): documents draw from it, which keeps generation fast."""
    rng = random.Random(12345)
    return tuple(_filler(rng, rng.choice(list(TOPICS))) for _ in range(20_000))


@lru_cache(maxsize=1)
def _js_pool() -> tuple[str, ...]:
    rng = random.Random(54321)
    out = []
    for _ in range(4000):
        k = rng.randint(1000, 99999)
        out.append(f"window.__cfg{k}={{id:{k},slot:\"ad-{k % 17}\",lazy:{str(rng.random() < .5).lower()},"
                   f"sizes:[[300,250],[728,90]],targeting:{{sec:\"news\",k:\"v{k % 7}\"}}}};"
                   f"function f{k}(e){{if(!e)return null;var x=e.getBoundingClientRect();return x.top+{k % 400};}}\n")
    return tuple(out)


def _count(rng: random.Random) -> tuple[int, str]:
    n = rng.choice([rng.randint(2, 30), rng.randint(30, 400), rng.choice([84, 95, 103, 150, 205, 390, 1000])])
    return n, rng.choice([f"{n:,}", f"{n}", f"{n:,}"])


def _event_paragraph(rng: random.Random, published: date) -> tuple[str, str]:
    a, b = rng.choice(PAIRS)
    n, shown = _count(rng)
    day = published - timedelta(days=rng.randint(0, 2))
    offset = (published - day).days
    when = ("on " + WEEKDAYS[day.weekday()], "yesterday", day.strftime("on %B %-d"))[offset]
    kind = rng.random()
    if kind < 0.6:
        lead = (f"{a} and {b} exchanged {shown} {rng.choice(GROUPS)} each {when}, "
                f"in a swap brokered by {rng.choice(MEDIATORS)}, officials on both sides said.")
        title = f"{a} and {b} swap {shown} prisoners"
    elif kind < 0.8:
        m, _ = _count(rng)
        lead = (f"{a} handed over the bodies of {shown} fallen soldiers to {b} {when} and received "
                f"{m} bodies in return, the coordination headquarters said.")
        title = f"Bodies of {shown} soldiers repatriated"
    else:
        lead = (f"{a} and {b} agreed {when} to exchange {shown} prisoners each after talks "
                f"{rng.choice(PLACES)}, negotiators said.")
        title = f"{a} and {b} agree new prisoner exchange"
    more = [f"The handover took place {rng.choice(PLACES)}.",
            "Relatives waited for hours with flags and photographs.",
            f"It was the {rng.choice(['third', 'fifth', 'latest', 'first'])} such exchange this year.",
            "Several of those freed were wounded and were taken to hospital."]
    rng.shuffle(more)
    return title, lead + " " + " ".join(more[: rng.randint(1, 4)])


def _target_length(rng: random.Random) -> int:
    return int(min(50_000, max(400, rng.lognormvariate(math.log(3200), 0.75))))


def make_doc(i: int, seed: int = 0) -> dict:
    """Document ``i``: ``{"id", "text", "published", "url", "title", "topic"}``."""
    rng = random.Random(seed * 1_000_003 + i)
    published = date(2022, 1, 1) + timedelta(days=rng.randint(0, 1400))
    topic = rng.choice(list(TOPICS))
    is_event = rng.random() < 0.33
    paras: list[str] = []
    if is_event:
        title, lead = _event_paragraph(rng, published)
        paras.append(lead)
        topic = "exchange"
    else:
        title = _filler(rng, topic).rstrip(".")
    target = _target_length(rng)
    size = sum(map(len, paras))
    pool = _sentence_pool()
    while size < target:
        para = " ".join(rng.choices(pool, k=rng.randint(2, 6)))
        paras.append(para)
        size += len(para) + 1
    slug = "-".join(title.lower().split()[:6]).replace(",", "")
    return {"id": f"gen-{seed}-{i}", "text": title + "\n" + "\n".join(paras), "published": published.isoformat(),
            "url": f"https://news{i % 97}.bench.invalid/{published:%Y/%m/%d}/{slug}-{i}", "title": title,
            "topic": topic}


def _js(rng: random.Random, size: int) -> str:
    pool = _js_pool()
    return "".join(rng.choices(pool, k=max(1, size // 190)))


def _links(rng: random.Random, n: int, cls: str) -> str:
    words = ["World", "Politics", "Business", "Tech", "Science", "Health", "Sport", "Culture", "Opinion", "Video",
             "Travel", "Climate", "Podcasts", "Newsletters", "Live"]
    items = "".join(f'<li class="{cls}__item"><a href="/{rng.choice(words).lower()}/{rng.randint(1, 9999)}">'
                    f"{rng.choice(words)}</a></li>" for _ in range(n))
    return f'<ul class="{cls}">{items}</ul>'


_CSS = "".join(f".c{k}{{margin:{k % 9}px;color:#{k * 2654435761 % 0xFFFFFF:06x}}}" for k in range(900))


def make_page(doc: dict, seed: int = 0) -> bytes:
    """An HTML page around ``doc`` in one of four site templates."""
    rng = random.Random(zlib.crc32(f"{seed}:{doc['id']}".encode()))
    style = rng.randrange(4)
    paras = doc["text"].split("\n")[1:]
    body_tag = ("article", "div", "section", "main")[style]
    body_cls = ("story", "article-body", "c-entry", "post-content")[style]
    ads = [f'<div class="ad-slot" id="ad-{k}"><span>ADVERTISEMENT</span></div>' for k in range(len(paras))]
    body = "".join(f"<p>{p}</p>" + (ads[k] if k % 3 == 2 else "") for k, p in enumerate(paras))
    related = "".join(f'<li><a href="/r/{rng.randint(1, 10**6)}">{_filler(rng, rng.choice(list(TOPICS)))}</a></li>'
                      for _ in range(rng.randint(3, 12)))
    js_size = int(min(1_200_000, rng.lognormvariate(math.log(80_000), 0.8)))
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": doc["title"],
                     "datePublished": doc["published"] + "T08:00:00Z", "author": {"name": "Staff"}})
    comments = "".join(f'<div class="comment"><b>user{rng.randint(1, 999)}</b><p>{_filler(rng, "sport")}</p></div>'
                       for _ in range(rng.randint(0, 8)))
    css = _CSS[: rng.randint(2_000, len(_CSS))]
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{doc['title']} | Bench News</title>
<meta property="og:title" content="{doc['title']}"><meta property="article:published_time" content="{doc['published']}T08:00:00Z">
<style>{css}</style><script type="application/ld+json">{ld}</script><script>{_js(rng, js_size // 2)}</script></head>
<body><div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<header class="site-header"><a class="logo" href="/">Bench News</a><nav>{_links(rng, rng.randint(10, 80), "nav")}</nav></header>
<div class="breadcrumbs"><a href="/">Home</a> / <a href="/world">World</a></div>
<{body_tag} class="{body_cls}"><h1>{doc['title']}</h1><div class="byline">By Staff Reporter
<time datetime="{doc['published']}">{doc['published']}</time></div>{body}</{body_tag}>
<aside class="related"><h2>More stories</h2><ul>{related}</ul></aside>
<section class="comments"><h2>Comments</h2>{comments}</section>
<footer>{_links(rng, rng.randint(10, 60), "footer")}<p>All rights reserved.</p></footer>
<script>{_js(rng, js_size // 2)}</script></body></html>"""
    return html.encode("utf-8")


def _shard_path(kind: str, k: int, seed: int) -> Path:
    return CORPUS_DIR / f"{kind}-v{GENERATOR_VERSION}-s{seed}-n{SHARD[kind]}-{k:04d}.jsonl.gz"


def _write_shard(kind: str, k: int, seed: int) -> Path:
    path = _shard_path(kind, k, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as fh:
        for i in range(k * SHARD[kind], (k + 1) * SHARD[kind]):
            doc = make_doc(i, seed)
            if kind == "pages":
                doc = {"id": doc["id"], "url": doc["url"], "published": doc["published"], "title": doc["title"],
                       "html": make_page(doc, seed).decode("utf-8"), "text": doc["text"]}
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def iter_corpus(kind: str, n: int, seed: int = 0) -> Iterator[dict]:
    """The first ``n`` documents (``kind="docs"``) or pages (``"pages"``), from cached shards."""
    done = 0
    for k in range(math.ceil(n / SHARD[kind])):
        path = _shard_path(kind, k, seed)
        if not path.exists():
            _write_shard(kind, k, seed)
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if done >= n:
                    return
                yield json.loads(line)
                done += 1


def main() -> int:
    n = scaled(100_000, 100)
    fresh = not _shard_path("docs", math.ceil(n / SHARD["docs"]) - 1, 0).exists()
    clock = "wall, shards generated" if fresh else "wall, cached shards only read"
    with timed() as t:
        count, chars = 0, 0
        for doc in iter_corpus("docs", n):
            count += 1
            chars += len(doc["text"])
    emit("corpus_gen", "docs_generated", count, "docs", corpus=str(CORPUS_DIR))
    emit("corpus_gen", "docs_text_mb", chars / 1e6, "MB")
    emit("corpus_gen", "docs_per_s", count / t.wall, "docs/s", clock=clock)
    pages = scaled(1_000, 20)
    fresh = not _shard_path("pages", math.ceil(pages / SHARD["pages"]) - 1, 0).exists()
    clock = "wall, shards generated" if fresh else "wall, cached shards only read"
    with timed() as t:
        size = sum(len(p["html"]) for p in iter_corpus("pages", pages))
    emit("corpus_gen", "pages_generated", pages, "pages")
    emit("corpus_gen", "page_kb_mean", size / pages / 1e3, "kB")
    emit("corpus_gen", "pages_per_s", pages / t.wall, "pages/s", clock=clock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
