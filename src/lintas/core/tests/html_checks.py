"""What the Content-Security-Policy refuses, found in HTML: used by the access matrix on every page it renders and by
the template scan in test_serving."""

from html.parser import HTMLParser

__all__ = ["inline_code"]

# A <script> of these types is data, not code: the policy does not apply to it (Swagger UI's settings block).
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _InlineCodeFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") not in _DATA_SCRIPT_TYPES:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> event handler")
            elif name == "style":
                self.found.append(f"<{tag} style=...> attribute")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=...> htmx inline handler")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    """Each inline script, inline style, event-handler attribute or ``javascript:`` URL in ``html``."""
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found
