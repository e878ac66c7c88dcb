"""Figures: one function per figure, data in, Figure out; save_figure writes stable PNG/SVG."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

from report import figures as F
from report.figures.style import TEXT_WIDTH

N = 16
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(7)


@pytest.fixture(scope="module")
def z(rng):
    data = rng.normal(0.0, 0.8, (400, N))
    data[:, 3] = 1.5 + 2.0 * rng.normal(size=400)
    data[:, 5] = -0.8 * data[:, 3] + 0.3 * rng.normal(size=400)
    return data


@pytest.fixture(scope="module")
def images(rng):
    return rng.integers(0, 256, (5, 12, 12, 3), dtype=np.uint8)


def collection(ax, label: str) -> PathCollection:
    found = [c for c in ax.collections if c.get_label() == label]
    assert len(found) == 1, f"expected one {label!r} collection, got {[c.get_label() for c in ax.collections]}"
    return found[0]


def image_of(ax) -> np.ndarray:
    shown = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert len(shown) == 1
    return np.asarray(shown[0].get_array())


def render(fig: Figure) -> None:
    """Draw once (as saving does), so lazily created ticks and the layout exist."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with F.style.style_context():
        FigureCanvasAgg(fig).draw()


# --------------------------------------------------------------------------- post I


def test_image_grid_shows_each_image_once_in_order(images):
    fig = F.image_grid(images, columns=3, titles=[f"#{k}" for k in range(5)])
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5  # the sixth cell of the 2x3 grid is removed
    for k, ax in enumerate(fig.axes):
        np.testing.assert_array_equal(image_of(ax), images[k])
        assert ax.get_title(loc="left") == f"#{k}"
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    render(fig)
    assert len({round(ax.get_position().y0, 3) for ax in fig.axes}) == 2


def test_image_grid_checks_its_input(images):
    with pytest.raises(ValueError):
        F.image_grid(images[0], columns=3)  # one image, not a stack
    with pytest.raises(ValueError):
        F.image_grid(images, columns=3, titles=["only one"])
    assert len(F.image_grid(images[:2], columns=7).axes) == 2


def test_image_pairs_originals_above_reconstructions(images):
    fig = F.image_pairs(images[:3], images[2:5])
    assert len(fig.axes) == 6
    top, bottom = fig.axes[:3], fig.axes[3:]
    for k in range(3):
        np.testing.assert_array_equal(image_of(top[k]), images[k])
        np.testing.assert_array_equal(image_of(bottom[k]), images[2 + k])
    render(fig)
    assert top[0].get_position().y0 > bottom[0].get_position().y0
    assert top[0].get_ylabel() == "original" and bottom[0].get_ylabel() == "reconstructed"
    with pytest.raises(ValueError):
        F.image_pairs(images[:3], images[:2])


def test_loss_curve_plots_the_inputs_per_epoch():
    loss, val = [0.9, 0.5, 0.4, 0.35], [1.0, 0.6, 0.5, 0.45]
    fig = F.loss_curve(loss, val, log=True)
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), loss)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), val)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3, 4])
    assert ax.get_yscale() == "log"
    only = F.loss_curve(loss)
    assert len(only.axes[0].lines) == 1 and only.axes[0].get_yscale() == "linear"


# --------------------------------------------------------------------------- post II


@pytest.fixture(scope="module")
def hist(z):
    edges = np.arange(-6, 6.01, 0.5)
    counts = np.stack([np.histogram(z[:, j], edges)[0] for j in range(N)])
    return edges, counts


def test_component_histograms_draw_all_curves_and_highlights(hist):
    edges, counts = hist
    fig = F.component_histograms(edges, counts, highlight=[3, 5])
    (ax,) = fig.axes
    (curves,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    segments = curves.get_segments()
    assert len(segments) == N
    centres = (edges[:-1] + edges[1:]) / 2
    for j in (0, 3, N - 1):
        np.testing.assert_allclose(segments[j][:, 0], centres)
        np.testing.assert_allclose(segments[j][:, 1], counts[j])
    assert [line.get_label() for line in ax.lines] == ["z[3]", "z[5]"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), counts[5])
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"z[3]", "z[5]"}
    with pytest.raises(ValueError):
        F.component_histograms(edges[:-1], counts)


