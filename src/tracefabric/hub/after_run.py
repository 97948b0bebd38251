"""The `hub:` config section: push the dataset when a run completes (DeepFabric's
`huggingface:` section translates to it)."""

from __future__ import annotations

import os
from pathlib import Path

from tracefabric.config.models import HubConfig

from .upload import PushError, push


def push_after_run(dataset: Path, hub: HubConfig) -> str:
    """Push and say so in one line; a failure keeps the dataset and says how to retry."""
    token = os.environ.get(hub.token_env) if hub.token_env else None
    try:
        report = push(
            dataset,
            hub.repo_id,
            private=hub.private,
            token=token,
            revision=hub.revision,
            tags=tuple(hub.tags),
            license=hub.license,
            tools=hub.tools,
            drop=hub.drop,
        )
    except PushError as exc:
        raise PushError(
            f"{exc} (the dataset is complete at {dataset}; retry with: tracefabric push {dataset} {hub.repo_id})"
        ) from None
    return f"pushed {report.export.written} records to {hub.repo_id}: {report.url}"
