"""The page a fake platform serves in place of its real call (Daily Prebuilt, Whereby's room), so a
browser test's call iframe loads offline: ``/call/<room>`` on the fake's own server."""

from __future__ import annotations

import html
from http.server import BaseHTTPRequestHandler

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in call</title>
<style>body{margin:0;font:16px system-ui;background:#10161f;color:#e8edf3;display:grid;place-items:center;height:100vh}</style>
</head><body><main><h1>Stand-in {platform} call: {room}</h1><p>A fake platform serves this page instead of its call.</p>
<button id="leave">Leave call</button></main></body></html>"""


def send_page(handler: BaseHTTPRequestHandler, platform: str, room: str) -> None:
    data = PAGE.replace("{platform}", html.escape(platform)).replace("{room}", html.escape(room)).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
