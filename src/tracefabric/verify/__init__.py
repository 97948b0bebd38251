"""`tracefabric verify`: do a dataset's messages agree with its traces, and do the traces replay?"""

from .agreement import Problem, agreement_problems
from .lines import Line, read_lines
from .replay import replay_record, verify_dataset, verify_dataset_async
from .report import SampleReport, Status, VerifyReport

__all__ = [
    "Line",
    "Problem",
    "SampleReport",
    "Status",
    "VerifyReport",
    "agreement_problems",
    "read_lines",
    "replay_record",
    "verify_dataset",
    "verify_dataset_async",
]
