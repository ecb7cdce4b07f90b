"""After a successful write through the web (POST, PUT, PATCH or DELETE answered below 400), the analysis cache
reads the hub's fingerprint again before its next answer, so a user sees their own change at once.

A plain ASGI middleware (not Starlette's ``BaseHTTPMiddleware``, which streams every response through a task and
a queue of its own and cost the dashboard about a tenth of its throughput)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silian.services.analysis_cache import AnalysisCache

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FreshAnalyses:
    """Invalidates ``analyses`` when a write's response starts with a status below 400."""

    def __init__(self, app: ASGIApp, analyses: AnalysisCache) -> None:
        self.app, self.analyses = app, analyses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return

        async def send_after_invalidating(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                self.analyses.invalidate()  # before the client can see the answer and ask again
            await send(message)

        await self.app(scope, receive, send_after_invalidating)
