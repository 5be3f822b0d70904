"""Benchmarks on the national synthetic demo (a script, not a timed test).

    python scripts/benchmark.py [--warehouse URL] [--repeat N]

Prints: the loader's rows per second against a bare read-and-insert of the same rows, the
time of `harbour summary` for one force and for all forces, and (when the dashboard is
installed) each page's server time over repeated filter changes.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from sqlalchemy import Column, MetaData, String, Table, insert  # noqa: E402

from harbour.etl.demo import generate, write_bundle  # noqa: E402
from harbour.etl.load import load_bundle  # noqa: E402
from harbour.etl.pseudonymise import DEMO_KEY, Pseudonymiser  # noqa: E402
from harbour.etl.spec import SPEC, TABLES  # noqa: E402
from harbour.warehouse.engine import ensure_schema, make_engine  # noqa: E402


def bare_insert(engine, folder: Path) -> tuple[int, float]:
    """Read the same CSVs and insert them as text, with no checks: the floor for the loader."""
    meta = MetaData()
    tables = {name: Table(f"bare_{name}", meta, *[Column(c.name, String(200)) for c in SPEC[name]]) for name in TABLES}
    meta.create_all(engine)
    started = time.perf_counter()
    rows = 0
    with engine.begin() as conn:
        for name in TABLES:
            with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
                records = list(csv.DictReader(handle))
            conn.execute(insert(tables[name]), records)
            rows += len(records)
    return rows, time.perf_counter() - started


def timed_warm(url: str, facts, attributing: bool) -> float:
    """Seconds that `harbour warm` takes into an empty page cache, with or without every force's attribution."""
    import os
    import tempfile
    from unittest import mock

    from harbour.app import create_app
    from harbour.metrics import summary
    from harbour.views import context, store
    from harbour.warehouse import current
    from harbour.web.warm import warm

    current.use(url)
    create_app()
    with tempfile.TemporaryDirectory() as folder, mock.patch.dict(os.environ, {"HARBOUR_CACHE_DIR": folder}):
        store._caches.clear()
        context._MEMO.clear()
        context.forget_contexts()  # each run's pages made afresh: none from the run before
        patches = (
            []
            if attributing
            else [
                mock.patch.object(summary, "scheme_effect", lambda *a, **k: (None, "off")),
                mock.patch.object(context, "scheme_effect", lambda *a, **k: (None, "off")),
            ]
        )
        for patch in patches:
            patch.start()
        try:
            return warm(facts)[1]
        finally:
            for patch in patches:
                patch.stop()


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        url = args.warehouse or f"sqlite:///{tmp / 'national.sqlite'}"
        started = time.perf_counter()
        rows = generate(seed=2017, scale="national")
        write_bundle(rows, tmp / "bundle")
        total_rows = sum(len(getattr(rows, n)) for n in ("forces", "contacts", "placements", "missing_episodes"))
        print(f"national demo: {total_rows:,} rows generated in {time.perf_counter() - started:.1f} s")

        engine = make_engine(url)
        ensure_schema(engine)
        started = time.perf_counter()
        result = load_bundle(engine, [tmp / "bundle"], Pseudonymiser(DEMO_KEY))
        seconds = time.perf_counter() - started
        print(
            f"loader: {total_rows:,} rows in {seconds:.2f} s = {total_rows / seconds:,.0f} rows/s "
            f"({len(result.warnings):,} warnings) [target: under 15 s]"
        )
        bare_rows, bare_seconds = bare_insert(
            make_engine(f"sqlite:///{tmp / 'bare.sqlite'}") if not args.warehouse else engine, tmp / "bundle"
        )
        print(
            f"bare read-and-insert: {bare_rows:,} rows in {bare_seconds:.2f} s = {bare_rows / bare_seconds:,.0f} rows/s"
        )
        print(f"loader / bare insert: {seconds / bare_seconds:.1f} times [target: at most 3]")

        from harbour.metrics.summary import build_summary
        from harbour.warehouse.queries import facts

        started = time.perf_counter()
        f = facts(engine)
        print(f"facts read once per load: {time.perf_counter() - started:.2f} s")
        for label, force in (("one force", f.forces["force_code"].iloc[0]), ("all forces", None)):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                build_summary(f.children, f.episodes, f.forces, force=force)
                times.append(time.perf_counter() - started)
            print(
                f"summary, {label}: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                f"[target: under 1 s]"
            )

        from harbour.metrics.attribution import attribution

        started = time.perf_counter()
        estimated = sum(attribution(f.children, f.forces, code)[0] is not None for code in f.forces["force_code"])
        alone = time.perf_counter() - started
        print(
            f"attribution for every force ({estimated} with an estimate, every placebo refit included), one core: "
            f"{alone:.1f} s"
        )
        warm_without, warm_with = timed_warm(url, f, attributing=False), timed_warm(url, f, attributing=True)
        print(
            f"harbour warm without attribution: {warm_without:.1f} s; with it: {warm_with:.1f} s "
            f"({warm_with / warm_without - 1:+.0%}); attribution alone on one core is {alone / warm_without:.0%} of "
            f"warm "
            f"without it [target: attribution within warm's time plus 50%]"
        )

        from harbour.render import images, slides
        from harbour.warehouse import current
        from harbour.web.build import build, standard_views

        current.use(url)
        query = {"force": f.forces["force_code"].iloc[0]}
        started = time.perf_counter()
        views = standard_views(query, f)
        content = slides.deck(views, "Benchmark deck")
        print(
            f"standard deck ({len(content) / 2**20:.1f} MiB), including starting the renderer: "
            f"{time.perf_counter() - started:.1f} s [target: under 15 s]"
        )
        panel = build("/retention", query, f).panels[0]
        times = []
        for _ in range(5):
            started = time.perf_counter()
            images.render(images.presentable(panel.figure, panel.title, True), "png")
            times.append(time.perf_counter() - started)
        print(
            f"one chart image (1920 px PNG), renderer warm: median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s [target: under 2 s]"
        )

        from harbour.web.inprocess import time_pages

        for page, samples in time_pages(url, repeat=args.repeat).items():
            print(
                f"page {page}: median {statistics.median(samples) * 1000:.0f} ms, "
                f"p95 {percentile(samples, 95) * 1000:.0f} ms over {len(samples)} filter changes [target: p95 under "
                f"300 ms]"
            )


if __name__ == "__main__":
    main()
