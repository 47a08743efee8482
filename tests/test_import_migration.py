"""Migrating whole Hugo and Jekyll sites: any folder of them, links between posts, markup
converted, time zones, the report, and a build whose every link resolves."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import make_source, run_cli, write_files
from test_import import FIXTURES, front, imported, tiny_site

from newsgen.core.config import Config
from newsgen.importers.conversions import Link, convert_hugo, convert_jekyll
from newsgen.importers.foreign import ForeignOptions, import_foreign
from newsgen.importers.report import ImportReport, Status, render_json, render_markdown
from newsgen.importers.targets import LinkIndex
from newsgen.render import markdown_html as markup
from newsgen.render.bodies import Shortcodes
from newsgen.source.parse import parse_source

HUGO_SITE = FIXTURES / "hugo-site"
JEKYLL_SITE = FIXTURES / "jekyll-site"
HUGO_MAPS = ("authors=speaker", "topics=units", "categories=event_type")
JEKYLL_MAPS = ("categories=event_type", "layout=")
GBK_NAME = b"2023-02-10-\xd0\xc2\xce\xc5.md"  # 新闻 in GBK, as an unzipped Chinese archive has it


def map_pairs(maps: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """--map arguments as the pairs ForeignOptions takes."""
    return tuple((key, field) for key, _, field in (item.partition("=") for item in maps))


def import_into(tmp_path: Path, kind: str, folder: Path, name: str = "site") -> ImportReport:
    """Import a folder into a fresh site under tmp_path/name."""
    maps = map_pairs(HUGO_MAPS if kind == "hugo" else JEKYLL_MAPS)
    root = tiny_site(tmp_path / name)
    return import_foreign(ForeignOptions(kind, folder, maps), root)


def written(report: ImportReport) -> dict[str, str]:
    """Source file -> article written, for every imported file."""
    return {o.source: o.target for o in report.outcomes if o.status is Status.IMPORTED}


# -- DIR forms ---------------------------------------------------------------------------------


@pytest.mark.site
@pytest.mark.parametrize(
    ("kind", "folder", "prefixes"),
    [
        ("jekyll", "_posts", ("_posts/",)),
        ("jekyll", "_drafts", ("_drafts/",)),
        ("jekyll", "news/_posts", ("news/_posts/",)),
        ("jekyll", "news", ("news/",)),
        ("hugo", "content", ("",)),
        ("hugo", "content/posts", ("posts/",)),
        ("hugo", "content/news", ("news/",)),
        ("hugo", "content/news/volunteer-day", ("news/volunteer-day/",)),
    ],
)
def test_any_folder_of_the_old_site_imports_what_the_root_import_does(
    tmp_path: Path, kind: str, folder: str, prefixes: tuple[str, ...]
) -> None:
    site = HUGO_SITE if kind == "hugo" else JEKYLL_SITE
    whole = import_into(tmp_path, kind, site, "whole")
    part = import_into(tmp_path, kind, site / folder, "part")
    expected = {s: t for s, t in written(whole).items() if s.startswith(prefixes)}
    assert expected and written(part) == expected
    for source, target in expected.items():  # same settings, sections and old addresses
        whole_fields = front(tmp_path / "whole/site" / target)
        part_fields = front(tmp_path / "part/site" / target)
        assert (
            whole_fields["aliases" if "aliases" in whole_fields else "date"]
            == (part_fields["aliases" if "aliases" in whole_fields else "date"])
        ), source
        assert whole_fields["date"] == part_fields["date"], source


@pytest.mark.site
def test_a_later_import_of_another_folder_links_to_what_was_imported_before(
    tmp_path: Path,
) -> None:
    root = tiny_site(tmp_path)
    maps = map_pairs(HUGO_MAPS)
    import_foreign(ForeignOptions("hugo", HUGO_SITE / "content/posts", maps), root)
    report = import_foreign(ForeignOptions("hugo", HUGO_SITE / "content/news", maps), root)
    (volunteer,) = [o for o in report.outcomes if o.source == "news/volunteer-day/index.md"]
    assert volunteer.details.conversions == (("ref", 1),)  # the course, imported the first time
    body = (root / volunteer.target).read_text(encoding="utf-8")
    assert "[spring course](../../../../2023/02/20/propaganda-training/index.html)" in body


# -- nothing found, file names -----------------------------------------------------------------


@pytest.mark.cli
def test_a_jekyll_folder_without_posts_exits_1_and_says_what_it_looked_for(
    tmp_path: Path,
) -> None:
    root = tiny_site(tmp_path)
    blog = write_files(tmp_path / "blog", {"_config.yml": "title: x\n", "about.md": "About\n"})
    report_file = tmp_path / "report.json"
    args = ("--site", str(root), "--report", str(report_file), "--format", "json")
    done = run_cli("import", "jekyll", str(blog), *args)
    assert done.returncode == 1
    assert json.loads(report_file.read_text())["error"].startswith("no Jekyll posts found in ")
    assert done.stderr == (
        f"error: no Jekyll posts found in {blog}: looked for _posts/ and _drafts/ folders (and "
        "<category>/_posts/) holding .md, .markdown, .mkd, .mkdn, .mkdown, .mdown, .html or "
        ".htm files; give the site root or its _posts folder\n"
    )
    assert "0 imported, 0 skipped, 0 need review, 0 errors" in done.stdout


@pytest.mark.cli
def test_a_hugo_folder_without_pages_exits_1_and_says_what_it_looked_for(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    site = write_files(tmp_path / "old", {"hugo.toml": "title = 'x'\n", "content/_index.md": ""})
    done = run_cli("import", "hugo", str(site), "--site", str(root))
    assert done.returncode == 1
    assert done.stderr == (
        f"error: no Hugo pages found in {site}: looked for .md and .markdown files under it, in "
        f"the content folder {site / 'content'}; give the site root, its content folder or a "
        "folder inside it\n"
    )
    bare = write_files(tmp_path / "notes", {"readme.txt": "x\n"})
    done = run_cli("import", "hugo", str(bare), "--site", str(root))
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"error: no Hugo pages found in {bare}: looked for .md and .markdown files in it, and "
        "for a Hugo site around it (a folder holding content/ or hugo.toml)"
    )


@pytest.mark.cli
def test_a_gbk_file_name_is_an_error_for_that_file_only(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    blog = tmp_path / "blog"
    shutil.copytree(JEKYLL_SITE, blog)
    post = "---\ntitle: Jintai\ndistrict: Jintai District\ncategories: [notice]\n---\nText.\n"
    (blog / "_posts").joinpath(GBK_NAME.decode("utf-8", "surrogateescape")).write_text(post)
    (blog / "assets").joinpath(b"\xcd\xbc.png".decode("utf-8", "surrogateescape")).write_bytes(b"")
    done = run_cli("import", "jekyll", str(blog), "--site", str(root), "--map", "layout=")
    assert done.returncode == 1
    assert done.stderr == (
        "_posts/2023-02-10-\\xd0\\xc2\\xce\\xc5.md: error: file name is not UTF-8 (read as GBK: "
        "'2023-02-10-新闻.md'): rename it (e.g. convmv -f gbk -t utf-8 -r --notest FOLDER)\n"
    )  # the image with a GBK name is no post: not the import's concern
    assert "6 imported, 0 skipped, 0 need review, 1 errors" in done.stdout
    assert len(imported(root)) == 6


@pytest.mark.site
def test_a_gbk_folder_name_in_a_hugo_site_is_one_error(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    site = tmp_path / "old"
    shutil.copytree(HUGO_SITE, site)
    folder = site / "content" / b"\xb5\xb3\xbd\xa8".decode("utf-8", "surrogateescape")  # 党建
    write_files(folder, {"a.md": "---\ntitle: A\ndate: 2023-02-01\n---\nA.\n"})
    report = import_foreign(ForeignOptions("hugo", site, map_pairs(HUGO_MAPS)), root)
    errors = [o for o in report.outcomes if o.status is Status.ERROR]
    assert [(o.source, o.message.split(":")[0]) for o in errors] == [
        ("\\xb5\\xb3\\xbd\\xa8", "file name is not UTF-8 (read as GBK")
    ]
    assert report.count(Status.IMPORTED) == 6
    assert "\\xb5\\xb3\\xbd\\xa8" in render_markdown(report)


@pytest.mark.cli
def test_a_release_whose_name_is_not_utf8_gives_an_article_newsgen_reads(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    release = tmp_path / b"\xd0\xc2\xce\xc5.txt".decode("utf-8", "surrogateescape")
    shutil.copy(FIXTURES / "releases" / "jintai-review.txt", release)
    done = run_cli("import", "text", str(release), "--site", str(root))
    assert done.returncode == 0, done.stderr
    assert f"imported {tmp_path}/\\xd0\\xc2\\xce\\xc5.txt -> content/2023/02/" in done.stdout
    (path,) = imported(root).values()
    assert front(path)["imported_from"]["file"] == "\\xd0\\xc2\\xce\\xc5.txt"
    assert not any("YAML" in note for note in front(path)["review_notes"])


# -- conversions -------------------------------------------------------------------------------


def fake_links(kind: str, target: str) -> Link:
    """Every post named 'a' resolves (anchor kept); anything else does not."""
    path, _, anchor = target.partition("#")
    name = path.strip().rsplit("/", 1)[-1].removesuffix(".md")
    if name in ("a", "2015-3-7-a", "2015-03-07-a"):
        return Link(f"../a/index.html{'#' + anchor if anchor else ''}")
    return Link("", "no imported post has that path")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('[t]({{< ref "posts/a.md" >}})', "[t](../a/index.html)"),
        ('{{< relref path="/posts/a" >}}', "../a/index.html"),
        ('<a href="{{< ref "a#top" >}}">t</a>', '<a href="../a/index.html#top">t</a>'),
        ('{{% ref "a" %}}', "../a/index.html"),
        (
            '{{< note >}}See {{< ref "a" >}}.{{< /note >}}',
            "{{< note >}}See ../a/index.html.{{< /note >}}",
        ),
        (
            '{{< figure src="/x.png" >}} {{</* ref "a" */>}}',
            '{{< figure src="/x.png" >}} {{</* ref "a" */>}}',
        ),
        ('`{{< ref "a" >}}`', '`{{< ref "a" >}}`'),
        ('```\n{{< ref "a" >}}\n```\n', '```\n{{< ref "a" >}}\n```\n'),
        ('{{< ref "missing.md" >}}', '{{< ref "missing.md" >}}'),
    ],
)
def test_hugo_refs_become_relative_links(source: str, expected: str) -> None:
    assert convert_hugo(source, fake_links).text == expected


@pytest.mark.unit
def test_hugo_refs_not_found_are_left_and_listed() -> None:
    result = convert_hugo('{{< ref "missing.md" >}} {{< relref "a" >}}', fake_links)
    assert result.unresolved == [("ref 'missing.md'", "no imported post has that path")]
    assert dict(result.done) == {"relref": 1}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("source", "expected", "kind"),
    [
        ("[t]({% post_url 2015-3-7-a %})", "[t](../a/index.html)", "post_url"),
        ("[t]({% link _posts/2015-03-07-a.md %})", "[t](../a/index.html)", "link"),
        (
            '{% include image.html url="{{ site.baseurl }}/img/a.png" description="A hall" %}',
            '{{< figure src="/img/a.png" alt="A hall" caption="A hall" >}}',
            "include figure",
        ),
        (
            "{% include figure.html src='img/a.png' alt='Hall' caption='The \"new\" hall' %}",
            '{{< figure src="/img/a.png" alt="Hall" caption="The \\"new\\" hall" >}}',
            "include figure",
        ),
        ("![x]({{ site.baseurl }}/a.png)", "![x](/a.png)", "site.baseurl"),
        ("<{{- site.url -}}/x>", "</x>", "site.url"),
        ('![x]({{ "/a.png" | relative_url }})', "![x](/a.png)", "relative_url"),
        ("![x]({{ 'a.png' | absolute_url }})", "![x](/a.png)", "absolute_url"),
        ("a {% raw %}{{ x }} {% y %}{% endraw %} b", "a {{ x }} {% y %} b", "raw"),
        (
            "Code:\n{% highlight ruby linenos %}\ndef x\n  1\nend\n{% endhighlight %}\nAfter.\n",
            "Code:\n```ruby\ndef x\n  1\nend\n```\nAfter.\n",
            "highlight",
        ),
        (
            "{% highlight shell %}echo '```'{% endhighlight %}",
            "````shell\necho '```'\n````",
            "highlight",
        ),
        (
            "x\r\n{% highlight go %}\r\nfunc(){% raw %}{{ }}{% endraw %}\r\n{% endhighlight %}\r\n",
            "x\r\n```go\r\nfunc(){{ }}\r\n```\r\n",
            "highlight",
        ),
        ("{% comment %} to do -- later {% endcomment %}", "<!-- to do - - later -->", "comment"),
    ],
)
def test_jekyll_liquid_becomes_what_newsgen_shows(source: str, expected: str, kind: str) -> None:
    result = convert_jekyll(source, fake_links)
    assert result.text == expected
    assert kind in result.done and not result.liquid and not result.unresolved


@pytest.mark.unit
def test_liquid_inside_code_and_liquid_without_equivalent_stay_as_written() -> None:
    source = (
        "`{{ site.baseurl }}` and\n\n```liquid\n{% post_url 2015-03-07-a %}\n{% raw %}x{% endraw %}\n"
        '```\n\n{% include note.html text="x" %} {% include image.html url=page.image %}\n'
        "{% if page.x %}{{ page.title | upcase }}{% endif %} {% post_url 2011-01-01-gone %}\n"
    )
    result = convert_jekyll(source, fake_links)
    assert result.text == source
    assert result.liquid == [
        "{% include note.html %}",
        "{% include image.html %}",
        "{% if %}",
        "{{ page.title }}",
    ]
    assert result.unresolved == [("post_url '2011-01-01-gone'", "no imported post has that path")]


@pytest.mark.unit
def test_shortcode_text_in_a_jekyll_post_stays_text(tmp_path: Path) -> None:
    source = (
        "Hugo writes {{< youtube abc >}} and {{% note %}}x{{% /note %}}; "
        "{% raw %}{{< mine >}}{% endraw %} and `{{< code >}}`.\n"
    )
    result = convert_jekyll(source, fake_links)
    assert result.text == (
        "Hugo writes {{</* youtube abc */>}} and {{%/* note */%}}x{{%/* /note */%}}; "
        "{{</* mine */>}} and `{{< code >}}`.\n"
    )
    config = Config(tmp_path)
    article, _ = parse_source(make_source(data="---\ntitle: A\ndate: 2023-02-10\n---\n"), config)
    assert article is not None
    host = Shortcodes(config, {}).host(article, result.text)
    html = markup.render_markdown(result.text, host=host)
    assert html == (
        "<p>Hugo writes {{&lt; youtube abc &gt;}} and {{% note %}}x{{% /note %}}; "
        "{{&lt; mine &gt;}} and <code>{{&lt; code &gt;}}</code>.</p>"
    )


@pytest.mark.unit
def test_links_are_matched_as_hugo_and_jekyll_match_them() -> None:
    hugo = LinkIndex("hugo")
    hugo.add("posts/review.md", "2023/02/10/review/", False)
    hugo.add("news/review.md", "2023/03/01/review/", False)
    hugo.add("news/forum/index.md", "2024/10/20/forum/", True)
    assert hugo.find("ref", "/posts/review.md", "news/x.md").url == "2023/02/10/review/"
    assert hugo.find("ref", "posts/Review", "news/x.md").url == "2023/02/10/review/"
    assert hugo.find("ref", "review.md", "news/x.md").url == "2023/03/01/review/"  # beside it
    assert hugo.find("ref", "review", "about.md").problem == (
        "2 imported posts match it; give its whole path"
    )
    assert hugo.find("ref", "news/forum/", "a.md") == ("2024/10/20/forum/", "", True)
    assert hugo.find("ref", "forum", "a.md").url == "2024/10/20/forum/"
    jekyll = LinkIndex("jekyll")
    jekyll.add("news/_posts/2015-3-7-a.md", "2015/03/07/a/", False)
    assert jekyll.find("post_url", "2015-03-07-a", "x").url == "2015/03/07/a/"
    assert jekyll.find("post_url", "/news/2015-03-07-a", "x").url == "2015/03/07/a/"
    assert jekyll.find("link", "news/_posts/2015-3-7-a.md", "x").url == "2015/03/07/a/"
    assert jekyll.find("link", "_posts/2015-3-7-a.md", "x").problem == (
        "no imported post has that path"
    )


# -- Jekyll's posts as Jekyll has them, and time zones ---------------------------------------


@pytest.mark.cli
def test_jekyll_post_forms_and_its_time_zone(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    head = "---\ntitle: {}\ndistrict: Jintai District\nevent_type: notice\n{}---\n"
    blog = write_files(
        tmp_path / "blog",
        {
            "_config.yml": "timezone: America/New_York\n",
            "_posts/2015-3-7-one-digit.md": head.format("One digit", "") + "Text.\n",
            "_posts/2015-03-17-naive.mkd": head.format("Naive", "date: 2015-03-17 14:00:00\n"),
            "_posts/2015-03-18-offset.md": head.format("Offset", "date: 2015-03-18 14:00 -4\n"),
            "_posts/2015-03-19-html-page.html": head.format("Page", "")
            + "<div><p>HTML.</p></div>\n",
            "_posts/2015-03-20-old.textile": head.format("Old", "") + "h1. Old\n",
        },
    )
    done = run_cli("import", "jekyll", str(blog / "_posts"), "--site", str(root))
    assert done.returncode == 1
    assert done.stderr == (
        "_posts/2015-03-20-old.textile: error: Textile posts are not supported: convert it to "
        "Markdown (e.g. pandoc -f textile -t gfm)\n"
    )
    articles = imported(root)
    assert front(articles["_posts/2015-3-7-one-digit.md"])["date"] == "2015-03-07"
    assert front(articles["_posts/2015-3-7-one-digit.md"])["aliases"] == [
        "/2015/03/07/one-digit.html"
    ]
    naive = front(articles["_posts/2015-03-17-naive.mkd"])
    assert naive["date"] == "2015-03-17T14:00:00-04:00"  # New York, summer time
    assert front(articles["_posts/2015-03-18-offset.md"])["date"] == "2015-03-18 14:00 -4"
    page = articles["_posts/2015-03-19-html-page.html"]
    assert page.name == "html-page.md" and page.read_text().endswith(
        "---\n<div><p>HTML.</p></div>\n"
    )
    built = run_cli("build", str(root))
    assert built.returncode == 0, built.stderr
    html = (root / "public/2015/03/18/naive/index.html").read_text(encoding="utf-8")
    assert "2015-03-18T02:00:00+08:00" in html  # the same instant, in the site's zone


@pytest.mark.site
def test_hugo_time_zone_applies_to_dates_without_an_offset(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    post = "---\ntitle: {}\ndate: {}\ndistrict: Jintai District\nevent_type: notice\n---\nA.\n"
    pages = {
        "content/posts/naive.md": post.format("Naive", "2023-02-10T09:30:00"),
        "content/posts/day.md": post.format("Day", "2023-02-11"),
        "content/posts/offset.md": post.format("Offset", "2023-02-12T09:30:00+01:00"),
    }
    utc = write_files(tmp_path / "utc", {"hugo.toml": "title = 'x'\n", **pages})
    zoned = write_files(tmp_path / "zoned", {"hugo.toml": "timeZone = 'Europe/Paris'\n", **pages})
    import_foreign(ForeignOptions("hugo", utc / "content/posts"), root)
    dates = {rel: front(path)["date"] for rel, path in imported(root).items()}
    assert dates == {
        "posts/naive.md": "2023-02-10T09:30:00+00:00",  # Hugo's default zone: UTC
        "posts/day.md": "2023-02-11",
        "posts/offset.md": "2023-02-12T09:30:00+01:00",
    }
    other = tiny_site(tmp_path / "other")
    import_foreign(ForeignOptions("hugo", zoned), other)
    naive = front(imported(other)["posts/naive.md"])
    assert naive["date"] == "2023-02-10T09:30:00+01:00"
    bad = write_files(tmp_path / "bad", {"hugo.toml": "timeZone = 'Mars/Base'\n", **pages})
    report = import_foreign(ForeignOptions("hugo", bad), tiny_site(tmp_path / "third"))
    assert report.failed and not report.outcomes
    assert report.problems[0].format() == (
        f"{bad / 'hugo.toml'}: error: timezone: 'Mars/Base' is not a time zone (e.g. Asia/Shanghai)"
    )


@pytest.mark.site
def test_a_zone_abbreviation_means_what_it_means_in_the_old_sites_zone(tmp_path: Path) -> None:
    post = "---\ntitle: Review\ndate: 2019-05-03 10:00:00 CST\n---\nA.\n"
    china = write_files(
        tmp_path / "china", {"hugo.toml": "timeZone = 'Asia/Shanghai'\n", "content/a.md": post}
    )
    root = write_files(tmp_path / "site", {"newsgen.yaml": "title: T\n"})  # a site in UTC
    import_foreign(ForeignOptions("hugo", china), root)
    assert front(imported(root)["a.md"])["date"] == "2019-05-03T10:00:00+08:00"
    plain = write_files(tmp_path / "plain", {"hugo.toml": "title = 'x'\n", "content/a.md": post})
    report = import_foreign(ForeignOptions("hugo", plain), tiny_site(tmp_path / "other"))
    [outcome] = report.outcomes
    assert outcome.status is Status.ERROR and "CST is ambiguous" in outcome.message


# -- the report --------------------------------------------------------------------------------


@pytest.mark.cli
def test_the_report_in_markdown_and_json(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    maps = [arg for item in HUGO_MAPS for arg in ("--map", item)]
    md_file, json_file = tmp_path / "report.md", tmp_path / "report.json"
    md_file.write_text("an older report\n")  # the file named is replaced
    done = run_cli(
        "import", "hugo", str(HUGO_SITE), "--site", str(root), "--report", str(md_file), *maps
    )
    assert done.returncode == 0, done.stderr
    text = md_file.read_text(encoding="utf-8")
    assert text.startswith(
        "# Import report: Hugo\n\nSource paths relative to the Hugo site's content folder; "
        "targets relative to the site.\n\n| imported | skipped | errors | need review |\n"
        "|---:|---:|---:|---:|\n| 6 | 2 | 0 | 2 |\n\n## To do\n\n"
        "### Shortcodes without a template\n\n"
        "- `pdfviewer`: 1 article: write `templates/shortcodes/pdfviewer.html`\n"
    )
    assert (
        "### Links to other posts not resolved (left as written)\n\n"
        "- `ref 'posts/volunteer-call.md'` in `news/volunteer-day/index.md`\n"
    ) in text
    assert (
        "### `posts/party-building-review.md`\n\n- status: imported\n"
        "- target: `content/2023/02/party-building-review.md`\n"
        "- URL: `/2023/02/10/party-building-review/`\n"
        "- keys mapped: `authors` -> `speaker`, `categories` -> `event_type`, "
        "`topics` -> `units`\n"
        "- aliases: `/2023/02/party-building-review/`\n"
        "- converted: ref (1), relref (1)\n"
    ) in text
    again = tiny_site(tmp_path / "again")
    done = run_cli(
        "import", "hugo", str(HUGO_SITE), "--site", str(again), *maps,
        "--report", str(json_file), "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(json_file.read_text(encoding="utf-8"))
    assert data["counts"] == {"imported": 6, "skipped": 2, "errors": 0, "need_review": 2}
    assert data["todo"]["shortcodes_without_template"] == [
        {"name": "pdfviewer", "articles": 1, "template": "templates/shortcodes/pdfviewer.html"}
    ]
    entry = next(f for f in data["files"] if f["source"] == "posts/propaganda-training.md")
    assert entry == {
        "source": "posts/propaganda-training.md",
        "status": "imported",
        "target": "content/2023/02/propaganda-training.md",
        "url": "/2023/02/20/propaganda-training/",
        "message": "",
        "keys_mapped": {"categories": "event_type", "topics": "units"},
        "keys_kept": [],
        "aliases": ["/2023/02/propaganda-department-opens-a-spring-course-for-news-officers/"],
        "conversions": {},
        "review_notes": [
            "shortcode 'pdfviewer' has no template: write templates/shortcodes/pdfviewer.html"
        ],
    }
    assert [f["source"] for f in data["files"]] == sorted(f["source"] for f in data["files"])
    assert "## To do" in text and done.stdout.endswith(
        "6 imported, 2 skipped, 2 need review, 0 errors\n"
    )


@pytest.mark.cli
def test_the_report_of_a_text_import_and_where_it_may_not_go(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    release = FIXTURES / "releases" / "jintai-review.txt"
    report_file = tmp_path / "r.json"
    args = ("import", "text", str(release), "--site", str(root), "--format", "json")
    done = run_cli(*args, "--report", str(report_file))
    assert done.returncode == 0, done.stderr
    (entry,) = json.loads(report_file.read_text())["files"]
    assert entry["url"].startswith("/2023/02/10/") and entry["review_notes"]
    inside = run_cli(*args, "--report", str(root / "content/r.md"))
    assert inside.returncode == 2 and "would be read as an article" in inside.stderr
    source = run_cli(
        "import",
        "hugo",
        str(HUGO_SITE),
        "--site",
        str(root),
        "--report",
        str(HUGO_SITE / "content/posts/x.md"),
    )
    assert source.returncode == 2 and "would be read as an article or a source" in source.stderr


@pytest.mark.site
def test_the_report_is_the_same_for_the_same_input(tmp_path: Path) -> None:
    first = import_into(tmp_path, "jekyll", JEKYLL_SITE, "a")
    second = import_into(tmp_path, "jekyll", JEKYLL_SITE, "b")
    assert render_markdown(first) == render_markdown(second)
    assert render_json(first) == render_json(second)


# -- end to end: import, write the templates asked for, build, crawl -------------------------


class PageReader(HTMLParser):
    """The links of a page and its text outside code."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.text: list[str] = []
        self.code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.code += tag in ("code", "pre", "script", "style")
        self.urls += [v for k, v in attrs if k in ("href", "src") and v]

    def handle_endtag(self, tag: str) -> None:
        self.code -= tag in ("code", "pre", "script", "style")

    def handle_data(self, data: str) -> None:
        if not self.code:
            self.text.append(data)


