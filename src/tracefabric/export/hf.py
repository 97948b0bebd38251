"""`hf`: a folder `datasets.load_dataset(folder)` loads: `data/<split>-NNNNN-of-NNNNN.parquet`
shards with one fixed Arrow schema (arrow.py), and a `README.md` dataset card whose front
matter declares the configs, splits and features (hub/card.py).

Records are converted and written in batches, so memory stays flat in the dataset's size;
statistics for the card are gathered in the same pass.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tracefabric.optional import require
from tracefabric.stats.collect import StatsCollector

from .arrow import arrow_schema, record_to_row
from .options import ExportOptions

BATCH_ROWS = 1000
SHARD_ROWS = 100_000  # ~100-200 MB of agent records per shard once compressed


class _ShardWriter:
    def __init__(self, folder: Path, split: str, schema: Any) -> None:
        self.pq = require("pyarrow.parquet", "hub", "--format hf")
        self.pa = require("pyarrow", "hub", "--format hf")
        self.folder, self.split, self.schema = folder, split, schema
        self.shards: list[Path] = []
        self.writer: Any = None
        self.in_shard = 0
        self.rows: list[dict[str, Any]] = []
        self.nbytes = 0  # in Arrow memory, as `datasets` counts a split's num_bytes

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        if self.writer is None or self.in_shard >= SHARD_ROWS:
            self._close_shard()
            path = self.folder / f".{self.split}-{len(self.shards):05d}.parquet"
            self.shards.append(path)
            self.writer = self.pq.ParquetWriter(path, self.schema, compression="zstd")
        table = self.pa.Table.from_pylist(self.rows, schema=self.schema)
        self.writer.write_table(table)
        self.nbytes += table.nbytes
        self.in_shard += len(self.rows)
        self.rows = []

    def _close_shard(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
            self.in_shard = 0

    def close(self) -> list[Path]:
        """Flush, and give the shards their final `-of-N` names."""
        self._flush()
        self._close_shard()
        if not self.shards:  # an empty split still gets a (schema-only) shard
            path = self.folder / f".{self.split}-00000.parquet"
            self.pq.write_table(self.schema.empty_table(), path, compression="zstd")
            self.shards.append(path)
        total = len(self.shards)
        final = []
        for index, path in enumerate(self.shards):
            target = self.folder / f"{self.split}-{index:05d}-of-{total:05d}.parquet"
            os.replace(path, target)
            final.append(target)
        return final


def write_folder(
    source: Any, records: dict[str, Any], folder: Path, options: ExportOptions, report: Any
) -> None:
    from tracefabric.hub.card import dataset_card

    schema = arrow_schema(options.drop)
    data = folder / "data"
    data.mkdir()
    collector = StatsCollector(str(source.path))
    files: list[str] = []
    nbytes: dict[str, int] = {}
    for split, split_records in records.items():
        writer = _ShardWriter(data, split, schema)
        count = 0
        for _, record in split_records:
            writer.add(record_to_row(record))
            collector.add(record, split)
            count += 1
        files += [str(p.relative_to(folder)) for p in writer.close()]
        nbytes[split] = writer.nbytes
        report.splits[split] = count
    stats = collector.finish(
        topics_file=source.topics_file,
        failures_file=source.failures_file,
        verify_report=options.verify_report,
    )
    card = dataset_card(
        source=source,
        stats=stats,
        schema=schema,
        splits=report.splits,
        split_bytes=nbytes,
        options=options,
        bad_records=report.bad,
        repo_id=options.repo_id,
    )
    (folder / "README.md").write_text(card, encoding="utf-8")
    report.files = ["README.md", *files]
