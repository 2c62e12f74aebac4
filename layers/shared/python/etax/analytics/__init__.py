"""The analytical store (plan action E19): every domain event archived raw to S3, compacted
into Parquet tables by day and province, queried with DuckDB (docs/analytics.md)."""