def link_target(out: Path, page: Path, url: str) -> Path | None:
    """The output file an internal link names (a folder: its index.html), None for others."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    base = out if parts.path.startswith("/") else page.parent
    target = (base / parts.path.lstrip("/")).resolve()
    return target / "index.html" if parts.path.endswith("/") or target.is_dir() else target


def crawl(out: Path) -> dict[Path, set[Path]]:
    """Every page's internal links; each must name a file of the output, and no page may
    show a shortcode or Liquid tag outside code."""
    links = {}
    for page in sorted(out.rglob("*.html")):
        reader = PageReader()
        reader.feed(page.read_text(encoding="utf-8"))
        text = "".join(reader.text)
        for mark in ("{{<", "{{%", "{%", "%}"):
            assert mark not in text, (page, mark)
        targets = {link_target(out, page, url) for url in reader.urls} - {None}
        missing = sorted(str(t) for t in targets if t is not None and not t.is_file())
        assert not missing, (page, missing)
        links[page.resolve()] = {t for t in targets if t is not None}
    return links


def migrate(tmp_path: Path, kind: str, static: Path) -> tuple[Path, dict[str, Any]]:
    """Import a fixture site into a fresh site with --report, write the templates the report
    asks for, copy the old site's files, and build."""
    root = tiny_site(tmp_path)
    report_file = tmp_path / "report.json"
    maps = [
        arg for item in (HUGO_MAPS if kind == "hugo" else JEKYLL_MAPS) for arg in ("--map", item)
    ]
    source = HUGO_SITE if kind == "hugo" else JEKYLL_SITE
    done = run_cli(
        "import", kind, str(source), "--site", str(root), *maps,
        "--report", str(report_file), "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(report_file.read_text(encoding="utf-8"))
    for item in report["todo"]["shortcodes_without_template"]:
        write_files(root, {item["template"]: (
            "<p class=\"document\"><a href=\"{{ rel(get('file')) }}\">"
            "{{ get('title') or 'Document' }}</a></p>\n"
        )})  # fmt: skip
    shutil.copytree(static, root / "static")
    built = run_cli("build", str(root))
    assert built.returncode == 0, built.stderr
    return root, report


def assert_links(root: Path, report: dict[str, Any], pairs: list[tuple[str, str, str]]) -> None:
    """Each (source, target, anchor): the source's page links to the target's page."""
    out = root / "public"
    links = crawl(out)
    urls = {entry["source"]: entry["url"] for entry in report["files"]}
    for source, target, anchor in pairs:
        page = (out / urls[source].lstrip("/") / "index.html").resolve()
        target_page = (out / urls[target].lstrip("/") / "index.html").resolve()
        assert target_page in links[page], (source, target)
        if anchor:
            assert f'id="{anchor}"' in target_page.read_text(encoding="utf-8")


@pytest.mark.cli
def test_a_hugo_site_migrates_and_every_link_resolves(tmp_path: Path) -> None:
    root, report = migrate(tmp_path, "hugo", HUGO_SITE / "static")
    assert report["counts"] == {"imported": 6, "skipped": 2, "errors": 0, "need_review": 2}
    assert [t["link"] for t in report["todo"]["unresolved_links"]] == [
        "ref 'posts/volunteer-call.md'"
    ]
    assert_links(
        root,
        report,
        [
            ("posts/party-building-review.md", "posts/school-visit.md", ""),
            ("posts/party-building-review.md", "posts/propaganda-training.md", "schedule"),
            ("posts/school-visit.md", "posts/party-building-review.md", ""),
            ("news/volunteer-day/index.md", "posts/propaganda-training.md", ""),
            ("news/winter-safety.md", "news/volunteer-day/index.md", ""),
        ],
    )
    page = (root / "public/2023/02/10/party-building-review/index.html").read_text()
    assert '<figure class="shortcode-figure">' in page and "shortcode-note" in page
    training = (root / "public/2023/02/20/propaganda-training/index.html").read_text()
    assert "{{&lt; figure src=" in training  # the escaped shortcode, shown in code
    assert 'class="document"' in training
    assert (
        "youtube.com/watch?v=x7Jintai2023"
        in (root / "public/2023/02/14/school-visit/index.html").read_text()
    )


@pytest.mark.cli
def test_a_jekyll_site_migrates_and_every_link_resolves(tmp_path: Path) -> None:
    static = tmp_path / "static"
    shutil.copytree(JEKYLL_SITE / "assets", static / "assets")
    root, report = migrate(tmp_path / "new", "jekyll", static)
    assert report["counts"] == {"imported": 6, "skipped": 0, "errors": 0, "need_review": 0}
    assert report["todo"]["liquid_left_as_text"] == []
    assert_links(
        root,
        report,
        [
            ("_posts/2023-2-10-review-meeting.md", "_posts/2023-02-15-school-visit.markdown", ""),
            ("_posts/2023-02-15-school-visit.markdown", "_posts/2023-2-10-review-meeting.md", ""),
            (
                "news/_posts/2023-03-05-volunteer-day.md",
                "_posts/2023-03-01-training-notice.html",
                "",
            ),
        ],
    )
    out = root / "public"
    notice = front(imported(root)["_posts/2023-03-01-training-notice.html"])
    assert notice["date"] == "2023-03-01 20:00:00 -4"
    assert notice["aliases"] == ["/notice/2023/03/02/training-notice.html"]  # Shanghai's day
    assert (out / "notice/2023/03/02/training-notice.html").is_file()
    visit = front(imported(root)["_posts/2023-02-15-school-visit.markdown"])
    assert visit["date"] == "2023-02-15T14:00:00+08:00"
    page = (out / "2023/02/15/school-visit/index.html").read_text(encoding="utf-8")
    assert '<pre><code class="language-liquid">{{ school.name }}: ' in page
    meeting = (out / "2023/02/10/review-meeting/index.html").read_text(encoding="utf-8")
    assert '<img src="../../../../assets/img/review-hall.png" alt="Delegates' in meeting
