"""Speed of the importers: each fixture, then a Zendesk dump of ``--articles`` articles.

    python bench/imports.py [--articles 3000]

For every fixture under ``tests/fixtures/imports/``: articles read and written, warnings, skipped,
seconds. Then a generated Zendesk dump (the fixture's articles repeated with new ids and titles, in
pages of 100): first import, an unchanged re-run, and a re-run after one article changed.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.imports.pipeline import run_import  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "imports"
INPUTS = {"zendesk": FIXTURES / "zendesk", "freshdesk": FIXTURES / "freshdesk",
          "qna": FIXTURES / "qna" / "faq.tsv", "html": FIXTURES / "html"}


def timed(source: str, path: Path, out: Path) -> tuple[float, object]:
    started = time.perf_counter()
    report, _, _ = run_import(source, path, out)
    return time.perf_counter() - started, report


def line(name: str, seconds: float, report: object) -> str:
    counts = report.counts()  # type: ignore[attr-defined]
    notes = report.notes  # type: ignore[attr-defined]
    return (f"{name:28} read {report.read:5}  written {counts['create'] + counts['update']:5}  "  # type: ignore[attr-defined]
            f"unchanged {counts['unchanged']:5}  warnings {sum(n.severity == 'warning' for n in notes):3}  "
            f"skipped {sum(n.severity == 'skipped' for n in notes):3}  {seconds:6.2f}s")


def big_dump(folder: Path, count: int) -> Path:
    """The fixture's English articles, repeated with new ids and titles, in pages of 100."""
    dump = folder / "big"
    shutil.copytree(INPUTS["zendesk"], dump, ignore=shutil.ignore_patterns("articles*.json", "translations"))
    base = [a for page in sorted(INPUTS["zendesk"].glob("articles-page-*.json"))
            for a in json.loads(page.read_text())["articles"] if a["body"].strip()]
    articles = []
    for n in range(count):
        record = dict(base[n % len(base)])
        record.update(id=10_000_000 + n, title=f"{record['title']} (copy {n})",
                      html_url=f"https://example.zendesk.com/hc/en-us/articles/{10_000_000 + n}")
        articles.append(record)
    for start in range(0, count, 100):
        (dump / f"articles-{start // 100 + 1:04d}.json").write_text(
            json.dumps({"articles": articles[start:start + 100]}))
    return dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for source, path in INPUTS.items():
            print(line(f"{source} fixture", *timed(source, path, folder / source)))
        dump = big_dump(folder, args.articles)
        out = folder / "big-out"
        print(line(f"zendesk x{args.articles}", *timed("zendesk", dump, out)))
        print(line(f"zendesk x{args.articles} again", *timed("zendesk", dump, out)))
        page = dump / "articles-0001.json"
        data = json.loads(page.read_text())
        data["articles"][0]["body"] += "<p>One more line.</p>"
        page.write_text(json.dumps(data))
        print(line(f"zendesk x{args.articles} 1 changed", *timed("zendesk", dump, out)))


if __name__ == "__main__":
    main()