@pytest.mark.parametrize("kind, half", [("fwhm", 0.5), ("hwhm", 1.0)])
def test_dominant_histograms_one_panel_each_with_mean_and_width(hist, z, kind, half):
    edges, counts = hist
    means, widths = z.mean(axis=0), 2.3548 * z.std(axis=0)
    fig = F.dominant_histograms(edges, counts, [3, 5, 7], means, widths, width_kind=kind)
    assert len(fig.axes) == 3
    for ax, j in zip(fig.axes, (3, 5, 7)):
        assert ax.get_title().startswith(f"z[{j}]")
        assert f"{means[j]:.2f}" in ax.get_title()
        bar = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_ydata()[0] > 0][-1]
        np.testing.assert_allclose(bar.get_xdata(), [means[j] - half * widths[j], means[j] + half * widths[j]])
        np.testing.assert_allclose(bar.get_ydata(), [counts[j].max() / 2] * 2)
    with pytest.raises(ValueError):
        F.dominant_histograms(edges, counts, [3], means[:3], widths)


def test_radius_histograms_overlay_each_b_with_its_expected_radius(rng):
    data = rng.normal(14, 1, 2000)
    uniform = {2.0: rng.normal(18.5, 0.5, 500), 1.0: rng.normal(9.2, 0.3, 500)}
    expected = {1.0: 9.238, 2.0: 18.475}
    fig = F.radius_histograms(data, uniform, expected)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["data", "uniform, b = 1", "uniform, b = 2"]
    dashed = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert dashed == pytest.approx([9.238, 18.475])
    assert len(F.radius_histograms(data, uniform, None).axes[0].lines) == 0


# --------------------------------------------------------------------------- post III


def test_correlation_heatmap_limits_labels_and_values(z):
    idx = [3, 5, 8]
    r = np.corrcoef(z[:, idx], rowvar=False)
    fig = F.correlation_heatmap(r, idx)
    assert len(fig.axes) == 2  # heat map and colourbar
    ax = fig.axes[0]
    (image,) = ax.images
    assert image.get_clim() == (-1.0, 1.0)
    np.testing.assert_allclose(image.get_array(), r)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["3", "5", "8"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "5", "8"]
    assert len(ax.texts) == 9 and ax.texts[1].get_text() == f"{r[0, 1]:.2f}"
    big = F.correlation_heatmap(np.eye(40), list(range(100, 140)))
    assert len(big.axes[0].texts) == 0  # no cell labels on a large block
    with pytest.raises(ValueError):
        F.correlation_heatmap(r, [3, 5])


def test_pair_scatter_grid_layers_per_pair(z, rng):
    pairs = [(3, 5), (0, 1), (3, 8)]
    uniform = rng.uniform(-4, 4, (10, N))
    chosen = z[17]
    fig = F.pair_scatter_grid(z, pairs, uniform, chosen, titles=["a", "b", "c"], columns=2)
    assert len(fig.axes) == 3
    for ax, (i, j), title in zip(fig.axes, pairs, "abc"):
        np.testing.assert_allclose(collection(ax, "data").get_offsets(), z[:, [i, j]])
        np.testing.assert_allclose(collection(ax, "uniform").get_offsets(), uniform[:, [i, j]])
        np.testing.assert_allclose(collection(ax, "chosen").get_offsets(), [chosen[[i, j]]])
        np.testing.assert_allclose(collection(ax, "origin").get_offsets(), [[0.0, 0.0]])
        assert (ax.get_xlabel(), ax.get_ylabel()) == (f"z[{i}]", f"z[{j}]")
        assert ax.get_title() == title
    bare = F.pair_scatter_grid(z, pairs[:1], origin=False)
    assert [c.get_label() for c in bare.axes[0].collections] == ["data"]
    with pytest.raises(ValueError):
        F.pair_scatter_grid(z, pairs, uniform[:, :4])


