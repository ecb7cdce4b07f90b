"""One local SparkSession for the whole test session, sized for a test's few thousand rows.

Local mode with two cores as the engine's default, but cheaper to run on a two-core machine:

* ``spark.sql.shuffle.partitions=2`` (the engine's 8 is meant for real files): every shuffle still spreads the
  rows over more than one partition and more than one task, so a result that depended on one partition holding
  every row would still be caught, at a quarter of the tasks;
* the driver JVM compiles with the client compiler only (``-XX:TieredStopAtLevel=1``) and the serial collector: a
  test's jobs last seconds, and the optimising compiler and parallel GC threads cost more CPU than they save;
* no web UI and no console progress bar."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


def local_spark_session() -> Iterator[Any]:
    """Yield the session (skips when Java is not installed); stops it afterwards."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (CI installs openjdk-17-jre-headless)")
    from silian.services.postings.spark import spark_session

    spark = spark_session("local[2]", app_name="silian-tests", **TEST_CONF)
    try:
        yield spark
    finally:
        spark.stop()
