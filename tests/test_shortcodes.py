"""Shortcodes: found outside code, paired and nested, rendered by templates/shortcodes/<name>.html."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build_site, run_cli, write_files

from newsgen.source.shortcodes import (
    Escaped,
    Shortcode,
    find_uses,
    parse_shortcodes,
    strip_shortcodes,
)

SETTINGS = "title: T\nbase_url: https://news.example.org/\n"


def article(body: str, title: str = "A", date: str = "2023-02-10", *lines: str) -> str:
    """An article whose body is given (front matter is 4 lines, so the body starts on line 5)."""
    return (
        "---\n" + "\n".join([f"title: {title}", f"date: {date}", *lines]) + "\n---\n" + body + "\n"
    )


def body_of(root: Path, url: str) -> str:
    """The article body's HTML of a built page."""
    page = (root / "public" / url / "index.html").read_text()
    found = re.search(r'<div class="article-body">\n(.*?)\n  </div>', page, re.S)
    assert found, page
    return found.group(1).strip()


def shortcodes(text: str) -> list[Shortcode | Escaped]:
    nodes, problems = parse_shortcodes(text)
    assert problems == []
    return nodes


@pytest.mark.unit
def test_parameters_positional_named_quoted_and_raw() -> None:
    [node] = shortcodes('{{< figure src="/a b.png" alt=`say "hi"` 42 caption="x \\"y\\"" >}}')
    assert isinstance(node, Shortcode)
    assert node.name == "figure" and node.inner is None
    assert node.args == ("42",)
    assert dict(node.params) == {"src": "/a b.png", "alt": 'say "hi"', "caption": 'x "y"'}
    assert node.get("src") == "/a b.png" and node.get(0) == "42" and node.get(5) == ""


@pytest.mark.unit
def test_pairs_nesting_self_closing_and_both_delimiters() -> None:
    text = (
        "{{< note >}}a {{< note >}}b{{< /note >}} c{{< /note >}} "
        "{{< figure src=x />}} {{% notice info %}}*hi*{{% /notice %}}"
    )
    outer, figure, notice = shortcodes(text)
    assert isinstance(outer, Shortcode) and outer.inner == "a {{< note >}}b{{< /note >}} c"
    assert isinstance(figure, Shortcode) and figure.inner is None
    assert isinstance(notice, Shortcode) and notice.markdown and notice.inner == "*hi*"
    assert [n.name for n in shortcodes(outer.inner or "")] == ["note"]


@pytest.mark.unit
def test_code_and_escapes_are_text() -> None:
    text = "`{{< a >}}`\n\n```\n{{< b >}}\n```\n\n    {{</* c x=1 */>}} {{< d >}}"
    nodes = shortcodes(text)
    assert [type(n).__name__ for n in nodes] == ["Escaped", "Shortcode"]
    assert isinstance(nodes[0], Escaped) and nodes[0].text == "{{< c x=1 >}}"
    assert strip_shortcodes("Say {{< mark >}}this{{< /mark >}} now.") == "Say this now."


@pytest.mark.unit
def test_malformed_tags_are_reported_at_their_line() -> None:
    uses, problems = find_uses(
        'Text\n{{< ref "a.md" >}}\n{{< /note >}}\n{{< open\nmore', 10, "a.md"
    )
    assert uses == (("ref", 11, 1, "a.md"),)
    assert [p.format() for p in problems] == [
        "a.md:12:1: warning: body: closing tag of shortcode 'note' without an opening one; "
        "shown as text",
        "a.md:13:1: warning: body: shortcode tag is not closed (expected '>}}' or '%}}'); "
        "shown as text",
    ]


