"""`push(dataset, repo_id)`: the `hf` export uploaded to the Hub in one commit.

Through `huggingface_hub`: the dataset repository is created if needed (`private` applies
then), a `revision` branch likewise, and the export folder is uploaded as one commit that
also removes data shards a previous push left (so the repo holds exactly this export). The
token is `token`, else the library's usual lookup (`HF_TOKEN`, `hf auth login`); the Hub is
`HF_ENDPOINT` if set. `dry_run` writes the folder and uploads nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError, TracefabricError
from tracefabric.export.run import ExportReport, export
from tracefabric.optional import require

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class PushError(TracefabricError):
    """The Hub refused or could not be reached; the message says what it answered."""


@dataclass
class PushReport:
    repo_id: str
    export: ExportReport
    folder: Path | None  # kept (dry run or `out`), else None
    url: str | None = None  # the commit's URL; None on a dry run
    commit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id,
            "folder": str(self.folder) if self.folder else None,
            "commit_url": self.url,
            "commit": self.commit,
            "export": self.export.to_json(),
        }


def push(
    dataset: str | Path,
    repo_id: str,
    *,
    private: bool = False,
    token: str | None = None,
    revision: str | None = None,
    dry_run: bool = False,
    out: str | Path | None = None,
    commit_message: str | None = None,
    **export_options: Any,
) -> PushReport:
    if not REPO_ID.match(repo_id):
        raise ConfigError(f"REPO_ID: {repo_id!r} is not of the form 'owner/name'")
    keep = Path(out) if out is not None else (Path(dataset).with_suffix(".hf") if dry_run else None)
    scratch = None if keep is not None else Path(tempfile.mkdtemp(prefix="tracefabric-push-"))
    folder = keep if keep is not None else scratch / "export"  # type: ignore[operator]
    try:
        report = export(dataset, format="hf", out=folder, repo_id=repo_id, **export_options)
        result = PushReport(repo_id, report, keep)
        if dry_run:
            return result
        hub = require("huggingface_hub", "hub", "tracefabric push")
        api = hub.HfApi(endpoint=os.environ.get("HF_ENDPOINT") or None, token=token or None)
        message = commit_message or f"Upload {report.written} records with tracefabric"
        try:
            api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
            if revision:
                api.create_branch(repo_id, repo_type="dataset", branch=revision, exist_ok=True)
            info = api.upload_folder(
                repo_id=repo_id,
                repo_type="dataset",
                folder_path=str(folder),
                revision=revision,
                commit_message=message,
                delete_patterns=["data/**"],
            )
        except Exception as exc:
            # The boundary with a remote service: HTTP errors, a missing token, an unreachable Hub
            # (huggingface_hub's HTTP client raises its own types), a card the Hub refused. One line.
            raise PushError(f"push to {repo_id}: {_first_line(exc)}") from None
        result.url = getattr(info, "commit_url", None) or str(info)
        result.commit = getattr(info, "oid", None)
        return result
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
