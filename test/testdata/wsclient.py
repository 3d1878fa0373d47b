"""A WebSocket client for the black-box tests, on Debian's python3-websockets.

usage: wsclient.py URL [MESSAGE]...

Sends each MESSAGE, then prints every message received as "MESSAGE <text>"
until the server closes, then "CLOSE <code> <reason>". A refused handshake
prints "STATUS <code>" and the WWW-Authenticate header, if any.
"""
import asyncio
import sys

import websockets


async def main(url, messages):
    try:
        async with websockets.connect(url, open_timeout=20, close_timeout=5) as ws:
            for message in messages:
                await ws.send(message)
            try:
                while True:
                    received = await asyncio.wait_for(ws.recv(), 20)
                    print("MESSAGE", received, flush=True)
            except websockets.exceptions.ConnectionClosed as closed:
                print("CLOSE", closed.code, closed.reason, flush=True)
    except websockets.exceptions.InvalidStatusCode as refused:
        print("STATUS", refused.status_code, flush=True)
        print("WWW-Authenticate:", refused.headers.get("WWW-Authenticate", ""), flush=True)


asyncio.run(main(sys.argv[1], sys.argv[2:]))