@pytest.mark.site
def test_built_in_templates(tmp_path: Path) -> None:
    body = (
        '{{< figure src="/img/x.png" alt="Meeting" caption="The <meeting>" credit="Photo: Li" '
        'link="/2023/" >}}\n\n'
        "{{< youtube w7Ft2ymGmfc >}}\n\n"
        '{{< note title="Heads up" >}}\nRead **this**.\n\nAnd this.\n{{< /note >}}\n\n'
        '{{< quote author="Zhang Wei" >}}We keep at it.{{< /quote >}}\n\n'
        '{{< highlight python >}}\nprint("{{< note >}}") < 3\n{{< /highlight >}}\n\n'
        '{{< details summary="More" >}}Hidden *text*{{< /details >}}\n\n'
        "{{< comment >}}Only for authors{{< /comment >}}"
    )
    root = write_files(tmp_path / "site", {"newsgen.yaml": SETTINGS, "content/a.md": article(body)})
    assert build_site(root).ok
    html = body_of(root, "2023/02/10/a")
    assert (
        '<figure class="shortcode-figure">\n<a href="../../../../2023/index.html">'
        '<img src="../../../../img/x.png" alt="Meeting" loading="lazy">\n</a>'
        '<figcaption>The &lt;meeting&gt; <span class="credit">Photo: Li</span></figcaption>'
    ) in html
    assert (
        '<a href="https://www.youtube.com/watch?v=w7Ft2ymGmfc">▶ Watch the video on YouTube</a>'
        in html
    )
    assert "<iframe" not in html and "youtube.com/embed" not in html
    assert "<strong>Heads up</strong>" in html and "<p>Read <strong>this</strong>.</p>" in html
    assert "<p>We keep at it.</p>\n<footer>— Zhang Wei</footer>" in html
    assert '<code class="language-python">print("{{&lt; note &gt;}}") &lt; 3</code>' in html
    assert "<summary>More</summary>\n<p>Hidden <em>text</em></p>" in html
    assert "Only for authors" not in html


@pytest.mark.cli
def test_site_templates_win_and_see_only_what_they_are_given(tmp_path: Path) -> None:
    files = {
        "newsgen.yaml": SETTINGS,
        "templates/shortcodes/figure.html": '<img src="{{ rel(get("src")) }}" alt="{{ args }}">',
        "templates/shortcodes/mark.html": "<mark>{{ inner }}</mark>[{{ name }}|{{ inner_text }}]",
        "content/a.md": article(
            '{{< figure src="/a.png" one two >}}\n\nSay {{< mark >}}**loud**{{< /mark >}}.'
        ),
    }
    root = write_files(tmp_path / "site", files)
    assert build_site(root).ok
    html = body_of(root, "2023/02/10/a")
    assert "<img src=\"../../../../a.png\" alt=\"['one', 'two']\">" in html
    assert "Say <mark><strong>loud</strong></mark>[mark|**loud**]." in html
    write_files(root, {"templates/shortcodes/mark.html": "{{ article.title }}"})
    done = run_cli("build", str(root))
    assert done.returncode == 1
    assert (
        "templates/shortcodes/mark.html:1: error: 'article' is undefined "
        "(shortcode 'mark' in content/a.md:7)"
    ) in done.stderr


@pytest.mark.cli
def test_a_shortcode_without_a_template_is_an_error_naming_the_template(tmp_path: Path) -> None:
    body = "Text.\n\n{{< tweetx user=a id=1 >}}\n\n`{{< inline >}}` and\n\n```\n{{< fenced >}}\n```"
    root = write_files(tmp_path / "site", {"newsgen.yaml": SETTINGS, "content/a.md": article(body)})
    expected = [
        "content/a.md:7:1: error: body: shortcode 'tweetx' has no template "
        "(write templates/shortcodes/tweetx.html)"
    ]
    for command in ("build", "check"):
        done = run_cli(command, str(root))
        assert done.returncode == 1
        assert [line for line in done.stderr.splitlines() if ": error: " in line] == expected
    write_files(root, {"templates/shortcodes/tweetx.html": "<p>post {{ get('id') }}</p>"})
    assert build_site(root).ok
    html = body_of(root, "2023/02/10/a")
    assert "<p>post 1</p>" in html
    assert "<code>{{&lt; inline &gt;}}</code>" in html and "{{&lt; fenced &gt;}}" in html


@pytest.mark.site
def test_template_syntax_in_bodies_and_parameters_stays_text(tmp_path: Path) -> None:
    body = '{{ 7*7 }} {% if x %}y{% endif %} {{< note title="{{ 7*7 }}" >}}{{ site }}{{< /note >}}'
    root = write_files(tmp_path / "site", {"newsgen.yaml": SETTINGS, "content/a.md": article(body)})
    assert build_site(root).ok
    html = body_of(root, "2023/02/10/a")
    assert "{{ 7*7 }} {% if x %}y{% endif %}" in html
    assert "<strong>{{ 7*7 }}</strong>" in html and "{{ site }}" in html and "49" not in html


