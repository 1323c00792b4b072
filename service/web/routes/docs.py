"""/docs (Swagger UI) and /redoc from assets this server serves: they work with no internet.

FastAPI's own pages load Swagger UI, ReDoc, a favicon and Google Fonts from CDNs,
so on an offline machine /docs was a blank page. The app turns those off
(docs_url=None, redoc_url=None) and these routes serve the vendored copies
(service/web/static/vendor/, see its README for versions and licences).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from service.web.pages import STATIC_DIR

router = APIRouter(include_in_schema=False)

VENDOR = "/static/vendor"
FAVICON = "/static/favicon.svg"
# Both pages start their bundle from an inline script; ReDoc runs a blob: worker, and its sidebar
# shows a logo from cdn.redoc.ly that this policy stops before any request leaves the browser.
DOCS_CSP = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'"
    )
}


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(DOCS_CSP)
    return page


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=FAVICON,
        # validatorUrl null: Swagger UI would otherwise send the spec to validator.swagger.io
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
    )
    return _with_policy(page)


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    page = get_redoc_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )
    return _with_policy(page)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (JSON answers, downloads)."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")
