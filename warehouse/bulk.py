"""Bulk inserts of a data frame: COPY on PostgreSQL, one prepared executemany elsewhere.

A load writes about a hundred thousand rows. Going through SQLAlchemy's per-row parameter
handling (and pandas' ``to_dict``) cost more than reading, validating and deriving them, so
rows are built column by column, converted once by each column type's own bind processor,
and handed to the driver in one call inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Integer, Table, insert


def _column_values(series: pd.Series, sql_type) -> np.ndarray:
    """One column as an object array of plain Python values of the column's SQL type, with None
    for every missing one (a whole-number column with gaps arrives from pandas as floats)."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = np.array(series.dt.to_pydatetime(), dtype=object)
    elif isinstance(sql_type, Integer) and series.dtype.kind == "f":
        values = series.fillna(0).astype("int64").to_numpy(dtype=object)
    else:
        values = series.to_numpy(dtype=object, copy=True)
    if missing.any():
        values[missing] = None
    return values


_PROBE = datetime(2001, 2, 3, 4, 5, 6, 7)


def _text_like_sqlalchemy(process) -> bool:
    """Whether this bind processor stores a date-time as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLite's)."""
    return process(_PROBE) == "2001-02-03 04:05:06.000007"


def _datetime_text(series: pd.Series) -> np.ndarray:
    values = series.to_numpy(dtype="datetime64[us]")
    text = np.char.replace(np.datetime_as_string(values, unit="us"), "T", " ").astype(object)
    text[np.isnat(values)] = None
    return text


def insert_frame(conn, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (one column per column of ``table``); returns the count."""
    if frame.empty:
        return 0
    # Every column must be there, bar a generated integer key.
    names = [
        c.name for c in table.columns if c.name in frame.columns or not (c.primary_key and isinstance(c.type, Integer))
    ]
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    columns = [_column_values(frame[name], table.c[name].type) for name in names]
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        sql = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(sql) as copy:
                for row in zip(*columns):
                    copy.write_row(row)
        finally:
            cursor.close()
        return len(frame)
    if dialect.paramstyle not in ("qmark", "format", "pyformat"):
        conn.execute(insert(table), [dict(zip(names, row)) for row in zip(*columns)])
        return len(frame)
    for i, name in enumerate(names):
        process = table.c[name].type._cached_bind_processor(dialect)
        if process is None:
            continue
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series.dtype) and _text_like_sqlalchemy(process):
            columns[i] = _datetime_text(series)  # the same text, formatted in one pass
        else:
            columns[i] = [process(v) for v in columns[i]]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    conn.exec_driver_sql(sql, list(zip(*columns)))
    return len(frame)
