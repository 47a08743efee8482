"""Links between the old site's posts: every name one post may give another by (Hugo's
ref/relref, Jekyll's post_url and link) -> the new URL of that post."""

from __future__ import annotations

import posixpath
from typing import NamedTuple

from newsgen.importers.read import name_parts

POST_FOLDERS = ("_posts", "_drafts")


class Linked(NamedTuple):
    """The post a link names: its new URL and whether it is a draft; or why none."""

    url: str
    problem: str = ""
    draft: bool = False


def hugo_names(rel: str) -> list[str]:
    """The ways a ref may name a page, as Hugo reads them: its path in content/ with or
    without the extension, its file name, or a page bundle's folder (any case)."""
    path = rel.lower()
    stem = path.rsplit(".", 1)[0]
    names = [path, stem]
    if stem.endswith("/index"):  # a page bundle
        folder = stem.removesuffix("/index")
        return [*names, folder, folder.rsplit("/", 1)[-1]]
    return [*names, path.rsplit("/", 1)[-1], stem.rsplit("/", 1)[-1]]


def post_name(stem: str) -> str:
    """A Jekyll post's name with its date written in full (2015-3-7-x -> 2015-03-07-x)."""
    name, day = name_parts("jekyll", stem)
    return f"{day}-{name}" if day else stem


def jekyll_names(rel: str) -> list[str]:
    """The ways post_url and link name a post: its file name without the extension (with the
    folders inside _posts or the category folders before it), and its path in the site."""
    parts = rel.split("/")
    folder = next((n for n, part in enumerate(parts) if part in POST_FOLDERS), 0)
    stem = post_name(parts[-1].rsplit(".", 1)[0])
    inner = "/".join([*parts[folder + 1 : -1], stem])
    outer = "/".join([*parts[:folder], stem])
    return [f"post_url:{name}" for name in dict.fromkeys((stem, inner, outer))] + [f"link:{rel}"]


class LinkIndex:
    """Every name of every post of the old site that has (or will have) a new URL."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.urls: dict[str, set[str]] = {}
        self.drafts: set[str] = set()

    def add(self, rel: str, url: str, draft: bool) -> None:
        """Remember a post's new URL under every name it may be linked by."""
        names = [f"ref:{n}" for n in hugo_names(rel)] if self.kind == "hugo" else jekyll_names(rel)
        for name in names:
            self.urls.setdefault(name, set()).add(url)
        if draft:
            self.drafts.add(url)

    def candidates(self, tag: str, target: str, from_rel: str) -> list[str]:
        """The names to look up, most specific first."""
        path = target.strip()
        if tag == "link":
            return [f"link:{path.lstrip('/')}"]
        if tag == "post_url":
            folders, _, stem = path.strip("/").rpartition("/")
            return [f"post_url:{posixpath.join(folders, post_name(stem))}"]
        path = path.lower().removeprefix("./").rstrip("/")
        here = posixpath.normpath(posixpath.join(posixpath.dirname(from_rel.lower()), path))
        names = [path.lstrip("/")] if path.startswith("/") else [here, path]
        return [f"ref:{name}" for name in names]

    def find(self, tag: str, target: str, from_rel: str) -> Linked:
        """The post a link names, from the post at `from_rel`."""
        for name in self.candidates(tag, target, from_rel):
            urls = self.urls.get(name, set())
            if len(urls) == 1:
                (url,) = urls
                return Linked(url, draft=url in self.drafts)
            if urls:
                return Linked("", f"{len(urls)} imported posts match it; give its whole path")
        what = "path" if tag != "post_url" else "name"
        return Linked("", f"no imported post has that {what}")
