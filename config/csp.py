"""Content-Security-Policy for every page of the site.

Pages show teachers' Markdown and learners' notebook outputs. Both are sanitised before they reach
a page (courses/markdown.py), and this header is the second wall: no inline or foreign script, no
plugins, no <base> rewriting, no framing. CodeMirror sets inline styles on its elements, hence
'unsafe-inline' for styles only; images may be data: URLs (matplotlib figures), which the
sanitiser limits to PNG, JPEG and GIF. A view that sets its own policy (course assets) keeps it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Third-party pages with inline scripts of their own: Django's admin and the Swagger UI.
EXEMPT_PREFIXES = ("/admin/", "/api/docs/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers and not request.path.startswith(
            EXEMPT_PREFIXES
        ):
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response
