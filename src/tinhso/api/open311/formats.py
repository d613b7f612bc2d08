"""Rendering Open311 answers in the specification's two formats: JSON and XML.

The same plain data (dicts, lists, strings, numbers, booleans, None) is written as:
- JSON (`application/json; charset=utf-8`): as is;
- XML (`text/xml; charset=utf-8`): `<?xml version="1.0" encoding="UTF-8"?>`, a root element, one child
  element per item of a list and one element per key; a list inside an item is wrapped in its key's
  element with one child per entry named by LIST_ITEM_TAGS (attributes/attribute, values/value, ...);
  None becomes an empty element, booleans `true`/`false`.
Errors are `[{"code": 400, "description": "..."}]` / `<errors><error><code>400</code>...`."""
from __future__ import annotations

import json
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# The element of each entry of a list-valued field, in XML.
LIST_ITEM_TAGS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, data) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):
                tag = LIST_ITEM_TAGS.get(key, "item")
                for entry in value:
                    _fill(ET.SubElement(child, tag), entry)
            else:
                _fill(child, value)
    else:
        element.text = _text(data)


def to_xml(data, *, root: str, item: str | None = None) -> bytes:
    """`data` (a list of dicts when `item` is given, else one dict) as an XML document."""
    top = ET.Element(root)
    if item is None:
        _fill(top, data)
    else:
        for entry in data:
            _fill(ET.SubElement(top, item), entry)
    return XML_DECLARATION + ET.tostring(top, encoding="utf-8")


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode("utf-8")


def render(fmt: str, data, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """The answer in `fmt` ("json" or "xml")."""
    body = to_json(data) if fmt == "json" else to_xml(data, root=root, item=item)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The specification's error document: one error per description, all with the HTTP status as code."""
    errors = [{"code": status, "description": str(d)} for d in descriptions]
    # XML is the required format: an unknown format is answered in XML.
    return render(fmt if fmt in FORMATS else "xml", errors, root="errors", item="error", status=status)
