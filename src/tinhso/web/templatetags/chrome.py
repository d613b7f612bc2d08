"""`{% chrome_once "name" var1 var2 %}...{% endchrome_once %}`: render a fragment once per process for each
value of its variables and reuse the text.

For the parts of every page that depend only on the language and the kind of user (the header's links,
the stylesheet and script tags, the footer): they cost a third of a small page's rendering time (URL
reversing, translations, escaping), and the public tracking page is the most visited page of the portal.
Nothing inside may depend on anything but the listed variables (no CSRF token, no user name, no path).
"""
from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_rendered: dict[tuple, str] = {}
MAX_ENTRIES = 256  # names × languages × kinds of user: a handful; the bound only guards against misuse


class ChromeOnceNode(template.Node):
    def __init__(self, name: str, variables: list[template.base.FilterExpression], nodelist):
        self.name, self.variables, self.nodelist = name, variables, nodelist

    def render(self, context):
        key = (self.name, *(str(v.resolve(context)) for v in self.variables))
        text = _rendered.get(key)
        if text is None:
            text = self.nodelist.render(context)
            if len(_rendered) >= MAX_ENTRIES:
                _rendered.clear()
            _rendered[key] = text
        return mark_safe(text)


@register.tag
def chrome_once(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("chrome_once needs a quoted name")
    name = bits[1].strip("\"'")
    variables = [parser.compile_filter(b) for b in bits[2:]]
    nodelist = parser.parse(("endchrome_once",))
    parser.delete_first_token()
    return ChromeOnceNode(name, variables, nodelist)


def chrome_cache_clear() -> None:
    _rendered.clear()
