"""`python -m tracefabric.llm.testing --latency 0.2`: run the stub LLM server (see stub_server.py)."""

from .stub_server import main

main()