def test_projection_colours_follow_the_palette(z, rng):
    fig = F.pair_scatter_grid(z, [(3, 5)], rng.uniform(-1, 1, (4, N)), z[0])
    ax = fig.axes[0]

    def face(label):
        return tuple(collection(ax, label).get_facecolor()[0])

    assert face("data") == to_rgba(F.PALETTE["data"])
    assert face("uniform") == to_rgba(F.PALETTE["uniform"])
    assert face("chosen") == to_rgba(F.PALETTE["chosen"])
    assert face("origin") == to_rgba(F.PALETTE["origin"])
    edge = collection(ax, "origin").get_edgecolor()[0]
    assert sum(edge[:3]) < 0.5  # dark edge: a yellow dot stays visible on white
    assert collection(ax, "data").get_rasterized()


# --------------------------------------------------------------------------- post IV


def test_origin_projection_zoom_window(z, rng):
    uniform = rng.uniform(-1.5, 1.5, (10, N))
    fig = F.origin_projection(z, (3, 5), uniform, zoom=1.5)
    (ax,) = fig.axes
    np.testing.assert_allclose(collection(ax, "data").get_offsets(), z[:, [3, 5]])
    np.testing.assert_allclose(collection(ax, "uniform").get_offsets(), uniform[:, [3, 5]])
    assert ax.get_xlim() == (-1.5, 1.5) and ax.get_ylim() == (-1.5, 1.5)
    whole = F.origin_projection(z, (3, 5)).axes[0]
    assert whole.get_xlim()[1] > 3  # without zoom the whole cloud shows
    assert [c.get_label() for c in whole.collections] == ["data", "origin"]


def test_slice_projection_survivors_on_top_even_when_empty(z, rng):
    kept = z[:7]
    uniform = rng.uniform(-1.5, 1.5, (200, N))
    fig = F.slice_projection(kept, (3, 5), uniform, "7 of 400")
    (ax,) = fig.axes
    data, uni = collection(ax, "data"), collection(ax, "uniform")
    np.testing.assert_allclose(data.get_offsets(), kept[:, [3, 5]])
    assert data.get_zorder() > uni.get_zorder()
    assert data.get_sizes()[0] > F.slice_projection(z, (3, 5)).axes[0].collections[0].get_sizes()[0]
    assert ax.get_title() == "7 of 400"
    empty = F.slice_projection(z[:0], (3, 5), uniform, "none kept")
    assert len(collection(empty.axes[0], "data").get_offsets()) == 0
    assert "data kept (0)" in [t.get_text() for t in empty.legends[0].get_texts()]


# --------------------------------------------------------------------------- post VI, VII


def test_path_projections_show_path_centre_origin_per_plane(z):
    centre = z.mean(axis=0)
    path = np.outer(np.linspace(0, 1, 6), centre)
    planes = [(3, 5), (0, 1), (2, 4), (6, 7)]
    fig = F.path_projections(z, path, centre, planes, columns=3)
    assert len(fig.axes) == 4
    for ax, (i, j) in zip(fig.axes, planes):
        (line,) = [line for line in ax.lines if line.get_label() == "path"]
        np.testing.assert_allclose(line.get_xydata(), path[:, [i, j]])
        assert line.get_color() == F.PALETTE["path"]
        np.testing.assert_allclose(collection(ax, "centre").get_offsets(), [centre[[i, j]]])
        np.testing.assert_allclose(collection(ax, "data").get_offsets(), z[:, [i, j]])
        assert len(collection(ax, "origin").get_offsets()) == 1


def test_image_strip_labels_under_images(images):
    labels = [f"t={t:.1f}" for t in np.linspace(0, 1, 5)]
    fig = F.image_strip(images, labels)
    assert len(fig.axes) == 5
    assert [ax.get_xlabel() for ax in fig.axes] == labels
    render(fig)
    assert len({round(ax.get_position().y0, 3) for ax in fig.axes}) == 1  # one row
    with pytest.raises(ValueError):
        F.image_strip(images, labels[:2])


def test_individuals_label_each_image_with_its_distance(images):
    fig = F.individuals(images, [3.0, 5.25, 8.0, 13.4, 20.0])
    assert len(fig.axes) == 5
    assert [ax.get_xlabel() for ax in fig.axes] == ["d = 3.0", "d = 5.2", "d = 8.0", "d = 13.4", "d = 20.0"]
    np.testing.assert_array_equal(image_of(fig.axes[4]), images[4])
    with pytest.raises(ValueError):
        F.individuals(images, [1.0, 2.0])


