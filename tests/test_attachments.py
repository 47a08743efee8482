"""Attachments: a download list with each file's kind, size and pages, in feeds and JSON-LD."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXED_NOW, build_site, same_output, write_files
from PIL import Image

from newsgen.pipeline.build import BuildOptions, build, check

SITE = "title: Files\nbase_url: https://news.example.org/\n"
PAGE = "public/2023/02/10/notice/index.html"
ATOM = "{http://www.w3.org/2005/Atom}"
FILES = """\
attachments:
  - file: /files/notice.pdf
    title: Full text of the notice
  - file: files/form.docx
    lang: zh
"""


def pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    sheets = [Image.new("1", (200, 280), 1) for _ in range(pages)]
    sheets[0].save(buffer, "PDF", save_all=True, append_images=sheets[1:])
    return buffer.getvalue()


def files_site(root: Path, attachments: str = FILES, notice: bytes | None = None) -> Path:
    article = f"---\ntitle: Notice\ndate: 2023-02-10\nslug: notice\n{attachments}---\nBody.\n"
    return write_files(
        root,
        {
            "newsgen.yaml": SITE,
            "static/files/notice.pdf": notice if notice is not None else pdf(3),
            "static/files/form.docx": b"x" * 2600,
            "content/notice.md": article,
        },
    )


@pytest.mark.site
def test_attachments_are_listed_with_kind_size_and_pages(tmp_path: Path) -> None:
    root = files_site(tmp_path / "site")
    result = build_site(root)
    assert result.ok and not result.diagnostics, [d.format() for d in result.diagnostics]
    html = (root / PAGE).read_text("utf-8")
    size = (root / "static/files/notice.pdf").stat().st_size
    listed = re.findall(
        r'<li><a href="([^"]+)" download type="([^"]+)"[^>]*>([^<]+)</a> '
        r'<span class="file-meta">\(([^)]*)\)</span>',
        html,
    )
    assert listed == [
        (
            "../../../../files/notice.pdf",
            "application/pdf",
            "Full text of the notice",
            f"PDF, 3 pages, {round(size / 1000)} KB" if size >= 1000 else f"PDF, 3 pages, {size} B",
        ),
        (
            "../../../../files/form.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "form.docx",
            "DOCX, 3 KB",
        ),
    ]
    assert 'hreflang="zh" lang="zh">form.docx' in html
    for href, *_ in listed:
        assert (root / PAGE).parent.joinpath(href).resolve().is_file()


@pytest.mark.site
def test_attachments_are_enclosures_in_feeds_and_media_in_json_ld(tmp_path: Path) -> None:
    root = files_site(tmp_path / "site")
    assert build_site(root).ok
    size = (root / "static/files/notice.pdf").stat().st_size
    entry = next(ET.parse(root / "public/feed.xml").getroot().iter(f"{ATOM}entry"))
    enclosures = [e.attrib for e in entry.iter(f"{ATOM}link") if e.get("rel") == "enclosure"]
    assert enclosures[0] == {
        "rel": "enclosure",
        "type": "application/pdf",
        "length": str(size),
        "href": "https://news.example.org/files/notice.pdf",
        "title": "Full text of the notice",
    }
    assert len(enclosures) == 2
    html = (root / PAGE).read_text("utf-8")
    ld = json.loads(re.findall(r"application/ld\+json\">(.*?)</script>", html)[0])
    assert ld["associatedMedia"][0] == {
        "@type": "MediaObject",
        "name": "Full text of the notice",
        "contentUrl": "https://news.example.org/files/notice.pdf",
        "encodingFormat": "application/pdf",
        "contentSize": f"{size} B",
    }
    assert ld["associatedMedia"][1]["inLanguage"] == "zh"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("attachments", "notice", "expected"),
    [
        (
            "attachments: [/files/gone.pdf]\n",
            None,
            "content/notice.md:5: error: attachments: static/files/gone.pdf is not in the "
            "static folder",
        ),
        (
            "attachments: /files/notice.pdf\n",
            b"%PDF-1.4 this is not really a PDF",
            "content/notice.md:5: warning: attachments: static/files/notice.pdf cannot be read "
            "as a PDF; it is listed without its page count",
        ),
        (
            "attachments:\n  - {file: ../../secret.txt}\n",
            None,
            "content/notice.md:6:5: error: attachments: '../../secret.txt' is not a file of the "
            "site's static folder",
        ),
        (
            "attachments:\n  - {file: /files/notice.pdf, size: big}\n",
            None,
            "content/notice.md:6:31: warning: attachments: unknown attachment key 'size'",
        ),
    ],
)
def test_attachment_problems_are_reported_at_their_line(
    tmp_path: Path, attachments: str, notice: bytes | None, expected: str
) -> None:
    root = files_site(tmp_path / "site", attachments, notice)
    result = check(BuildOptions(root, now=FIXED_NOW))
    lines = [d.format() for d in result.diagnostics]
    assert any(line.startswith(expected) for line in lines), lines


@pytest.mark.site
def test_a_damaged_pdf_is_published_without_its_page_count(tmp_path: Path) -> None:
    root = files_site(tmp_path / "site", "attachments: /files/notice.pdf\n", b"%PDF-1.4 nope")
    for body in ("Body.", "Edited."):  # the second build reads the file's facts from the cache
        notice = (root / "content/notice.md").read_text("utf-8").replace("Body.", body)
        write_files(root, {"content/notice.md": notice})
        result = build_site(root)
        assert result.ok and not result.up_to_date
        assert [d.message for d in result.diagnostics] == [
            "static/files/notice.pdf cannot be read as a PDF; it is listed without its page count"
        ]
    assert '<span class="file-meta">(PDF, 13 B)</span>' in (root / PAGE).read_text("utf-8")
    assert (root / "public/files/notice.pdf").read_bytes() == b"%PDF-1.4 nope"


@pytest.mark.site
def test_a_replaced_file_updates_its_article_as_a_clean_build_would(tmp_path: Path) -> None:
    root = files_site(tmp_path / "site")
    assert build_site(root).ok
    write_files(root, {"static/files/notice.pdf": pdf(7)})
    assert build_site(root).ok
    assert "PDF, 7 pages" in (root / PAGE).read_text("utf-8")
    clean = tmp_path / "clean"
    assert build(BuildOptions(root, output_dir=clean, use_cache=False, now=FIXED_NOW)).ok
    same_output(root / "public", clean)
