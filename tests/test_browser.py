"""The example archive in a real headless Chromium: navigation, errors, mobile layout, screenshots.

The site is served from a sub-path (http://127.0.0.1:PORT/news/archive/) and opened from
file://, the two ways the spec promises relative links work.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlencode, urljoin, urlsplit

import pytest
from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXAMPLE_SITE,
    REPO_ROOT,
    article_text,
    build_site,
    copy_fixture_site,
    write_files,
)
from playwright.sync_api import Browser, Locator, Page, Request, sync_playwright

SUB_PATH = "news/archive"
TIMEOUT_MS = 15_000

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: install Chromium to run the browser tests", allow_module_level=True
    )

# One worker runs them all (scripts/test.sh's --dist loadgroup): the build, the server and the
# browser are module fixtures, made once.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("example-browser")]


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that does not log every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    """Connections the browser drops early are not worth a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@dataclass
class Built:
    root: Path  # the folder served over HTTP
    out: Path  # the built site, at root/news/archive


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    site = copy_fixture_site(EXAMPLE_SITE, tmp_path_factory.mktemp("example") / "site")
    root = tmp_path_factory.mktemp("www")
    out = root / SUB_PATH
    result = build_site(site, output_dir=out)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    return Built(root, out)


@pytest.fixture(scope="module")
def screenshots(artifacts: Path) -> Path:
    """Screenshots for people to look at: the artifacts folder's screenshots/."""
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def http_base(built: Built) -> Iterator[str]:
    """http://127.0.0.1:PORT/news/archive/ serving the build; shut down afterwards."""
    handler = functools.partial(QuietHandler, directory=str(built.root))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Problems:
    """Console errors, page errors, failed requests and HTTP errors seen by a page."""

    found: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on(
            "console",
            lambda msg: (
                self.found.append(f"console error: {msg.text} at {msg.location}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: self.found.append(f"page error: {exc}"))
        page.on("requestfailed", self.request_failed)
        page.on(
            "response",
            lambda resp: (
                self.found.append(f"HTTP {resp.status}: {resp.url}") if resp.status >= 400 else None
            ),
        )
        return page

    def request_failed(self, request: Request) -> None:
        # ERR_ABORTED is a request the browser cancelled itself, such as the favicon of a
        # page left before it loaded; a missing file fails with a 404 or ERR_FILE_NOT_FOUND.
        if request.failure != "net::ERR_ABORTED":
            self.found.append(f"request failed: {request.url} ({request.failure})")


def new_page(browser: Browser, width: int = 1280, height: int = 900) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(TIMEOUT_MS)
    return page


def follow(page: Page, link: Locator) -> str:
    """Click a link and wait until the browser has loaded the page it points to."""
    href = link.get_attribute("href")
    assert href, "link without href"
    target = urljoin(page.url, href)
    link.click()
    page.wait_for_url(target)
    page.wait_for_load_state("load")
    return target


@pytest.mark.parametrize("mode", ["http", "file"])
def test_navigate_home_units_unit_article(
    browser: Browser, built: Built, http_base: str, mode: str
) -> None:
    home = (
        urljoin(http_base, "index.html") if mode == "http" else (built.out / "index.html").as_uri()
    )
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        page.goto(home, wait_until="load")
        assert page.locator("h1, .brand-name").first.is_visible()

        nav = page.locator("header nav")
        follow(page, nav.get_by_role("link", name="Units", exact=True))
        assert page.url.endswith("/units/index.html"), page.url
        assert page.locator("main h1").inner_text().strip() == "Units"

        first_unit = page.locator("main").get_by_role("link").first
        unit_name = first_unit.inner_text().strip()
        assert unit_name
        unit_page = follow(page, first_unit)
        assert re.search(r"/units/[^/]+/index\.html$", page.url), page.url
        assert page.locator("main h1").inner_text().strip() == unit_name

        first_article = page.locator("main ol.cards a").first
        article_title = " ".join(first_article.inner_text().split())
        follow(page, first_article)
        assert re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+/index\.html$", page.url), page.url
        h1 = page.locator("main h1")
        assert h1.count() == 1
        assert " ".join(h1.inner_text().split()) == article_title
        # The unit's name, or its vocabulary label in the article's language (a Chinese page).
        unit_url = unit_page.rsplit("/", 2)[-2]
        unit_links = page.locator(f"main .article-meta a[href*='/units/{unit_url}/']")
        assert unit_links.count() >= 1, f"the article does not link to its unit {unit_name!r}"
        assert page.url.startswith(home.rsplit("/", 1)[0]), "navigation left the site's folder"
    finally:
        page.close()
    assert not problems.found, "\n".join(problems.found)


def mobile_pages(built: Built) -> list[str]:
    """Home, units overview, the largest unit page, archive, a month and every article page."""
    units = sorted(
        (built.out / "units").glob("*/index.html"),
        key=lambda p: p.read_text("utf-8").count('class="card"'),
    )
    articles = sorted(
        p.relative_to(built.out).as_posix()
        for p in built.out.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html")
    )
    assert len(articles) > 30
    return [
        "index.html",
        "units/index.html",
        units[-1].relative_to(built.out).as_posix(),
        "archive/index.html",
        "2023/02/index.html",
        *articles,  # long titles, a table, Chinese text, long unit names
    ]


def test_no_horizontal_scrolling_at_375px(browser: Browser, built: Built, http_base: str) -> None:
    problems = Problems()
    page = problems.watch(new_page(browser, 375, 812))
    too_wide = []
    try:
        for rel in mobile_pages(built):
            page.goto(urljoin(http_base, rel), wait_until="load")
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                culprits = page.evaluate(
                    """() => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                        .slice(0, 5)
                        .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                                  + ' right=' + Math.round(e.getBoundingClientRect().right))"""
                )
                width = page.evaluate("document.documentElement.scrollWidth")
                too_wide.append(f"{rel}: scrollWidth {width} > 375; widest: {culprits}")
    finally:
        page.close()
    assert not too_wide, "horizontal scrolling at 375px:\n" + "\n".join(too_wide)
    assert not problems.found, "\n".join(problems.found)


@pytest.mark.parametrize("width", [375, 1280])
def test_full_page_screenshots(
    browser: Browser, built: Built, http_base: str, screenshots: Path, width: int
) -> None:
    article = "2023/02/10/jintai-party-building-review/index.html"
    assert (built.out / article).is_file()
    problems = Problems()
    page = problems.watch(new_page(browser, width, 812))
    try:
        for name, rel in (("home", "index.html"), ("article", article)):
            page.goto(urljoin(http_base, rel), wait_until="load")
            page.evaluate("document.fonts.ready")
            if name == "article":  # the lead photo, its caption and credit are in the shot
                caption = page.locator(".lead-image figcaption")
                assert caption.is_visible() and "press office" in caption.inner_text()
                assert page.locator(".lead-image img").evaluate("i => i.naturalWidth") > 0
            path = screenshots / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            data = path.read_bytes()
            assert data.startswith(b"\x89PNG\r\n\x1a\n"), path
            png_width = int.from_bytes(data[16:20], "big")
            png_height = int.from_bytes(data[20:24], "big")
            assert png_width == width, f"{path}: {png_width}px wide"
            assert png_height >= 812, f"{path}: {png_height}px high, not a full page"
    finally:
        page.close()
    assert not problems.found, "\n".join(problems.found)


def search(page: Page, http_base: str, **params: str) -> list[str]:
    """Open the search page with a query and return the titles of the results shown."""
    page.goto(urljoin(http_base, "search/index.html?" + urlencode(params)), wait_until="load")
    page.wait_for_function(
        "/found|shown|Type words/.test(document.querySelector('.search-status').textContent)"
    )
    return [" ".join(t.split()) for t in page.locator(".search-results h2 a").all_inner_texts()]


def articles_containing(built: Built, phrase: str) -> set[str]:
    """Titles of the article pages whose title or body contains `phrase` (the expected hits)."""
    found = set()
    for path in built.out.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"):
        html = path.read_text("utf-8")
        title_match = re.search(r"<h1>(.*?)</h1>", html, re.S)
        assert title_match
        title = " ".join(title_match.group(1).split())
        body = html.split('class="article-body"', 1)[1].split('<nav class="prev-next"', 1)[0]
        if phrase in re.sub(r"<[^>]+>|\s", "", title + body):
            found.add(title)
    return found


@pytest.mark.parametrize(
    ("query", "phrase"),
    [
        ("课后服务", "课后服务"),
        ("課後服務", "课后服务"),
        ("金台区", "金台区"),
        ("食品安全", "食品安全"),
    ],
)
def test_chinese_search_finds_every_article_with_the_phrase(
    browser: Browser, built: Built, http_base: str, query: str, phrase: str
) -> None:
    expected = articles_containing(built, phrase)
    assert expected, f"the example archive has no article with {phrase}"
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        titles = search(page, http_base, q=query)
    finally:
        page.close()
    assert set(titles) == expected
    assert not problems.found, "\n".join(problems.found)


def test_english_search_and_a_filter_narrow_the_results(
    browser: Browser, built: Built, http_base: str
) -> None:
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        everywhere = search(page, http_base, q="safety")
        chencang = search(page, http_base, q="safety", district="chencang-district")
        newest = search(page, http_base, q="canteen", sort="desc")
    finally:
        page.close()
    assert "Chencang District inspects food safety in school canteens" in everywhere
    assert chencang and all(t.startswith("Chencang District") for t in chencang)
    assert any(not t.startswith("Chencang District") for t in everywhere)
    assert "Chencang District inspects food safety in school canteens" in newest
    assert not problems.found, "\n".join(problems.found)


def test_keyboard_reaches_search_results_and_an_article(
    browser: Browser, built: Built, http_base: str
) -> None:
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        page.goto(urljoin(http_base, "index.html"), wait_until="load")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "site-search":
                break
        assert page.evaluate("document.activeElement.id") == "site-search"
        page.keyboard.type("canteens")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search/"))
        page.wait_for_function("/found/.test(document.querySelector('.search-status').textContent)")
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("!!document.activeElement.closest('.search-results')"):
                break
        href = page.evaluate("document.activeElement.href")
        page.keyboard.press("Enter")
        page.wait_for_url(href)
        assert re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+/index\.html$", page.url), page.url
    finally:
        page.close()
    assert not problems.found, "\n".join(problems.found)


@pytest.mark.parametrize("width", [375, 1280])
def test_search_page_screenshots(
    browser: Browser, http_base: str, screenshots: Path, width: int
) -> None:
    problems = Problems()
    page = problems.watch(new_page(browser, width, 812))
    try:
        titles = search(page, http_base, q="金台区")
        assert titles
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(screenshots / f"search-zh-{width}.png"), full_page=True)
    finally:
        page.close()
    assert not problems.found, "\n".join(problems.found)


AXE = REPO_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_PAGES = {
    "home": "index.html",
    "article": "2023/02/10/jintai-party-building-review/index.html",
    "chinese article": "2024/10/15/jin-tai-qu-zhao-kai-ji-ceng-zhi-li-gong-zuo-zuo-tan-hui/index.html",
    "unit": "units/index.html",
    "term": "districts/jintai-district/index.html",
    "archive": "archive/index.html",
    "month": "2023/02/index.html",
    "search": "search/index.html?q=party+building",
}


@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_serious_accessibility_violation(
    browser: Browser, built: Built, http_base: str, name: str
) -> None:
    assert AXE.is_file(), f"{AXE} missing: scripts/test.sh installs axe-core from npm"
    rel = AXE_PAGES[name]
    assert (built.out / rel.split("?")[0]).is_file(), rel
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        page.goto(urljoin(http_base, rel), wait_until="load")
        if name == "search":
            page.wait_for_function(
                "/found/.test(document.querySelector('.search-status').textContent)"
            )
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        page.close()
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)
    assert not problems.found, "\n".join(problems.found)


def test_axe_harness_reports_a_real_violation(browser: Browser) -> None:
    """The accessibility check can fail: an image without alt text is a critical violation."""
    page = new_page(browser)
    try:
        page.set_content('<html lang="en"><body><main><img src="data:,"></main></body></html>')
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        page.close()
    assert "image-alt" in {v["id"] for v in results["violations"]}


def test_language_switcher_reaches_the_counterpart(
    browser: Browser, built: Built, http_base: str
) -> None:
    english = "2022/06/01/jintai-district-forum-hears-parents-and-teachers-on-after-school-services/index.html"
    assert (built.out / english).is_file()
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        page.goto(urljoin(http_base, english), wait_until="load")
        follow(page, page.locator("nav.translations a[hreflang=zh]"))
        assert page.evaluate("document.documentElement.lang") == "zh"
        assert "课后服务" in page.locator("main h1").inner_text()
        follow(page, page.locator("nav.language-nav a[hreflang=en]"))
        assert page.url.endswith(f"/{SUB_PATH}/index.html"), page.url
        follow(page, page.locator("nav.language-nav a[hreflang=zh]"))
        assert page.url.endswith(f"/{SUB_PATH}/zh/index.html"), page.url
        assert page.locator("main h1").inner_text().strip() == "最新消息"
    finally:
        page.close()
    assert not problems.found, "\n".join(problems.found)


def test_keyboard_reaches_the_next_page_of_a_listing(
    browser: Browser, built: Built, http_base: str
) -> None:
    page = new_page(browser)
    try:
        page.goto(urljoin(http_base, "index.html"), wait_until="load")
        for _ in range(200):
            page.keyboard.press("Tab")
            if page.evaluate("!!document.activeElement.closest('.pagination')"):
                break
        href = page.evaluate("document.activeElement.href")
        assert "/page/" in href, href
        page.keyboard.press("Enter")
        page.wait_for_url(href)
        assert page.locator(".pagination [aria-current=page]").inner_text().startswith("Page")
    finally:
        page.close()


def test_a_filter_without_words_lists_that_terms_newest_articles(
    browser: Browser, built: Built, http_base: str
) -> None:
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        titles = search(page, http_base, district="chencang-district")
        browse = page.locator(".search-status a")
        assert "browse all" in browse.inner_text()
        follow(page, browse)
        assert page.url.endswith("/districts/chencang-district/index.html"), page.url
    finally:
        page.close()
    assert titles and all(t.startswith(("Chencang District", "陈仓区")) for t in titles), titles
    assert not problems.found, "\n".join(problems.found)


def serve_folder(folder: Path) -> tuple[QuietServer, str]:
    """An HTTP server for a folder on a free port (shut it down when done)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def test_search_after_edits_finds_the_articles_as_they_are_now(
    browser: Browser, tmp_path: Path
) -> None:
    """The year bases are kept and the edits are in the delta bundle: a search shows each
    article once, as it is now, exactly as a clean build of the same sources does."""

    def text(n: int, words: str) -> str:
        body = f"Report {n} on {words} in Jintai District."
        return article_text(body, title=f"Report {n}", date=f"202{n % 2}-04-{n + 1:02d}")

    files = {f"content/r{n}.md": text(n, "orchards") for n in range(8)}
    site = write_files(tmp_path / "site", {"newsgen.yaml": "title: T\n", **files})
    assert build_site(site).ok
    (site / "content/r3.md").write_text(text(3, "vineyards"), "utf-8")  # changed
    (site / "content/r5.md").unlink()  # deleted
    write_files(site, {"content/r9.md": text(9, "vineyards")})  # added
    assert build_site(site).ok
    assert (site / "public/pagefind/delta/pagefind.js").is_file()
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("public", ".newsgen-cache"))
    assert build_site(clean).ok
    found = {}
    for name, folder in (("edited", site / "public"), ("clean", clean / "public")):
        server, base = serve_folder(folder)
        problems = Problems()
        page = problems.watch(new_page(browser))
        try:
            found[name] = [search(page, base, q=q) for q in ("orchards", "vineyards")]
        finally:
            page.close()
            server.shutdown()
            server.server_close()
        real = [p for p in problems.found if "/favicon.ico" not in p]  # the site sets none
        assert not real, "\n".join(real)
    orchards, vineyards = found["edited"]
    assert sorted(orchards) == [f"Report {n}" for n in (0, 1, 2, 4, 6, 7)]
    assert sorted(vineyards) == ["Report 3", "Report 9"]
    assert [sorted(titles) for titles in found["edited"]] == [
        sorted(titles) for titles in found["clean"]
    ]


LOAD_EVERY_IMAGE = """async () => {
  const images = [...document.images];
  for (const image of images) image.loading = "eager";
  await Promise.all(images.map((i) => i.complete ? null
    : new Promise((done) => { i.onload = i.onerror = done; })));
  return images.filter((i) => !i.naturalWidth).map((i) => i.currentSrc || i.src);
}"""


def loaded_width(image: Locator) -> int:
    """An image's natural width once it has loaded or failed (0: it failed)."""
    width: int = image.evaluate(
        "i => i.complete ? i.naturalWidth"
        " : new Promise(done => { i.onload = i.onerror = () => done(i.naturalWidth); })"
    )
    return width


def pages_with_images(built: Built) -> list[str]:
    """Every page of the example archive that shows an image (by its path in the output),
    but 404.html (its links start at base_url's path, where the host serves it, not here) and
    the search pages (their script needs http; searching is tested apart)."""
    return sorted(
        rel
        for path in built.out.rglob("*.html")
        if "<img" in path.read_text("utf-8")
        and (rel := path.relative_to(built.out).as_posix()) != "404.html"
        and not rel.endswith("search/index.html")
    )


@pytest.mark.parametrize("mode", ["http", "file"])
def test_every_image_of_the_example_archive_loads(
    browser: Browser, built: Built, http_base: str, mode: str
) -> None:
    pages = pages_with_images(built)
    photos = [p for p in pages if "assets/img/" in (built.out / p).read_text("utf-8")]
    assert len(photos) >= 5  # the photos' articles, and the listings that show their cards
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        for rel in pages:
            url = urljoin(http_base, rel) if mode == "http" else (built.out / rel).as_uri()
            page.goto(url, wait_until="load")
            # Lazy images load when near the viewport: ask for all of them now.
            broken = page.evaluate(LOAD_EVERY_IMAGE)
            assert not broken, f"{rel}: {broken} did not load"
    finally:
        page.close()
    assert not problems.found, "\n".join(problems.found)


@pytest.mark.parametrize(
    ("width", "scale", "chosen"), [(375, 1, "-480.webp"), (1280, 2, "-1400.webp")]
)
def test_a_lead_photo_loads_the_version_the_screen_needs(
    browser: Browser, http_base: str, width: int, scale: int, chosen: str
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale
    )
    try:
        page = context.new_page()
        page.goto(
            urljoin(http_base, "2023/02/10/jintai-party-building-review/index.html"),
            wait_until="load",
        )
        lead = page.locator(".lead-image img")
        lead.evaluate("i => i.decode()")
        assert lead.evaluate("i => i.currentSrc").endswith(chosen)
    finally:
        context.close()


def test_a_search_result_shows_the_articles_photo(browser: Browser, http_base: str) -> None:
    problems = Problems()
    page = problems.watch(new_page(browser))
    try:
        titles = search(page, http_base, q="canteens")
        assert "Chencang District inspects food safety in school canteens" in titles
        result = page.locator(".search-results li.has-image").first
        thumb = result.locator("img.thumb")
        thumb.scroll_into_view_if_needed()
        width = loaded_width(thumb)
        assert width == 480 and "canteen" in result.inner_text().lower()
    finally:
        page.close()
    assert not problems.found, "\n".join(problems.found)


@pytest.mark.parametrize("mode", ["http", "file"])
def test_attachments_download_whole(
    browser: Browser, built: Built, http_base: str, mode: str
) -> None:
    rel = "2024/03/12/notice-on-online-registration-for-the-2024-branch-secretary-training/"
    url = urljoin(http_base, rel) if mode == "http" else (built.out / rel / "index.html").as_uri()
    page = new_page(browser)
    try:
        page.goto(url, wait_until="load")
        link = page.locator(".attachments a").first
        source = EXAMPLE_SITE / "static/files/2024/jintai-branch-secretary-training-notice.pdf"
        if mode == "file":  # Chromium ignores `download` on file:// pages: follow the link
            target = Path(unquote(urlsplit(link.evaluate("a => a.href")).path))
            assert target.read_bytes() == source.read_bytes()
            return
        with page.expect_download() as waiting:
            link.click()
        download = waiting.value
        assert Path(download.path()).read_bytes() == source.read_bytes()
        assert download.suggested_filename == source.name
    finally:
        page.close()


ENGLISH_NAMES = re.compile(
    r"Jintai District|Weibin District|Chencang District|Baoji City|Zhang Wei|Wang Fang|"
    r"\b(meeting|inspection|training|ceremony|forum|notice|conference)\b|Bureau|Department"
)


@pytest.mark.parametrize("width", [375, 1280])
def test_vocabularies_over_time_hierarchy_and_language_in_the_browser(
    browser: Browser, http_base: str, screenshots: Path, width: int
) -> None:
    """The issue's look: a Chinese article shows no English term name where a label exists;
    the renamed unit lists both names' articles with its history; a 2021 article shows the
    2021 name; a district lists its sub-districts' articles; search filters show labels."""
    page = new_page(browser, width, 812)
    shots = {
        "article-zh": "2024/12/20/jintai-year-end-party-building-review-2024-zh/index.html",
        "unit-history": "units/district-education-and-sports-bureau/index.html",
        "speaker": "speakers/zhang-wei/index.html",
        "district-all": "districts/jintai-district/all/index.html",
    }
    try:
        for name, rel in shots.items():
            page.goto(urljoin(http_base, rel), wait_until="load")
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True)
        page.goto(urljoin(http_base, shots["article-zh"]), wait_until="load")
        meta = page.locator(".article-meta").inner_text()
        assert "区委副书记" in meta and "金台区" in meta and "会议" in meta
        names = page.locator(".article-meta, .more-from, .breadcrumbs").all_inner_texts()
        shown = "\n".join(names)
        assert not ENGLISH_NAMES.search(shown), shown
        page.goto(urljoin(http_base, shots["unit-history"]), wait_until="load")
        history = page.locator(".term-history").inner_text()
        assert "District Education Bureau" in history and "until 2021" in history
        titles = page.locator(".cards .card-title").all_inner_texts()
        assert any("2021" in t or "Teachers' Day with awards" in t for t in titles)
        assert any("金台区表彰乡村教师" in t for t in titles)
        teachers = "2021/09/09/jintai-district-marks-teachers-day-with-awards-for-rural-teachers"
        page.goto(urljoin(http_base, f"{teachers}/index.html"), wait_until="load")
        assert "District Education Bureau" in page.locator(".article-meta").inner_text()
        cards, number = [], 1
        while True:  # every page of the listing of Jintai District and its sub-districts
            rel = (
                shots["district-all"]
                if number == 1
                else f"{shots['district-all'][:-10]}page/{number}/index.html"
            )
            response = page.goto(urljoin(http_base, rel), wait_until="load")
            if response is None or response.status == 404:
                break
            cards += page.locator(".cards .card-title").all_inner_texts()
            number += 1
        assert number > 2 and any("Dongfeng Road" in t for t in cards), cards
        page.goto(urljoin(http_base, "search/index.html"), wait_until="load")
        options = page.locator('select[data-filter="event_type"] option').all_inner_texts()
        assert any(o.startswith("Meeting (") for o in options), options
        assert not any(o.startswith("meeting") for o in options), options
    finally:
        page.close()


