"""Page-number pagination with a bounded page number.

ninja's PageNumberPagination takes any page ≥ 1; a page number past what an SQL OFFSET can hold
(e.g. page=10**30, found by the API fuzz test) made the database driver fail with a 500. Here the page
is at most MAX_PAGE (a 422 with the API's error shape beyond it): far more pages than any list has."""
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)
