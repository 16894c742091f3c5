"""The API documentation page: Swagger UI served from the package (no CDN), so it works offline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kefu.web.i18n import DEFAULT_LOCALE
from kefu.web.rendering import render

SWAGGER_UI_VERSION = "5.36.0"
"""The vendored Swagger UI under static/vendor/swagger-ui (npm swagger-ui-dist)."""

router = APIRouter(include_in_schema=False)


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over /api/openapi.json, with its scripts and styles from /static."""
    return render("docs/api_docs.html", locale=DEFAULT_LOCALE, title=request.app.title,
                  openapi_url=request.app.openapi_url or "/api/openapi.json")
