"""Server-rendered bar charts for the dashboard (docs/decisions.md): inline SVG drawn by
``templates/includes/bar_chart.html`` from counts the view already has. No script, no
library, nothing fetched; colours are SVG presentation attributes (``fill=``), since the
Content-Security-Policy refuses ``style`` attributes. The table beside each chart is its
text fallback; the SVG has a title and a description for screen readers."""

from dataclasses import dataclass

LABEL_WIDTH = 150
BAR_AREA = 260
COUNT_WIDTH = 50
BAR_HEIGHT = 18
GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int  # px, proportional to count; at least 1 for a non-zero count

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 5

    @property
    def count_x(self) -> int:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    slug: str
    title: str
    description: str
    bars: list[Bar]
    fill: str
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    width: int = LABEL_WIDTH + BAR_AREA + COUNT_WIDTH

    @property
    def height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + GAP) + GAP


def bar_chart(slug, title, rows, *, fill="#0d6efd") -> BarChart:
    """A horizontal bar per (label, count) of ``rows``, scaled to the largest count."""
    largest = max((count for _, count in rows), default=0)
    bars = [
        Bar(
            label=label,
            count=count,
            y=GAP + index * (BAR_HEIGHT + GAP),
            width=max(1, round(count * BAR_AREA / largest)) if count else 0,
        )
        for index, (label, count) in enumerate(rows)
    ]
    description = "; ".join(f"{label}: {count}" for label, count in rows)
    return BarChart(slug=slug, title=title, description=description, bars=bars, fill=fill)
