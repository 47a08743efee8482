"""`newsgen new`: start an article with today's date and every field the site requires."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from newsgen.core.config import Config
from newsgen.core.urls import make_slug


class ScaffoldRefused(Exception):
    """The article cannot be written (it exists, or the title has no slug)."""


@dataclass(frozen=True)
class NewArticle:
    """What `newsgen new` was asked for."""

    title: str
    district: str = ""
    event_type: str = ""
    speakers: Sequence[str] = ()
    units: Sequence[str] = ()
    lang: str = ""


def article_source(article: NewArticle, config: Config, now: datetime) -> str:
    """The front matter and a body placeholder; required keys left empty are marked."""
    fields: dict[str, object] = {"title": article.title, "date": now.isoformat(timespec="seconds")}
    given: dict[str, object] = {
        "district": article.district,
        "event_type": article.event_type,
        "speaker": list(article.speakers),
        "units": list(article.units),
        "lang": article.lang,
    }
    fields.update({key: value for key, value in given.items() if value})
    text = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    missing = [key for key in config.required if key not in fields]
    text += "".join(f"{key}:  # required: fill in\n" for key in missing)
    return f"---\n{text}---\n\nWrite the article here.\n"


def create_article(article: NewArticle, config: Config, now: datetime | None = None) -> Path:
    """Write content/YYYY/MM/<slug>.md in the site's time zone; never overwrite a file."""
    moment = (now or datetime.now(config.tz)).astimezone(config.tz).replace(microsecond=0)
    slug = make_slug(article.title)
    if not slug:
        raise ScaffoldRefused(f"the title {article.title!r} gives an empty slug")
    folder = config.site_root / config.content_dir / f"{moment:%Y}" / f"{moment:%m}"
    path = folder / f"{slug}.md"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(article_source(article, config, moment))
    except FileExistsError:
        raise ScaffoldRefused(f"{path} exists already; nothing was written") from None
    return path
