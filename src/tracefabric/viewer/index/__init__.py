"""The viewer's SQLite indexes: records (with statistics and full-text search) and failures."""
