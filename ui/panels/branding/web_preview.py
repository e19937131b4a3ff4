"""The QtWebEngine view of the Branding preview (importing this module starts QtWebEngine)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout

from ui.panels.branding.preview import HtmlView


def _origin(url: QUrl) -> tuple[str, str, int]:
    return (url.scheme(), url.host(), url.port(-1))


class _StaffLogo(QWebEngineUrlRequestInterceptor):
    """Sends the staff token with requests for the portal's logo on this server only, so the
    draft's logo shows before it is published (the portal allows it to staff who may preview)."""

    def __init__(self, server_url: str, token: Callable[[], str | None]) -> None:
        super().__init__()
        self.origin = _origin(QUrl(server_url))
        self.token = token

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        same_origin = _origin(url) == self.origin
        path = url.path()
        if same_origin and path.startswith("/p/") and ("/logo/" in path or "/favicon/" in path):
            token = self.token()
            if token:
                info.setHttpHeader(b"Authorization", f"Bearer {token}".encode())


class WebPreview(HtmlView):
    """A web view whose page sends the staff token for the draft's logo, and nothing else."""

    def __init__(self, server_url: str, token: Callable[[], str | None]) -> None:
        super().__init__()
        self.web = QWebEngineView(self)
        self.interceptor = _StaffLogo(server_url, token)
        self.web.page().setUrlRequestInterceptor(self.interceptor)
        self.web.loadFinished.connect(lambda _ok: self.loaded.emit())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.web)

    def show_html(self, html: str, base: QUrl) -> None:
        """Load a document; relative addresses (stylesheets, logo) resolve against ``base``."""
        self.web.setHtml(html, base)