def test_search_results_show_a_bundles_text_as_text(browser: Browser, tmp_path: Path) -> None:
    """A search bundle's data files may come from a build cache and are not checked (its code
    is, publish/bundle_trust.py): markup in a result's text is shown as text, and a
    javascript: URL does not run (Pagefind escapes the excerpt and roots the URL)."""
    body = "Orchards in Jintai District."
    site = write_files(
        tmp_path / "site", {"newsgen.yaml": "title: T\n", "content/a.md": article_text(body)}
    )
    assert build_site(site).ok
    fragments = list((site / "public/pagefind").rglob("*.pf_fragment"))
    assert fragments
    for fragment in fragments:
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        data["content"] = 'Orchards <img src=x onerror="window.pwned = 1"> &lt;b&gt; Jintai.'
        data["url"] = "javascript:window.pwned = 2"
        fragment.write_bytes(gzip.compress(b"pagefind_dcd" + json.dumps(data).encode()))
    server, base = serve_folder(site / "public")
    page = new_page(browser)
    try:
        assert len(search(page, base, q="orchards")) == 1
        href = page.locator(".search-results h2 a").evaluate("a => a.href")
        assert urlsplit(href).scheme == "http"  # Pagefind puts its base URL before it
        excerpt = page.locator(".search-results .excerpt")
        assert excerpt.locator("img").count() == 0 and excerpt.locator("mark").count() == 1
        assert "<b>" in excerpt.inner_text()
        page.locator(".search-results h2 a").click()
        page.wait_for_timeout(300)  # what an onerror handler or a javascript: link would do
        assert page.evaluate("window.pwned") is None
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_the_search_page_opened_from_a_folder_says_search_needs_a_server(
    browser: Browser, built: Built
) -> None:
    """Chromium loads no module script from file://: the notice must not depend on one."""
    page = new_page(browser)
    try:
        page.goto((built.out / "search/index.html").as_uri() + "?q=Jintai", wait_until="load")
        page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
        assert "served over http(s)" in page.locator(".search-status").inner_text()
    finally:
        page.close()
