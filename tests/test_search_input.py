"""Pagefind is sent only the part of a page it reads (publish/pagefind.py's searched_part):
the bundle must be byte for byte the one the whole page gives, whatever the template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import article_text, build_site, write_files

from newsgen.publish import pagefind
from newsgen.publish.pagefind import PagefindService, find_pagefind, run_pagefind, searched_part

pytestmark = pytest.mark.cli  # runs Pagefind


@pytest.fixture(scope="module")
def service() -> Iterator[PagefindService]:
    binary = find_pagefind()
    assert binary is not None, "Pagefind is a dependency of newsgen"
    running = PagefindService(binary)
    yield running
    running.close()


def bundles(
    service: PagefindService, pages: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The bundle Pagefind makes of the whole pages, and the one newsgen makes."""
    with monkeypatch.context() as patched:
        patched.setattr(pagefind, "searched_part", lambda page: page)
        whole = run_pagefind(service, pages.__getitem__, sorted(pages))
    return whole, run_pagefind(service, pages.__getitem__, sorted(pages))


def page(head: str = "", before: str = "", body: str = "", after: str = "") -> bytes:
    """A page: a head, what comes before the searched element, the element, what follows."""
    body = body or (
        '<article data-pagefind-body><h1 id="t">Flood drill in Jintai</h1>'
        '<span data-pagefind-filter="district">Jintai</span>'
        '<p>Zhang Wei opened the drill.</p><h2 id="s">Second part</h2><p>Rescue boats.</p>'
        '<aside data-pagefind-ignore="all"><p>Related: Weibin drill</p></aside></article>'
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Drill</title>'
        f'{head}</head><body><header><nav><a href="/">Home</a> Navigation words</nav></header>'
        f"{before}{body}{after}<footer>Footer words</footer></body></html>"
    ).encode()


# Pages Pagefind reads something of outside the searched element: sent whole.
READ_OUTSIDE = {
    "h1 before": page(before="<h1>Site title</h1>"),
    "H1 before, upper case": page(before="<H1>Site title</H1>"),
    "filter in the footer": page(after='<p data-pagefind-filter="district">Jintai</p>'),
    "meta after": page(after='<span data-pagefind-meta="author">Li</span>'),
    "image after": page(after='<img src="/a.jpg" alt="A photo">'),
    "a second body after": page(after="<section data-pagefind-body><p>More words</p></section>"),
    "no searched element": page(body="<main><h1>Plain page</h1><p>Words</p></main>"),
    "no head end": page().replace(b"</head>", b""),
    "element in a comment": page(before="<!-- <article data-pagefind-body> -->"),
    "mark in an attribute value": page(before='<a title="x data-pagefind-body">x</a>'),
    "mark in a single-quoted value": page(before="<a title='x data-pagefind-body'>x</a>"),
    "mark as text": page(before="<p>data-pagefind-body</p>"),
    "element in a template": page(before="<template><div data-pagefind-body>T</div></template>"),
}
# Pages sent as their head and searched element.
CUT = {
    "the theme's shape": page(),
    "metadata in the head": page(
        head='<meta data-pagefind-meta="image[content]" content="/i.jpg">'
    ),
    "a div with divs in it": page(
        body='<div class="a" data-pagefind-body><div><h1>Drill</h1></div><div>Words</div></div>'
    ),
    "a script after that holds the closing tag": page(
        after='<script>var s = "</article>";</script>'
    ),
    "an icon in the navigation": page(before='<svg viewBox="0 0 1 1"><path d="M0 0"/></svg>'),
    "body attribute among others": page(
        body='<article class="x" data-pagefind-body data-pagefind-sort="date:2024-01-02">'
        "<h1>Drill</h1><p>Words</p></article>"
    ),
}


@pytest.mark.parametrize("name", sorted(READ_OUTSIDE))
def test_a_page_read_outside_its_searched_element_is_sent_whole(
    name: str, service: PagefindService, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_page = READ_OUTSIDE[name]
    assert searched_part(whole_page) == whole_page
    pages = {"a/index.html": whole_page, "b/index.html": CUT["the theme's shape"]}
    whole, sent = bundles(service, pages, monkeypatch)
    assert sent == whole


@pytest.mark.parametrize("name", sorted(CUT))
def test_a_page_is_sent_as_its_head_and_searched_element_with_the_same_bundle(
    name: str, service: PagefindService, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_page = CUT[name]
    part = searched_part(whole_page)
    assert b"Navigation words" not in part and b"Footer words" not in part
    assert b"<title>Drill</title>" in part and b'<html lang="en">' in part
    whole, sent = bundles(service, {"a/index.html": whole_page}, monkeypatch)
    assert sent == whole
    assert sum(name.startswith("fragment/") for name in sent) == 1


def test_the_built_in_themes_article_pages_are_cut_and_index_as_whole_pages(
    tmp_path: Path, service: PagefindService, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"newsgen.yaml": "title: T\n"}
    for n, lang in enumerate(["en", "en", "zh"]):
        files[f"content/a{n}.md"] = article_text(
            f"# Heading {n}\n\nThe flood drill, part {n}.\n\n## Boats\n\n救援船只 {n}。",
            title=f"Drill {n}",
            lang=lang,
            date=f"2024-06-0{n + 1}",
            units=["District Emergency Bureau"],
            speaker=["Zhang Wei"],
        )
    root = write_files(tmp_path / "site", files)
    assert build_site(root).ok
    out = root / "public"
    pages = {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.glob("2024/06/*/*/index.html"))
    }
    assert len(pages) == 3
    assert all(len(searched_part(data)) < len(data) for data in pages.values())
    whole, sent = bundles(service, pages, monkeypatch)
    assert sent == whole
