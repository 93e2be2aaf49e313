"""The audit's compiled SQL on Apache Spark gives exactly DuckDB's results.

For a sample of people per edition (the differential test's hypothesis ledgers, tests/test_audit_sql.py,
whose DuckDB numbers are proven against the reference engine), the input tables go to Parquet, and
examples/spark_audit.py — the script the README's spark-submit line runs — executes `jxjy sql --dialect
spark --materialize` over them in pyspark's local mode and writes every result view as Parquet. Each
result view must hold the same rows as DuckDB's (every column, exact decimals), and the results read
back the same per person.

JXJY_SPARK_EXAMPLES sets the hypothesis examples per edition (default 12, a few dozen people).
JXJY_SPARK_EDITIONS picks the editions (ids as in the test names, comma-separated, or `all`); by
default three: Shuangliu (the sample district's edition), Guangzhou's title cycle (the title-cycle
window) and the demo variant (every rule concept at once) — Spark plans ~30 steps an edition, minutes
each on a shared 2-core machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from generator.audit.ledgers import person_rows
from generator.audit.results import read_results
from generator.audit.sql.compiler import compile_policy
from generator.audit.store import Source, insert_people
from generator.base.dates import parse_date
from generator.base.diagnostics import InputError
from tests.test_audit_sql import datasets, editions, load
from tests.test_differential import ROOT

pytestmark = pytest.mark.slow  # a JVM, and Spark's plans for every edition

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("no java (scripts/setup.sh installs default-jre-headless)", allow_module_level=True)

EXAMPLES = int(os.environ.get("JXJY_SPARK_EXAMPLES", "12"))
DEFAULT_EDITIONS = "policies:shuangliu-teachers:2018.yaml,policies:guangzhou-cycle:2016.yaml,demo-variant"
ONLY = [e for e in os.environ.get("JXJY_SPARK_EDITIONS", DEFAULT_EDITIONS).split(",") if e and e != "all"]
INPUTS = ("people", "person_roles", "person_dates", "entries", "given_as_of")


def _script():
    spec = importlib.util.spec_from_file_location("spark_audit", ROOT / "examples" / "spark_audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession  # noqa: PLC0415

    session = (SparkSession.builder.master("local[2]").appName("jxjy-audit-test")
               .config("spark.sql.shuffle.partitions", "2").config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _selected():
    chosen = editions()
    if ONLY:
        chosen = [p for p in chosen if p.id in ONLY]
    return chosen


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


@pytest.mark.parametrize("spec", _selected())
def test_spark_gives_duckdbs_results(spec, spark, tmp_path: Path):
    try:
        policy = load(spec)
    except InputError as exc:
        pytest.skip(f"{spec} does not load: {exc.diagnostics[0].format()}")
    people = [(f"p{n}", ledger, as_of) for n, (ledger, as_of) in enumerate(datasets(policy, EXAMPLES))]
    con = duckdb.connect()
    insert_people(con, [(pid, person_rows(ledger), {}, []) for pid, ledger, _ in people], Source(1, "test", "test"))
    con.execute("CREATE TABLE given_as_of (person_id VARCHAR, as_of DATE)")
    con.executemany("INSERT INTO given_as_of VALUES (?, ?)",
                    [(pid, parse_date(a) if isinstance(a, str) else None) for pid, _, a in people])
    as_of = "SELECT person_id, as_of FROM given_as_of"
    mine = compile_policy(policy, as_of=as_of)
    for statement in mine.statements(materialize=True):
        con.execute(statement)
    tables = tmp_path / "tables"
    tables.mkdir()
    for name in INPUTS:
        con.execute(f"COPY {name} TO '{tables / (name + '.parquet')}' (FORMAT PARQUET)")

    # what the README's spark-submit line runs: the SQL file over Parquet, the results written as Parquet
    sql_file = tmp_path / "audit.sql"
    sql_file.write_text(compile_policy(policy, dialect="spark", as_of=as_of).script(materialize=True), encoding="utf-8")
    spark.read.parquet(str(tables / "given_as_of.parquet")).createOrReplaceTempView("given_as_of")
    out = tmp_path / "results"
    written = _script().run_files(spark, str(sql_file), str(tables), str(out))
    assert written == mine.results()

    theirs = duckdb.connect()
    theirs.execute(f"CREATE TABLE entries AS SELECT * FROM read_parquet('{tables / 'entries.parquet'}')")
    differ = []
    for name in mine.results():
        cols = [c for c, *_ in con.execute(f"DESCRIBE {name}").fetchall()]
        theirs.execute(f"CREATE VIEW {name} AS SELECT {', '.join(cols)} FROM read_parquet('{out / name}/*.parquet')")
        a, b = _rows(con, f"SELECT * FROM {name}"), _rows(theirs, f"SELECT * FROM {name}")
        if a != b:
            differ.append(f"{name}: DuckDB {len(a)} rows, Spark {len(b)}; first differing: "
                          f"{next(((x, y) for x, y in zip(a, b, strict=False) if x != y), None)}")
    assert not differ, "\n".join(differ)
    assert read_results(theirs, mine) == read_results(con, mine)
    print(f"\n{policy.key}: {len(people)} people, {con.execute('SELECT COUNT(*) FROM entries').fetchall()[0][0]} entries, "
          f"{len(mine.results())} result views identical on Spark")
