"""The service's listening socket: accepted connections must send small responses at once.

asyncio sets TCP_NODELAY only on sockets that say they are TCP; a socket made with proto 0 left every
keep-alive response waiting ~40 ms for the client's delayed ACK (Nagle)."""

from __future__ import annotations

import asyncio
import socket

from graphcdp.cli.serve import _bind


async def test_accepted_connections_have_tcp_nodelay() -> None:
    listening = _bind("127.0.0.1", 0)
    nodelay: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nodelay.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accepted, sock=listening)
    try:
        _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
        assert await asyncio.wait_for(nodelay, 5) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
