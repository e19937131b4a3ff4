"""The interactive API reference at ``/docs``, served entirely by this server.

FastAPI's default page loads Swagger UI from a public CDN: every staff member who opens it
would run third-party script next to their bearer token. The same Swagger UI files (version
5, which reads the OpenAPI 3.1 document FastAPI writes; version 4 cannot) ship in the
``swagger-ui-bundle-v2`` package and are served from ``/docs/assets`` instead; ReDoc (CDN
only) is off.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/assets"


def install_docs(app: FastAPI) -> None:
    """Add ``/docs`` and its assets to an app created with ``docs_url=None``."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI over this server's OpenAPI document."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