@pytest.mark.site
def test_shortcode_output_is_sanitised_like_the_rest_of_the_body(tmp_path: Path) -> None:
    files = {
        "newsgen.yaml": SETTINGS,
        "templates/shortcodes/bad.html": '<script>alert(1)</script><a href="{{ get("u") }}" onclick="x()">l</a>',
        "content/a.md": article('{{< bad u="javascript:alert(2)" >}}'),
    }
    root = write_files(tmp_path / "site", files)
    assert build_site(root).ok
    html = body_of(root, "2023/02/10/a")
    assert "script" not in html and "javascript" not in html and "onclick" not in html


@pytest.mark.site
def test_refs_resolve_at_build_time_and_follow_a_moved_article(tmp_path: Path) -> None:
    files = {
        "newsgen.yaml": SETTINGS,
        "content/posts/a.md": article(
            'See [the review]({{< ref "posts/b.md#result" >}}), {{< relref "b" >}} and '
            '{{< ref "missing.md" >}}.'
        ),
        "content/posts/b.md": article("Result.", "Review", "2023-02-01"),
        # in between, so that b is no neighbour of a: only the ref ties a's page to b
        **{f"content/posts/n{n}.md": article("N.", f"N{n}", f"2023-02-0{n}") for n in (2, 3, 4)},
    }
    root = write_files(tmp_path / "site", files)
    result = build_site(root)
    assert result.ok
    assert [d.format() for d in result.diagnostics] == [
        "content/posts/a.md:5:75: warning: body: ref 'missing.md' names no published article "
        "(give its path in the content folder, e.g. 2023/02/review.md); the link goes nowhere"
    ]
    html = body_of(root, "2023/02/10/a")
    assert '<a href="../../../../2023/02/01/review/index.html#result">the review</a>' in html
    assert ", ../../../../2023/02/01/review/index.html and #ref-not-found." in html
    source = root / "content/posts/b.md"
    source.write_text(source.read_text().replace("title: Review", "title: Final review"))
    assert build_site(root).ok
    html = body_of(root, "2023/02/10/a")  # a.md did not change: its page follows b's new URL
    assert "../../../../2023/02/01/final-review/index.html#result" in html
    clean = tmp_path / "clean"
    write_files(clean, {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.md")})
    write_files(clean, {"newsgen.yaml": SETTINGS})
    assert build_site(clean).ok
    assert body_of(clean, "2023/02/10/a") == html


@pytest.mark.site
def test_editing_a_shortcode_template_renders_its_pages_again(tmp_path: Path) -> None:
    files = {
        "newsgen.yaml": SETTINGS,
        "templates/shortcodes/mark.html": "<mark>{{ inner }}</mark>",
        "content/a.md": article("Say {{< mark >}}hi{{< /mark >}}."),
    }
    root = write_files(tmp_path / "site", files)
    assert build_site(root).ok
    write_files(root, {"templates/shortcodes/mark.html": "<em>{{ inner }}</em>"})
    assert build_site(root).ok
    assert "Say <em>hi</em>." in body_of(root, "2023/02/10/a")


@pytest.mark.site
def test_feeds_with_shortcodes_stay_well_formed(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    body = '{{< figure src="/a.png" caption="A & B" >}}\n\n{{< note >}}x < y{{< /note >}}'
    root = write_files(tmp_path / "site", {"newsgen.yaml": SETTINGS, "content/a.md": article(body)})
    assert build_site(root).ok
    feed = ElementTree.fromstring((root / "public/feed.xml").read_bytes())
    content = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content")
    assert content is not None and "A &amp; B" in (content.text or "")


@pytest.mark.site
@pytest.mark.parametrize("summary_body", ["{{< figure src=x >}}\n\nFirst words here."])
def test_derived_summaries_skip_shortcode_tags(tmp_path: Path, summary_body: str) -> None:
    root = write_files(
        tmp_path / "site", {"newsgen.yaml": SETTINGS, "content/a.md": article(summary_body)}
    )
    assert build_site(root).ok
    assert '<p class="summary">First words here.</p>' in (root / "public/index.html").read_text()
