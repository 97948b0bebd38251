"""No change to any field of a real record crashes verify: each variant gets a status."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tracefabric.verify import Status, agreement_problems, verify_dataset

from .conftest import LIMIT, copy_dataset, records_of

ODD_VALUES: list[Any] = [None, 1, 1.5, True, "x", [], {}, [1], {"a": 1}]
DELETE = object()


def paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        yield from paths(child, (*prefix, key))


def variant(record: dict, path: tuple, value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(record)
    node = changed
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def variants(record: dict, under: tuple = ()) -> Iterator[Any]:
    for path in paths(record):
        if path[: len(under)] == under:
            for value in [*ODD_VALUES, *([DELETE] if path else [])]:
                yield variant(record, path, value)


def test_agreement_never_raises(generated: Path) -> None:
    record = records_of(generated)[0]
    checked = 0
    for changed in variants(record):
        if isinstance(changed, dict):
            for limit in (None, LIMIT):
                assert isinstance(agreement_problems(changed, max_observation_chars=limit), list)
            checked += 1
    assert checked > 2000


def test_verify_never_crashes_on_a_changed_trace(generated: Path, tmp_path: Path) -> None:
    record = records_of(generated)[0]
    lines = [json.dumps(changed) for changed in variants(record, under=("trace",))]
    report = verify_dataset(copy_dataset(generated, tmp_path, lines))
    assert len(report.samples) == len(lines) > 500
    assert report.count(Status.INVALID) > 100 and report.count(Status.MISMATCH) > 50
