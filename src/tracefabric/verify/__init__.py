"""Replay verification of agent datasets (`tracefabric verify`)."""

from .replay import SampleReport, VerifyReport, verify_dataset, verify_dataset_async

__all__ = ["SampleReport", "VerifyReport", "verify_dataset", "verify_dataset_async"]
