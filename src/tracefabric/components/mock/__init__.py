"""The mock component: tools from MCP schemas with responses a dataset author shapes.

Pure standard-library Python: the same modules run inside the Wasm guest (``app``) and on
the host, which imports ``definitions``, ``faults``, ``matching`` and ``templates`` to check
input before it reaches the guest. See docs/mock.md.
"""
