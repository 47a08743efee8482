"""Lead photos: read, made into responsive versions, shown, shared, cached, and refused."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import FIXED_NOW, build_site, run_cli, same_output, write_files
from PIL import Image

from newsgen.media import images as media
from newsgen.pipeline.build import BuildOptions, build

SITE = "title: Photos\nbase_url: https://news.example.org/\nshare_image: img/share.png\n"
PAGE = "public/2023/02/10/review/index.html"


def jpeg(width: int, height: int, colour: str = "navy", exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", exif=exif or Image.Exif())
    return buffer.getvalue()


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def article(image: str, title: str = "Review", date: str = "2023-02-10") -> str:
    return f"---\ntitle: {title}\ndate: {date}\nslug: {title.lower()}\n{image}---\nBody.\n"


LEAD = (
    "image:\n  src: /img/hall.jpg\n  alt: Delegates in the hall\n"
    "  caption: The review in the hall.\n  credit: Li Na\n  focal: 0.5, 0.25\n"
)


def photo_site(root: Path, image: str = LEAD, photo: bytes | None = None) -> Path:
    return write_files(
        root,
        {
            "newsgen.yaml": SITE,
            "static/img/hall.jpg": photo if photo is not None else jpeg(2000, 1500),
            "static/img/share.png": png(1200, 630),
            "content/review.md": article(image),
            "content/plain.md": article("", "Plain", "2023-03-01"),
        },
    )


def versions(html: str, kind: str) -> list[tuple[str, int]]:
    """(site path, width) of each candidate of a srcset of this kind."""
    found = re.search(rf'srcset="([^"]*\.{kind} \d+w[^"]*)"', html)
    assert found, f"no {kind} srcset"
    return [
        (url.removeprefix("../../../../"), int(width[:-1]))
        for url, width in (c.split() for c in found.group(1).split(", "))
    ]


@pytest.mark.site
def test_a_lead_photo_is_shown_in_versions_with_its_caption_and_credit(tmp_path: Path) -> None:
    root = photo_site(tmp_path / "site")
    result = build_site(root)
    assert result.ok and not result.diagnostics, [d.format() for d in result.diagnostics]
    html = (root / PAGE).read_text("utf-8")
    figure = html[html.index('<figure class="lead-image">') : html.index("</figure>")]
    assert '<figcaption>The review in the hall. <span class="credit">Photo: Li Na</span>' in figure
    assert 'alt="Delegates in the hall"' in figure and 'loading="eager"' in figure
    assert 'style="object-position: 50.0% 25.0%"' in figure
    webp, jpg = versions(figure, "webp"), versions(figure, "jpg")
    assert [w for _, w in webp] == [w for _, w in jpg] == [480, 960, 1600]
    assert 'width="1600" height="1200"' in figure
    for path, width in webp + jpg:
        with Image.open(root / "public" / path) as made:
            assert made.size == (width, width * 3 // 4)
            assert made.format == ("WEBP" if path.endswith(".webp") else "JPEG")


@pytest.mark.site
def test_versions_are_upright_without_metadata_and_never_wider_than_the_photo(
    tmp_path: Path,
) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # taken turned: shown rotated by 90 degrees
    exif[0x8825] = {1: "N", 2: (34.0, 21.0, 0.0)}  # where it was taken
    root = photo_site(tmp_path / "site", photo=jpeg(800, 500, exif=exif))
    assert build_site(root).ok
    figure = (root / PAGE).read_text("utf-8")
    assert [w for _, w in versions(figure, "jpg")] == [480, 500]
    for path, width in versions(figure, "jpg") + versions(figure, "webp"):
        with Image.open(root / "public" / path) as made:
            assert made.size == (width, width * 8 // 5)
            assert not dict(made.getexif()), path


@pytest.mark.site
def test_cards_link_previews_and_search_carry_the_photo(tmp_path: Path) -> None:
    root = photo_site(tmp_path / "site")
    assert build_site(root).ok
    html = (root / PAGE).read_text("utf-8")
    share = "https://news.example.org/assets/img/"
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    assert og and og.group(1).startswith(share) and og.group(1).endswith("-1600.jpg")
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="og:image:alt" content="Delegates in the hall">' in html
    ld = json.loads(re.findall(r"application/ld\+json\">(.*?)</script>", html)[0])
    assert ld["image"] == [og.group(1)]
    assert re.search(r'data-pagefind-meta="thumb">assets/img/\w+-480\.jpg<', html)
    home = (root / "public/index.html").read_text("utf-8")
    card = home[home.index('class="card has-image"') :]
    assert 'sizes="8rem"' in card and 'loading="lazy"' in card
    plain = (root / "public/2023/03/01/plain/index.html").read_text("utf-8")
    assert '<meta property="og:image" content="https://news.example.org/img/share.png">' in plain
    assert '<meta name="twitter:card" content="summary">' in plain and "<figure" not in plain


@pytest.mark.site
def test_a_photo_on_another_site_is_shown_as_given(tmp_path: Path) -> None:
    remote = "image: {src: 'https://cdn.example.org/hall.jpg', alt: The hall}\n"
    root = photo_site(tmp_path / "site", image=remote)
    assert build_site(root).ok
    html = (root / PAGE).read_text("utf-8")
    assert '<img src="https://cdn.example.org/hall.jpg" alt="The hall" loading="eager"' in html
    assert not (root / "public/assets/img").exists()


@pytest.mark.cli
@pytest.mark.parametrize(
    ("photo", "says"),
    [
        (b"not an image at all", "is not an image Pillow can read"),
        (jpeg(400, 300)[:300], "cannot be read as an image"),  # cut short
        (png(20_000, 20_000, "1"), "is 20,000 x 20,000 pixels, more than max_image_pixels"),
        (None, "is not in the static folder"),
    ],
    ids=["not-an-image", "truncated", "decompression-bomb", "missing"],
)
def test_a_photo_that_cannot_be_used_is_an_error_at_its_line(
    tmp_path: Path, photo: bytes | None, says: str
) -> None:
    root = photo_site(tmp_path / "site", photo=photo or b"")
    if photo is None:
        (root / "static/img/hall.jpg").unlink()
    done = run_cli("build", str(root))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"content/review.md:6: error: image: static/img/hall.jpg {says}" in done.stderr
    assert not (root / "public").exists()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("image: /img/hall.jpg\n", "content/review.md:5:8: warning: image: no 'alt' text"),
        (
            "image: {src: /img/hall.jpg, alt: x, size: big}\n",
            "content/review.md:5:37: warning: image: unknown image key 'size'",
        ),
        (
            "image: {src: /img/hall.jpg, alt: x, focal: left}\n",
            "content/review.md:5:8: warning: image: focal 'left' is not two numbers",
        ),
        (
            "image: {alt: x}\n",
            "content/review.md:5:8: error: image: an image needs a 'src'",
        ),
        (
            "image: {src: 'javascript:alert(1)', alt: x}\n",
            "content/review.md:5:8: error: image: 'javascript:alert(1)' is not a file",
        ),
        (
            "image: {src: ../../etc/passwd, alt: x}\n",
            "content/review.md:5:8: error: image: '../../etc/passwd' is not a file",
        ),
    ],
)
def test_doubtful_image_fields_are_reported_at_their_line(
    tmp_path: Path, image: str, expected: str
) -> None:
    from newsgen.pipeline.build import check

    result = check(BuildOptions(photo_site(tmp_path / "site", image=image), now=FIXED_NOW))
    lines = [d.format() for d in result.diagnostics]
    assert any(line.startswith(expected) for line in lines), lines


@pytest.mark.cli
def test_strict_fails_a_photo_without_alt_text(tmp_path: Path) -> None:
    root = photo_site(tmp_path / "site", image="image: /img/hall.jpg\n")
    assert run_cli("build", str(root)).returncode == 0
    assert run_cli("build", str(root), "--strict").returncode == 1


@pytest.mark.site
def test_versions_are_made_once_and_follow_a_changed_photo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = photo_site(tmp_path / "site")
    assert build_site(root, jobs=1).ok
    made: list[str] = []
    real = media.make_variants

    def count(source: Path, image: object, folder: Path) -> None:
        made.append(source.name)
        real(source, image, folder)  # type: ignore[arg-type]

    monkeypatch.setattr("newsgen.media.images.make_variants", count)
    write_files(root, {"content/plain.md": article("", "Plain", "2023-03-02")})
    assert build_site(root, jobs=1).ok
    assert made == []  # nothing about the photo changed
    before = set((root / "public/assets/img").iterdir())
    write_files(root, {"static/img/hall.jpg": jpeg(1000, 1000, "darkgreen")})
    assert build_site(root, jobs=1).ok
    assert made == ["hall.jpg"]
    after = set((root / "public/assets/img").iterdir())
    assert not before & after and len(after) == 6  # 480, 960 and 1000 wide, WebP and JPEG
    assert all(p.name in (root / PAGE).read_text("utf-8") for p in after)
    clean = tmp_path / "clean"
    assert build(BuildOptions(root, output_dir=clean, use_cache=False, now=FIXED_NOW)).ok
    same_output(root / "public", clean)


@pytest.mark.site
def test_a_photo_linked_from_outside_the_static_folder_is_refused(tmp_path: Path) -> None:
    outside = write_files(tmp_path / "outside", {"secret.jpg": jpeg(300, 200)})
    root = photo_site(tmp_path / "site")
    (root / "static/img/hall.jpg").unlink()
    (root / "static/img/hall.jpg").symlink_to(outside / "secret.jpg")
    result = build_site(root)
    assert [d.format() for d in result.diagnostics if d.is_error] == [
        "content/review.md:6: error: image: static/img/hall.jpg is not a file of the static folder"
    ]
