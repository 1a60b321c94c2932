"""PDFs from Django templates, with WeasyPrint (decision 0039).

A PDF template extends ``core/pdf_base.html``: its style sheet is inline (the PDF is never served as a page, so the
Content-Security-Policy of pages does not apply) and images are inline SVG or ``data:`` URIs. WeasyPrint fetches
nothing else: the URL fetcher refuses every other URL, so a name or a comment typed by a user that smuggles in an
``<img src="http://...">`` (it cannot: templates escape it, but defence in depth) never makes the server call out.
Text is laid out by Pango with the fonts installed on the machine (Korean and Thai included, see ``.ci/run``), and
stays text: the PDF can be searched, copied and read by tests.
"""

from __future__ import annotations

from django.template.loader import render_to_string

__all__ = ["render_pdf"]


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class InlineOnlyFetcher(URLFetcher):
        """Only ``data:`` URIs; everything else is refused before any connection is made."""

        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise ValueError("Lintas PDFs fetch nothing but data: URIs")
            return super().fetch(url, headers)

    return InlineOnlyFetcher, URLFetcherResponse


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render ``template_name`` with ``context`` (and ``request``, for the language and time zone) to PDF bytes."""
    from weasyprint import HTML

    fetcher, _ = _fetcher_class()
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url="data:,", url_fetcher=fetcher()).write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=False
    )