# --------------------------------------------------------------------------- every figure


def all_figures(z, images, rng) -> dict[str, Figure]:
    edges = np.arange(-6, 6.01, 0.5)
    counts = np.stack([np.histogram(z[:, j], edges)[0] for j in range(N)])
    uniform = rng.uniform(-1.5, 1.5, (10, N))
    centre = z.mean(axis=0)
    return {
        "image_grid": F.image_grid(images, 3, titles=list("abcde")),
        "image_pairs": F.image_pairs(images[:3], images[2:]),
        "loss_curve": F.loss_curve([1.0, 0.5, 0.4], [1.1, 0.6, 0.5], log=True),
        "component_histograms": F.component_histograms(edges, counts, highlight=[3, 5]),
        "dominant_histograms": F.dominant_histograms(edges, counts, [3, 5, 7, 9, 11], z.mean(0), z.std(0)),
        "radius_histograms": F.radius_histograms(np.linalg.norm(z, axis=1),
                                                 {1.5: np.linalg.norm(uniform, axis=1)}, {1.5: 1.5 * np.sqrt(N / 3)}),
        "correlation_heatmap": F.correlation_heatmap(np.corrcoef(z[:, :6], rowvar=False), range(6)),
        "pair_scatter_grid": F.pair_scatter_grid(z, [(3, 5), (0, 1), (2, 3), (4, 5), (6, 7)], uniform, z[0],
                                                 titles=[f"r = {v:.2f}" for v in range(5)]),
        "origin_projection": F.origin_projection(z, (3, 5), uniform, zoom=1.0),
        "slice_projection": F.slice_projection(z[:5], (3, 5), uniform, "5 of 400"),
        "path_projections": F.path_projections(z, np.outer(np.linspace(0, 1, 6), centre), centre,
                                               [(3, 5), (0, 1), (2, 4), (6, 7)]),
        "image_strip": F.image_strip(images, [f"t={t}" for t in range(5)]),
        "judged_image_grid": F.image_grid(images, 5, faces=["clear face", "faint face", "no face", "no face", "clear face"]),
        "judged_rows": F.judged_rows([("real", images, [True] * 5), ("noise", images, [False] * 5)]),
        "verdict_shares": F.verdict_shares([(label, [0, 1], {"clear face": [1, 0], "faint face": [0, 1], "no face": [0, 0]})
                                            for label in ("Gaussian blur σ (pixels)", "contrast factor")]),
        "individuals": F.individuals(images, np.arange(5.0)),
        "scoreboard": F.scoreboard(["a", "b", "c"], [0.3, 0.29, 0.1], "face coverage",
                                   intervals=[(0.27, 0.33), (0.26, 0.32), (0.08, 0.12)], groups=[1, 1, 2]),
    }


def test_scoreboard_draws_each_interval_and_labels_each_group_once():
    fig = F.scoreboard(["a", "b", "c", "d"], [0.3, 0.29, 0.1, 0.0], "face coverage",
                       intervals=[(0.27, 0.33), (0.25, 0.31), (0.08, 0.12), (0.0, 0.01)], groups=[1, 1, 2, 3])
    ax = fig.axes[0]
    segments = [seg for c in ax.collections if isinstance(c, LineCollection) for seg in c.get_segments()]
    spans = sorted((round(seg[0][0], 6), round(seg[1][0], 6)) for seg in segments)
    assert spans == [(0.0, 0.01), (0.08, 0.12), (0.25, 0.31), (0.27, 0.33)]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["group 1", "group 2", "group 3"]
    assert len(ax.patches) == 4 + 1  # four bars and one band (group 2)


def test_every_figure_fits_a4_width_with_fonts_of_8pt_or_more(z, images, rng):
    for name, fig in all_figures(z, images, rng).items():
        assert isinstance(fig, Figure), name
        assert fig.get_layout_engine() is not None, name  # constrained layout
        assert fig.get_figwidth() <= TEXT_WIDTH + 1e-9, name
        render(fig)
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert sizes, name
        assert min(sizes) >= 8.0, f"{name}: a label of {min(sizes)} pt"


