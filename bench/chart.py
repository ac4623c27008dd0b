"""bench/results/chart.svg from the result files: each page's requests per second as a share of
the ceiling app's, one bar per database and size, and the target share (a line at 0.3). Plain
SVG, written by hand."""

import json
from html import escape
from pathlib import Path

COLOURS = ["#1f5fa8", "#d9822b", "#2e8540", "#8a3ea8", "#a83e3e", "#4d4d4d"]
ORDER = {"small": 0, "large": 1, "region": 2}
ROW, BAR, LEFT, WIDTH = 64, 13, 230, 460
# The target: every key page at least this share of the ceiling's requests per second.
TARGET = 0.3


def draw(results: Path) -> Path:
    runs = []
    for path in sorted(results.glob("*.json")):
        body = json.loads(path.read_text())
        runs.append(body)
    runs.sort(key=lambda r: (r["database"] != "postgresql", ORDER.get(r["size"], 9)))
    pages: list[str] = []
    for run in runs:
        for page in run["pages"]:
            if page["page"] not in pages:
                pages.append(page["page"])
    height = 70 + ROW * max(len(pages), 1) + 24 * ((len(runs) + 1) // 2) + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + 120}" height="{height}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12" role="img" '
        'aria-labelledby="title">',
        '<title id="title">Requests per second of each page as a share of the ceiling app</title>',
        '<rect width="100%" height="100%" fill="#fff"/>',
        '<text x="10" y="22" font-size="15" font-weight="bold">Requests per second, share of '
        "the ceiling (50 rows, SQLAlchemy + Jinja)</text>",
    ]
    top = 50
    for pct in (0, 25, 50, 75, 100):
        x = LEFT + WIDTH * pct / 100
        out.append(
            f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{top + ROW * len(pages)}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{x}" y="{top - 10}" text-anchor="middle">{pct} %</text>')
    # Drawn under the bars, labelled below the last row (the axis labels take the top).
    x, bottom = LEFT + WIDTH * TARGET, top + ROW * len(pages)
    out.append(
        f'<line id="target" x1="{x}" y1="{top - 6}" x2="{x}" y2="{bottom}" stroke="#c00" '
        'stroke-width="1.5" stroke-dasharray="5 3"/>'
    )
    out.append(
        f'<text x="{x + 4}" y="{bottom + 12}" fill="#c00" font-size="11">target {TARGET:g}</text>'
    )
    for row, name in enumerate(pages):
        y = top + row * ROW
        out.append(
            f'<text x="{LEFT - 8}" y="{y + ROW / 2}" text-anchor="end">{escape(name)}</text>'
        )
        for k, run in enumerate(runs):
            page = next((p for p in run["pages"] if p["page"] == name), None)
            if page is None:
                continue
            share = min(page["ratio"], 1.0)
            by = y + 4 + k * BAR
            out.append(
                f'<rect x="{LEFT}" y="{by}" width="{WIDTH * share:.1f}" height="{BAR - 2}" '
                f'fill="{COLOURS[k % len(COLOURS)]}"/>'
            )
            out.append(
                f'<text x="{LEFT + WIDTH * share + 4:.1f}" y="{by + BAR - 3}" font-size="10">'
                f"{page['rps']:.{1 if page['rps'] < 10 else 0}f} req/s</text>"
            )
    legend = top + ROW * len(pages) + 20
    for k, run in enumerate(runs):
        x, y = 10 + (k % 2) * 330, legend + (k // 2) * 24
        out.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{COLOURS[k % 6]}"/>')
        out.append(
            f'<text x="{x + 20}" y="{y + 12}">{escape(run["database"])}, {escape(run["size"])}'
            + (f" ×{run['scale']:g}" if run.get("scale", 1) != 1 else "")
            + f" (load {escape(run['load_before'].split()[0])})</text>"
        )
    out.append("</svg>")
    target = results / "chart.svg"
    target.write_text("\n".join(out) + "\n")
    return target


if __name__ == "__main__":
    print(draw(Path(__file__).resolve().parent / "results"))
