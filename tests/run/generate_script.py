"""Run a generation in its own process (for the kill -9 and Ctrl+C tests)."""

from __future__ import annotations

import json
import sys

from tests.scripted import provider, qa_responder
from tracefabric import generate

if __name__ == "__main__":
    config = json.loads(sys.argv[1])
    latency = float(sys.argv[2])
    summary = generate(config, provider_factory=provider(qa_responder(), latency=latency), progress="plain")
    print(json.dumps({"status": summary.status, "written": summary.written}))
