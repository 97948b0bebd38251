"""Draw a topic tree or graph: a static SVG, or a self-contained interactive HTML page.

    from tracefabric.topics import render_topics
    render_topics("topic_graph.json", "graph.html")   # or "graph.svg"

Nothing is fetched from anywhere: styles, script and data are inlined.
"""

from __future__ import annotations

from pathlib import Path

from tracefabric.errors import ConfigError

from ..atomic import write_atomic
from ..files import load_topics
from ..model import TopicSet
from .html import render_html
from .svg import render_svg

FORMATS = ("html", "svg")


def render_topics(
    source: TopicSet | str | Path, output: str | Path, *, level: int | None = None, format: str | None = None
) -> Path:
    """Write `output` as HTML or SVG (chosen by `format` or the file extension)."""
    topics = source if isinstance(source, TopicSet) else load_topics(source)
    output = Path(output)
    kind = (format or output.suffix.lstrip(".")).lower()
    if kind == "htm":
        kind = "html"
    if kind not in FORMATS:
        raise ConfigError(
            f"render: cannot tell the format of {output.name!r}; use .html or .svg (or --format)"
        )
    text = render_svg(topics, level) if kind == "svg" else render_html(topics, open_levels=level)
    write_atomic(output, text)
    return output


__all__ = ["FORMATS", "render_html", "render_svg", "render_topics"]
