"""``dbdesign mcp``: dbdesign as a Model Context Protocol server for AI coding agents.

- :mod:`dbdesign.mcp.tools`: the tools, thin calls into :mod:`dbdesign.api` (typed inputs and
  outputs in :mod:`dbdesign.mcp.outputs`);
- :mod:`dbdesign.mcp.safety`: what an agent may reach (databases by name, read-only sessions
  with timeouts, the explain guard, redaction);
- :mod:`dbdesign.mcp.server`: the server on the official ``mcp`` SDK (the ``mcp`` extra:
  ``pip install 'dbdesign[mcp]'``), its resources and prompt.

See docs/agents.md.
"""
