"""Pages of long lists without counting every row: asking for one row more than a page
tells whether another page follows, so a page costs the same at any history size."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    object_list: list[Any]
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


MAX_PAGE = 100_000


def page_of(queryset, number: str | None, size: int) -> Page:
    try:
        page_number = min(MAX_PAGE, max(1, int(number or 1)))
    except ValueError:
        page_number = 1
    start = (page_number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(object_list=rows[:size], number=page_number, has_next=len(rows) > size)
