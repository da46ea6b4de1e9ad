"""The HTTP server (`khui serve`): one ASGI app carrying the Slack and LINE webhooks."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.engine import Bot
from bot.settings import Settings


async def healthz(_request: Request) -> JSONResponse:
    """Liveness probe."""
    return JSONResponse({"ok": True})


def build_app(bot: Bot, settings: Settings) -> Starlette:
    """The ASGI app: GET /healthz, plus /slack/* and /line/* when those channels are set up."""
    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if settings.slack_signing_secret:
        from adapters import slack

        routes.extend(slack.routes(bot, settings))
    if settings.line_channel_secret:
        from adapters import line

        routes.extend(line.routes(bot, settings))
    return Starlette(routes=routes)
