"""A platform's timeline as an inline SVG drawn on the server: one lane per document, time across, each stored
version a tick and each substantive change a dot coloured by severity, labelled by topic and linked to its page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

WIDTH = 960
LEFT = 190  # room for the documents' names
RIGHT = 24
TOP = 34  # room for the axis labels
LANE = 46
MAX_LABEL = 28  # characters of a change's label
LABEL_GAP = 150  # pixels between two labels on one side of a lane (a label of MAX_LABEL characters is about that)


@dataclass(frozen=True, slots=True)
class Mark:
    """One point of a lane: a version (`severity` None) or a change with its page."""

    at: str  # ISO 8601
    severity: str | None = None
    label: str = ""
    title: str = ""
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Lane:
    """One document's row."""

    name: str
    marks: tuple[Mark, ...]


def moment(text: str) -> datetime | None:
    """An ISO 8601 date or time as an aware datetime (UTC when no zone is given); None when unreadable."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value if 1900 <= value.year <= 2200 else None  # (beyond that a date is a mistake, and no axis fits it)


def timeline_svg(lanes: list[Lane]) -> str:
    """The SVG element (a string, every text escaped) for `lanes`, from the first mark to the last (at least a
    week); an empty string when nothing is dated."""
    times = [t for lane in lanes for mark in lane.marks if (t := moment(mark.at)) is not None]
    if not times:
        return ""
    start, end = min(times), max(times)
    if end - start < timedelta(days=7):
        start, end = end - timedelta(days=7), end + timedelta(days=1)
    pad = (end - start) * 0.03
    start, end = start - pad, end + pad
    span = (end - start).total_seconds()
    height = TOP + LANE * len(lanes) + 10

    def x(value: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (value - start).total_seconds() / span

    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="Timeline of versions and changes">']
    for tick, label in _ticks(start, end):
        position = x(tick)
        parts.append(f'<line class="grid" x1="{position:.1f}" y1="{TOP - 8}" x2="{position:.1f}" y2="{height - 6}"/>')
        parts.append(f'<text class="axis" x="{position:.1f}" y="{TOP - 14}">{escape(label)}</text>')
    for row, lane in enumerate(lanes):
        middle = TOP + LANE * row + LANE / 2
        parts.append(f'<text class="lane" x="{LEFT - 10}" y="{middle + 4:.1f}">{escape(_short(lane.name, 26))}</text>')
        parts.append(f'<line class="lane" x1="{LEFT}" y1="{middle:.1f}" x2="{WIDTH - RIGHT}" y2="{middle:.1f}"/>')
        labelled: dict[str, float] = {"above": -WIDTH, "below": -WIDTH}  # where the last label of each side went
        dated = [(when, mark) for mark in lane.marks if (when := moment(mark.at)) is not None]
        for when, mark in sorted(dated, key=lambda item: (item[1].severity is not None, item[0])):
            position = x(when)
            if mark.severity is None:
                parts.append(f'<line class="version" x1="{position:.1f}" y1="{middle - 6:.1f}" x2="{position:.1f}" '
                             f'y2="{middle + 6:.1f}"><title>{escape(mark.title or mark.at)}</title></line>')
                continue
            dot = (f'<circle class="change severity-{escape(mark.severity)}" cx="{position:.1f}" cy="{middle:.1f}" r="7">'
                   f'<title>{escape(mark.title)}</title></circle>')
            side = next((s for s in ("above", "below") if position - labelled[s] >= LABEL_GAP), None)
            if side is not None:  # a label too close to the last one on both sides is left to the tooltip
                labelled[side] = position
                label_y = middle - 11 if side == "above" else middle + 19
                dot += f'<text class="label" x="{position:.1f}" y="{label_y:.1f}">{escape(_short(mark.label, MAX_LABEL))}</text>'
            if mark.href:
                dot = f'<a href="{escape(mark.href)}">{dot}</a>'
            parts.append(dot)
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Round dates between start and end, about six of them: years, quarters, months or days."""
    days = (end - start).days
    if days > 365 * 3:  # every 1, 2, 5, 10, 20 or 50 years, on years divisible by the step
        years = next((n for n in (1, 2, 5, 10, 20, 50) if days / 365 / n <= 8), 100)
        first_year = (start.year // years + 1) * years
        return [(tick, str(tick.year)) for year in range(first_year, end.year + 1, years)
                if start < (tick := datetime(year, 1, 1, tzinfo=UTC)) < end]
    elif days > 240:
        step_months, fmt = 3, "%b %Y"
    elif days > 60:
        step_months, fmt = 1, "%b %Y"
    else:
        step = max(1, days // 6)
        first = datetime(start.year, start.month, start.day, tzinfo=UTC) + timedelta(days=1)
        return [(first + timedelta(days=k * step), (first + timedelta(days=k * step)).strftime("%d %b"))
                for k in range(days // step + 1) if first + timedelta(days=k * step) < end]
    ticks: list[tuple[datetime, str]] = []
    year, month = start.year, start.month
    month = ((month - 1) // step_months + 1) * step_months + 1
    while month > 12:
        month -= 12
        year += 1
    while True:
        tick = datetime(year, month, 1, tzinfo=UTC)
        if tick >= end:
            return ticks
        if tick > start:
            ticks.append((tick, tick.strftime(fmt)))
        month += step_months
        while month > 12:
            month -= 12
            year += 1
