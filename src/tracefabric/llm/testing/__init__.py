"""Testing aids: a stub LLM server speaking the cloud providers' wire formats."""

from .examples import example_for
from .stub_server import Recorded, Reply, StubServer

__all__ = ["Recorded", "Reply", "StubServer", "example_for"]
