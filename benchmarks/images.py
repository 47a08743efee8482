"""What lead photos cost a build: N articles, each with its own photo of about 2 MB.

    python benchmarks/images.py --photos 1000 --workdir /tmp/img-bench

It generates the synthetic archive (benchmarks/generate.py) with N articles, puts N distinct
photos of 12 megapixels (about 1.2 MB: decoding and resizing cost follows the pixels) in static/img/ (a few generated pictures, each copy
made distinct by bytes after the JPEG's end, which decoders ignore: every photo is read,
decoded, resized and encoded as a real one would be), and times whole `newsgen build`
processes (search off, so the photos' cost is not lost in Pagefind's):

- cold, without `image:` lines (the photos are still copied from static/): the baseline;
- cold, with an `image:` line in every article (no cache): baseline + the photos' cost;
- the same again, cache kept, output deleted: versions come from the cache;
- a body edit with the cache: no photo is made again.

Each timing is the median of --runs runs; the table goes to stdout and to --out (Markdown).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

BASES = 12  # distinct pictures; the rest are byte-distinct copies of them


def base_photo(seed: int) -> bytes:
    """A 4000 x 3000 JPEG of about 1.2 MB: shapes over fine noise, as a photo's detail."""
    rng = random.Random(seed)
    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(120):
        x, y = rng.randrange(4000), rng.randrange(3000)
        box = (x, y, x + rng.randrange(80, 900), y + rng.randrange(80, 900))
        draw.ellipse(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(0.8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def add_photos(site: Path, count: int) -> list[str]:
    """static/img/photo-N.jpg for each article; returns their site paths."""
    folder = site / "static" / "img"
    folder.mkdir(parents=True, exist_ok=True)
    bases = [base_photo(seed) for seed in range(BASES)]
    names = []
    for n in range(count):
        name = f"img/photo-{n:05d}.jpg"
        (site / "static" / name).write_bytes(bases[n % BASES] + f"copy {n}".encode())
        names.append(name)
    return names


def set_images(site: Path, photos: list[str] | None) -> None:
    """Give each article a lead photo (or take them away): an image: line after the title."""
    articles = sorted((site / "content").rglob("*.md"))
    for n, path in enumerate(articles):
        lines = [ln for ln in path.read_text("utf-8").split("\n") if not ln.startswith("image:")]
        if photos:
            at = next(i for i, ln in enumerate(lines) if ln.startswith("title:"))
            photo = photos[n % len(photos)]
            lines.insert(at + 1, f"image: {{src: /{photo}, alt: Photo {n}}}")
        path.write_text("\n".join(lines), "utf-8")


def timed_build(site: Path, out: Path, *extra: str) -> float:
    """One whole `newsgen build` process; its wall time."""
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "newsgen", "build", str(site), "-o", str(out), "-q", *extra],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stderr}")
    return elapsed


def median_of(runs: int, setup: object, site: Path, out: Path) -> tuple[float, list[float]]:
    """Run setup() then a timed build, `runs` times."""
    times = []
    for _ in range(runs):
        setup()  # type: ignore[operator]
        times.append(timed_build(site, out))
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=1000, help="articles, one photo each")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="write the table here too")
    args = parser.parse_args()
    site, out = args.workdir / "site", args.workdir / "out"
    generate(args.photos, site, seed=1, force=True)
    config = site / "newsgen.yaml"
    config.write_text(config.read_text("utf-8") + "search: false\n", "utf-8")
    photos = add_photos(site, args.photos)
    cache = site / ".newsgen-cache"

    def cold() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    def output_only() -> None:
        shutil.rmtree(out, ignore_errors=True)

    rows = []
    set_images(site, None)
    rows.append(
        (
            "cold, no image: lines (photos copied from static/)",
            *median_of(args.runs, cold, site, out),
        )
    )
    set_images(site, photos)
    rows.append(("cold, an image: line in every article", *median_of(args.runs, cold, site, out)))
    rows.append(("output deleted, cache kept", *median_of(args.runs, output_only, site, out)))
    body = sorted((site / "content").rglob("*.md"))[0]

    def edit() -> None:
        body.write_text(body.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")

    rows.append(("one body edit, cache kept", *median_of(args.runs, edit, site, out)))
    size = sum((site / "static" / p).stat().st_size for p in photos) / len(photos) / 1e6
    table = [
        f"{args.photos} articles, one photo each (4000 x 3000, {size:.1f} MB on average), "
        "search off, "
        f"{os.cpu_count()} cores, median of {args.runs}:",
        "",
        "| build | seconds (runs) |",
        "| --- | --- |",
        *(
            f"| {name} | {m:.1f} ({', '.join(f'{t:.1f}' for t in times)}) |"
            for name, m, times in rows
        ),
        "",
        f"Photos' cost in a cold build: {rows[1][1] - rows[0][1]:.1f} s.",
    ]
    print("\n".join(table))
    if args.out:
        args.out.write_text("\n".join(table) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
