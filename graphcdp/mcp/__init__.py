"""`graphcdp mcp`: the Model Context Protocol server, for assistants (docs/mcp.md).

Its tools run fixed GraphQL documents through a gateway (`gateway.py`): the schema executed in this process as the
caller's key (graphcdp/api/in_process.py), or a running service's /graphql. Either way a tool reads exactly what
that key may read in GraphQL. This package builds on the API and never imports it: graphcdp/api/mcp_endpoint.py
mounts it at /mcp, graphcdp/cli/mcp.py runs it over stdio.
"""
