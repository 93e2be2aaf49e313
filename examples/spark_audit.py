"""The audit on Apache Spark: an edition's compiled SQL (`jxjy sql --dialect spark`) over the audit's
input tables as Parquet, its results written back as Parquet. Needs only pyspark — not jxjy — on the
cluster: the SQL is compiled once, on any machine with jxjy, and shipped as a file.

    # on a machine with jxjy: the edition's SQL, and the tables (from an audit database, or any
    # export with the columns docs/audit.md lists) as Parquet on shared storage
    .venv/bin/jxjy sql shuangliu-teachers/2018 --dialect spark --materialize --as-of 2018-07-31 > audit.sql
    .venv/bin/python -c "import duckdb; duckdb.connect('audit.duckdb').execute(\\"EXPORT DATABASE 'tables' (FORMAT PARQUET)\\")"
    hdfs dfs -put tables /audit/tables

    # on the cluster
    spark-submit --master yarn --deploy-mode cluster --files audit.sql examples/spark_audit.py \\
        audit.sql hdfs:///audit/tables hdfs:///audit/results

Input: `<tables>/people.parquet`, `person_roles.parquet`, `person_dates.parquet`, `entries.parquet`
(each a Parquet file or a directory of them, the columns of the DuckDB tables). Output: one Parquet
directory per result view under `<results>/` (`<prefix>requirements`, `<prefix>people_status`, …; the
list is the script's `-- results:` line), the same rows `jxjy audit run` computes in DuckDB
(tests/test_audit_spark.py compares them).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

INPUT_TABLES = ("people", "person_roles", "person_dates", "entries")
RESULTS_LINE = "-- results:"
CACHE = re.compile(r"^CACHE TABLE (\w+)$")


def statements(sql: str) -> list[str]:
    """The script's statements, in order (each ends with ';' and a blank line; comment lines dropped)."""
    text = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    return [s.strip() for s in text.split(";\n\n") if s.strip().rstrip(";").strip()]


def result_views(sql: str) -> list[str]:
    for line in sql.splitlines():
        if line.startswith(RESULTS_LINE):
            return line[len(RESULTS_LINE):].split()
    return []


def _input_path(tables: str, name: str) -> str:
    """`<tables>/<name>` when it is a local folder, else `<tables>/<name>.parquet` (what DuckDB's EXPORT
    DATABASE writes; on shared storage either is a path Spark reads)."""
    plain = f"{tables.rstrip('/')}/{name}"
    return plain if "://" not in tables and Path(plain).is_dir() else plain + ".parquet"


def run(spark, sql: str, tables: str, results: str | None = None) -> dict[str, object]:
    """Register the input tables, execute the edition's statements; the result views as DataFrames
    (written to `results`/<view> as Parquet when given)."""
    for name in INPUT_TABLES:
        spark.read.parquet(_input_path(tables, name)).createOrReplaceTempView(name)
    for statement in statements(sql):
        cached = CACHE.match(statement)
        if cached:
            # the step computed once and cut from its lineage: later steps are analysed over its rows, not
            # over the whole chain again (CACHE TABLE alone keeps the chain in every later plan)
            spark.table(cached[1]).localCheckpoint(eager=True).createOrReplaceTempView(cached[1])
        else:
            spark.sql(statement)
    frames = {name: spark.table(name) for name in result_views(sql)}
    if results is not None:
        for name, frame in frames.items():
            frame.write.mode("overwrite").parquet(f"{results.rstrip('/')}/{name}")
    return frames


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sql", help="the edition's SQL: jxjy sql POLICY --dialect spark --materialize")
    parser.add_argument("tables", help="folder (or hdfs://, s3a:// …) holding people, person_roles, person_dates and "
                                       "entries as Parquet")
    parser.add_argument("results", help="folder to write one Parquet directory per result view into")
    args = parser.parse_args(argv)
    from pyspark.sql import SparkSession  # noqa: PLC0415

    spark = SparkSession.builder.appName("jxjy-audit").getOrCreate()
    try:
        names = run_files(spark, args.sql, args.tables, args.results)
        print(f"{len(names)} result views written to {args.results}", file=sys.stderr)
    finally:
        spark.stop()
    return 0


def run_files(spark, sql_file: str, tables: str, results: str) -> list[str]:
    """What spark-submit runs: the SQL file over the tables, each result view written as Parquet; their names."""
    frames = run(spark, Path(sql_file).read_text(encoding="utf-8"), tables, results)
    return list(frames)


if __name__ == "__main__":
    sys.exit(main())
