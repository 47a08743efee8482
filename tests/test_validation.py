"""Every value validated where it is read: an article's language, settings, vocabulary slugs,
YAML merge keys. Each problem is one line with its file and line, in build and check alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import run_cli, write_files

pytestmark = pytest.mark.cli

BILINGUAL = "title: T\nbase_url: https://x.org/\nlanguages: [en, zh]\n"


def errors(root: Path, command: str = "build") -> tuple[int, list[str]]:
    """Exit status and error lines of a CLI run (no traceback allowed)."""
    done = run_cli(command, str(root))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, [line for line in done.stderr.splitlines() if ": error: " in line]


def article(*lines: str) -> str:
    """An article file from front-matter lines."""
    return "---\n" + "\n".join(["title: A", "date: 2023-02-10", *lines]) + "\n---\nBody.\n"


@pytest.mark.parametrize(
    ("settings", "lang", "expected"),
    [
        (
            BILINGUAL,
            "fr",
            "'fr' is not one of the site's languages (en, zh); add it to "
            "languages: in newsgen.yaml, or correct it",
        ),
        (BILINGUAL, "../../x", "'../../x' is not a language tag (e.g. en, zh, zh-Hant)"),
        ("title: T\n", "en us", "'en us' is not a language tag (e.g. en, zh, zh-Hant)"),
    ],
)
def test_an_articles_language_must_be_one_the_site_has(
    tmp_path: Path, settings: str, lang: str, expected: str
) -> None:
    root = write_files(
        tmp_path / "site", {"newsgen.yaml": settings, "content/a.md": article(f"lang: '{lang}'")}
    )
    for command in ("build", "check"):
        assert errors(root, command) == (1, [f"content/a.md:4:7: error: lang: {expected}"])


def test_languages_a_bilingual_site_has_and_any_on_a_one_language_site_are_fine(
    tmp_path: Path,
) -> None:
    root = write_files(
        tmp_path / "site",
        {"newsgen.yaml": BILINGUAL, "content/a.md": article("lang: zh-Hant")},
    )
    assert errors(root) == (0, [])
    write_files(root, {"newsgen.yaml": "title: T\n", "content/a.md": article("lang: fr")})
    assert errors(root) == (0, [])


def test_new_refuses_a_language_the_site_does_not_have(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"newsgen.yaml": BILINGUAL, "content/.keep": ""})
    done = run_cli("new", "A title", "--site", str(root), "--lang", "fr")
    assert done.returncode == 2
    assert "'fr' is not one of the site's languages (en, zh)" in done.stderr
    assert not list((root / "content").rglob("*.md"))


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('content_dir: "con\\0tent"', "content_dir: must not hold control characters"),
        ('output_dir: "pub\\nlic"', "output_dir: must not hold control characters"),
        ("related_items: -1", "related_items: must be 0 or more"),
        ("base_url: 'https://x.org/\"><script>'", "base_url: must be an absolute http(s) URL"),
        ("base_url: https://x.org/news archive/", "base_url: must be an absolute http(s) URL"),
        ("base_url: https://x.org/?page=1", "base_url: must be an absolute http(s) URL"),
    ],
)
def test_bad_settings_are_errors_at_their_line(tmp_path: Path, setting: str, expected: str) -> None:
    root = write_files(
        tmp_path / "site",
        {"newsgen.yaml": f"title: T\n{setting}\n", "content/a.md": article()},
    )
    for command in ("build", "check"):
        status, lines = errors(root, command)
        assert status == 1
        settings_lines = [line for line in lines if line.startswith("newsgen.yaml")]
        assert len(settings_lines) == 1
        assert settings_lines[0].startswith(f"newsgen.yaml:2: error: {expected}")


def test_vocabulary_slugs_are_slugs_and_one_slug_names_one_term(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\n",
            "data/units.yaml": (
                "- {name: Party School, slug: Party School}\n"
                "- name: District Party School\n  slug: party-school\n"
                "- {name: Party-School}\n"
            ),
            "content/a.md": article("units: [District Party School]"),
        },
    )
    status, lines = errors(root, "check")
    assert status == 1
    assert lines == [
        "data/units.yaml:1: error: slug: 'Party School': slug 'Party School' is not in slug "
        "form (use e.g. 'party-school')",
        "data/units.yaml:4: error: slug: 'District Party School' (line 2) and 'Party-School' "
        "have one slug, 'party-school': they would share one page (give one another slug)",
    ]


def test_yaml_merge_keys_are_applied_and_a_bad_one_is_an_error(tmp_path: Path) -> None:
    merged = (
        "---\ndefaults: &defaults\n  district: Jintai District\n  tags: [budget]\n"
        "<<: *defaults\ntitle: Budget hearing\ndate: 2023-02-10\ntags: [hearing]\n---\nBody.\n"
    )
    root = write_files(tmp_path / "site", {"newsgen.yaml": "title: T\n", "content/a.md": merged})
    assert errors(root) == (0, [])
    page = (root / "public/2023/02/10/budget-hearing/index.html").read_text()
    assert "Jintai District" in page  # merged in
    assert (root / "public/tags/hearing/index.html").is_file()  # the key written wins
    assert not (root / "public/tags/budget").exists()
    write_files(root, {"content/b.md": article("<<: [1, 2]")})
    status, lines = errors(root, "check")
    assert (status, lines) == (
        1,
        [
            "content/b.md:4:6: error: YAML merge key (<<) expected a mapping for merging, "
            "but found scalar"
        ],
    )


def test_an_imported_language_the_site_lacks_is_kept_aside_for_review(tmp_path: Path) -> None:
    hugo = write_files(
        tmp_path / "old",
        {
            "hugo.toml": "title = 'x'\n",
            "content/a.md": "---\ntitle: A\ndate: 2023-02-10\nlang: fr\n---\nA.\n",
        },
    )
    root = write_files(tmp_path / "site", {"newsgen.yaml": BILINGUAL})
    done = run_cli("import", "hugo", str(hugo), "--site", str(root))
    assert done.returncode == 0, done.stderr
    written = next((root / "content").rglob("*.md")).read_text()
    front = yaml.safe_load(written.split("---\n")[1])
    assert front["original_lang"] == "fr" and "lang" not in front
    assert front["review_notes"] == [
        "lang 'fr' is not one of the site's languages: kept as original_lang"
    ]
    assert errors(root) == (0, [])


def test_terms_and_aliases_per_article_are_capped(tmp_path: Path) -> None:
    tags = ", ".join(f"tag {n}" for n in range(101))
    aliases = ", ".join(f"/old/{n}/" for n in range(51))
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\n",
            "content/a.md": article(f"tags: [{tags}]", f"aliases: [{aliases}]"),
        },
    )
    assert errors(root, "check") == (
        1,
        [
            "content/a.md:4: error: tags: 101 values, over the limit of 100 (raise max_terms in "
            "newsgen.yaml)",
            "content/a.md:5: error: aliases: 51 values, over the limit of 50 (raise max_aliases "
            "in newsgen.yaml)",
        ],
    )
    write_files(root, {"newsgen.yaml": "title: T\nmax_terms: 101\nmax_aliases: 60\n"})
    assert errors(root) == (0, [])
    assert len(list((root / "public/tags").glob("*/index.html"))) == 101


def test_output_grows_linearly_with_the_terms_of_an_article(tmp_path: Path) -> None:
    """Each term's page and feed must not repeat every other term of the article: four times
    the terms give at most about four times the bytes (all of them: nearly five)."""
    sizes = []
    for count in (50, 200):
        tags = ", ".join(f"tag {n}" for n in range(count))
        root = write_files(
            tmp_path / str(count),
            {
                "newsgen.yaml": "title: T\nbase_url: https://x.org/\nsearch: false\nmax_terms: 300\n",
                "content/a.md": article(f"tags: [{tags}]"),
            },
        )
        assert errors(root) == (0, [])
        sizes.append(sum(p.stat().st_size for p in (root / "public").rglob("*") if p.is_file()))
    assert sizes[1] < sizes[0] * 4.2, sizes


@pytest.mark.parametrize(
    ("templates", "expected"),
    [
        (
            {"templates/article.html": '{% extends "article.html" %}\n'},
            "templates/article.html:1: error: templates extend or include each other in a loop "
            "(templates/article.html -> templates/article.html)",
        ),
        (
            {
                "templates/article.html": '{% extends "theme/article.html" %}\n'
                '{% block article_footer %}{% include "a.html" %}{% endblock %}\n',
                "templates/a.html": '{% include "b.html" %}\n',
                "templates/b.html": 'x\n{% include "a.html" %}\n',
            },
            "templates/a.html:1: error: templates extend or include each other in a loop "
            "(templates/a.html -> templates/b.html -> templates/a.html)",
        ),
        (
            {
                "templates/article.html": 'hello\n{% extends "theme/article.html" %}\n'
                '{% extends "theme/article.html" %}\n'
            },
            "templates/article.html:3: error: extends given 2 times (lines 2 and 3): keep one",
        ),
    ],
)
def test_template_loops_and_extends_twice_are_one_line_in_build_and_check(
    tmp_path: Path, templates: dict[str, str], expected: str
) -> None:
    root = write_files(
        tmp_path / "site", {"newsgen.yaml": "title: T\n", "content/a.md": article(), **templates}
    )
    for command in ("build", "check"):
        assert errors(root, command) == (1, [expected])


def test_diagnostics_escape_controls_and_bidi_overrides(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\n",
            "content/evil\u202egpj.md": '---\ntitle: "a\\u2066b"\ndate: x\n---\n',
        },
    )
    status, lines = errors(root, "check")
    assert status == 1
    assert lines == [
        "content/evil\\u202egpj.md:3:7: error: date: 'x' is not a date (expected YYYY-MM-DD or "
        "ISO 8601, e.g. 2023-02-10 or 2023-02-10 09:30:00 +08:00)"
    ]


def test_importers_report_hostile_front_matter_per_file(tmp_path: Path) -> None:
    old = write_files(
        tmp_path / "old",
        {
            "hugo.toml": "title = 'x'\n",
            "content/deep.md": '{"title": "x", "d": ' + "[" * 5000 + "]" * 5000 + "}\nbody\n",
            "content/deep-toml.md": "+++\ntitle = 'x'\nd = "
            + "[" * 5000
            + "]" * 5000
            + "\n+++\nb\n",
            "content/number.md": '{"title": "x", "date": "2023-01-01", "n": '
            + "9" * 5000
            + "}\nb\n",
            "content/ok.md": "---\ntitle: ok\ndate: 2023-01-01\n---\nbody\n",
        },
    )
    root = write_files(tmp_path / "site", {"newsgen.yaml": "title: T\n"})
    done = run_cli("import", "hugo", str(old), "--site", str(root))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert sorted(line for line in done.stderr.splitlines() if ": error: " in line) == [
        "deep-toml.md: error: deep-toml.md: TOML cannot be read: it is nested too deeply",
        "deep.md: error: JSON front matter cannot be read: it is nested too deeply",
        "number.md: error: JSON front matter cannot be read: a number is too long",
    ]
    assert (root / "content/2023/01/ok.md").is_file()
    write_files(tmp_path / "filed", {"newsgen.yaml": "title: T\n", "content": "not a folder"})
    done = run_cli("import", "hugo", str(old), "--site", str(tmp_path / "filed"))
    assert done.returncode == 2 and "the content folder content is a file" in done.stderr


def test_a_template_that_is_not_utf8_and_an_unreadable_article_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\n",
            "content/a.md": article(),
            "templates/article.html": b"\xff\xfe{% block x %}",
            "templates/logo.png": bytes(range(256)),  # not a template: left alone
        },
    )
    expected = "templates/article.html: error: template is not UTF-8 text (byte 0xff); convert it"
    for command in ("build", "check"):
        assert errors(root, command) == (1, [expected])
    (root / "templates/article.html").unlink()

    from newsgen.pipeline.build import BuildOptions, build

    def unreadable(site_root: Path, source_path: str) -> object:
        raise PermissionError(13, "Permission denied", source_path)

    monkeypatch.setattr("newsgen.pipeline.read_stages.read_source", unreadable)
    result = build(BuildOptions(site_root=root))
    assert [d.format() for d in result.diagnostics if d.is_error] == [
        "content/a.md: error: cannot be read: Permission denied"
    ]
