"""A tiny MCP server on the official Python SDK for the agent's tests (its
high-level server, FastMCP, is called MCPServer since mcp 2).

stdio by default; `--http PORT` serves streamable HTTP at /mcp.
"""

import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("token-bowl-test-tools")


@server.tool()
def add(a: int, b: int) -> str:
    """Add two whole numbers."""
    return str(a + b)


@server.tool()
def shout(text: str) -> str:
    """Say the text in capitals."""
    return text.upper()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        server.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