def test_figures_never_touch_pyplot(tmp_path):
    code = textwrap.dedent(f"""
        import sys, numpy as np
        from report import figures as F
        rng = np.random.default_rng(0)
        z = rng.normal(size=(50, 8))
        fig = F.pair_scatter_grid(z, [(0, 1)], rng.uniform(-1, 1, (3, 8)), z[0])
        F.save_figure(fig, {str(tmp_path / "a.png")!r})
        F.save_figure(F.loss_curve([1, 0.5]), {str(tmp_path / "b.svg")!r})
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- save_figure


def test_save_figure_png_is_valid_and_byte_stable(tmp_path, z, rng):
    uniform = rng.uniform(-1, 1, (5, N))
    fig = F.pair_scatter_grid(z, [(3, 5), (0, 1)], uniform, z[0])
    first = F.save_figure(fig, tmp_path / "sub" / "a.png")
    second = F.save_figure(fig, tmp_path / "b.png")
    data = first.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert data == second.read_bytes()
    rebuilt = F.save_figure(F.pair_scatter_grid(z, [(3, 5), (0, 1)], uniform, z[0]), tmp_path / "c.png")
    assert rebuilt.read_bytes() == data
    from PIL import Image

    with Image.open(first) as image:
        width_px = image.size[0]
        dpi = image.info.get("dpi")
    assert width_px == round(fig.get_figwidth() * F.PNG_DPI)
    assert dpi is not None and round(dpi[0]) == F.PNG_DPI


def test_save_figure_ignores_the_callers_rc(tmp_path):
    reference = F.save_figure(F.loss_curve([1.0, 0.5, 0.4]), tmp_path / "ref.png").read_bytes()
    with mpl.rc_context({"font.size": 20, "lines.linewidth": 5, "savefig.bbox": "tight", "axes.facecolor": "k",
                         "savefig.dpi": 72, "xtick.labelsize": 3}):
        changed = F.save_figure(F.loss_curve([1.0, 0.5, 0.4]), tmp_path / "rc.png").read_bytes()
    assert changed == reference


def test_save_figure_svg_has_no_date_and_repeats(tmp_path):
    salt = mpl.rcParams["svg.hashsalt"]
    a = F.save_figure(F.loss_curve([1.0, 0.5, 0.4], [1.2, 0.7, 0.6]), tmp_path / "a.svg").read_bytes()
    b = F.save_figure(F.loss_curve([1.0, 0.5, 0.4], [1.2, 0.7, 0.6]), tmp_path / "b.svg").read_bytes()
    assert a.lstrip().startswith(b"<?xml") and b"<svg" in a
    assert a == b
    assert b"<dc:date>" not in a
    assert mpl.rcParams["svg.hashsalt"] == salt  # nothing global changed


def test_save_figure_rejects_other_formats(tmp_path):
    with pytest.raises(ValueError, match="png or .svg"):
        F.save_figure(F.loss_curve([1.0]), tmp_path / "a.pdf")


def test_plane_path_row_puts_the_projection_beside_one_axes_per_decode():
    import numpy as np

    from report import figures, samplers

    rng = np.random.default_rng(0)
    z = rng.normal(size=(200, 6))
    path = samplers.plane_path(z.mean(0), 1, 2, 1.0, 1.0, 5)
    decodes = (rng.random((5, 8, 8, 3)) * 255).astype(np.uint8)
    fig = figures.plane_path_row(z, path, z.mean(0), (1, 2), decodes, [str(k) for k in range(5)], [True] * 5)
    assert len(fig.axes) == 6 and fig.axes[0].get_xlabel() == "z[1]"
    assert len(figures.plane_path_row(z, path, z.mean(0), (1, 2)).axes) == 1
    with pytest.raises(ValueError):
        figures.plane_path_row(z, path, z.mean(0), (1, 2), decodes[:4])


def _frame_colours(fig):
    return [to_rgba(next(iter(ax.spines.values())).get_edgecolor()) for ax in fig.axes if ax.get_images()]


def test_judged_images_are_framed_by_verdict_with_a_legend(images, z):
    verdicts = ["clear face", "faint face", "no face", "faint face", "clear face"]
    expected = [to_rgba(F.PALETTE[key]) for key in ("face", "faint_face", "not_face", "faint_face", "face")]
    centre = z.mean(axis=0)
    path = np.linspace(centre - 1, centre + 1, 5)
    for fig in (F.image_grid(images, columns=3, faces=verdicts), F.image_strip(images, faces=verdicts),
                F.individuals(images, np.arange(5.0), faces=verdicts),
                F.judged_rows([("a", images, verdicts), ("b", images, verdicts)]),
                F.plane_path_row(z, path, centre, (3, 5), images, faces=verdicts)):
        colours = _frame_colours(fig)
        assert colours == expected * (len(colours) // len(expected))
        (legend,) = fig.legends
        assert [text.get_text() for text in legend.get_texts()] == ["clear face", "faint face", "no face"]
    assert len({tuple(to_rgba(F.PALETTE[k])) for k in ("face", "faint_face", "not_face")}) == 3


def test_bools_read_as_clear_or_no_face_and_unknown_verdicts_are_refused(images):
    fig = F.image_grid(images, columns=5, faces=[True, False, True, False, True])
    assert _frame_colours(fig) == [to_rgba(F.PALETTE["face" if k % 2 == 0 else "not_face"]) for k in range(5)]
    assert not F.image_grid(images, columns=5).legends  # nothing judged, no legend
    with pytest.raises(ValueError, match="verdict"):
        F.image_grid(images, columns=5, faces=["face"] * 5)
    with pytest.raises(ValueError, match="5 images"):
        F.image_grid(images, columns=5, faces=["no face"] * 4)


def test_verdict_shares_stack_the_three_verdicts_per_amount():
    shares = {"clear face": [0.9, 0.5, 0.1], "faint face": [0.1, 0.4, 0.6], "no face": [0.0, 0.1, 0.3]}
    fig = F.verdict_shares([("blur", [0, 1, 2], shares), ("contrast", [1, 0.5, 0.2], shares)])
    left = fig.axes[0]
    bars = list(left.patches)
    assert len(bars) == 9
    tops = [bar.get_y() + bar.get_height() for bar in bars[6:]]  # the "no face" bars sit on top
    np.testing.assert_allclose(tops, [1.0, 1.0, 1.0])
    assert [t.get_text() for t in left.get_xticklabels()] == ["0", "1", "2"]
    with pytest.raises(ValueError, match="lacks"):
        F.verdict_shares([("blur", [0, 1], {"clear face": [1, 0]})])


def test_a_path_is_drawn_above_the_origin_and_centre_markers():
    import numpy as np

    from report import figures

    rng = np.random.default_rng(1)
    z = rng.normal(size=(100, 4)) + 3.0
    centre = z.mean(0)
    path = np.outer(np.linspace(0, 1, 6), centre)  # from the origin to the centre: both ends under a marker
    for fig in (figures.path_projections(z, path, centre, [(0, 1), (2, 3)]),
                figures.plane_path_row(z, path, centre, (0, 1))):
        for ax in fig.axes:
            (line,) = [line for line in ax.lines if line.get_label() == "path"]
            markers = [c for c in ax.collections if c.get_label() in ("centre", "origin")]
            assert markers and all(line.get_zorder() > c.get_zorder() for c in markers)


def test_plane_path_row_in_principal_coordinates_names_its_axes_and_leaves_out_the_origin():
    import numpy as np

    from report import figures

    rng = np.random.default_rng(2)
    z = rng.normal(size=(100, 2))
    path = np.outer(np.linspace(-1, 1, 5), [2.0, 0.0])
    decodes = (rng.random((5, 8, 8, 3)) * 255).astype(np.uint8)
    fig = figures.plane_path_row(z, path, np.zeros(2), (0, 1), decodes, axis_labels=("PC1", "PC2"), origin=False)
    projection = fig.axes[0]
    assert (projection.get_xlabel(), projection.get_ylabel()) == ("PC1", "PC2")
    assert not [c for c in projection.collections if c.get_label() == "origin"]
    with pytest.raises(ValueError):
        figures.plane_path_row(z, path, np.zeros(2), (0, 1), axis_labels=("PC1",))
