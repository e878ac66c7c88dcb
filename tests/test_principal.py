"""Principal axes (post IX) and the principal-frame samplers (post X) against analytic truth."""

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import chi

from report.stats import normal_fit as nf
from report.stats import principal as pc


def _known_cloud(eigenvalues, n, seed):
    """Points from N(mu, Q diag(eigenvalues) Q^T) with a random rotation Q; returns z, mu, cov, Q."""
    rng = np.random.default_rng(seed)
    dim = len(eigenvalues)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    cov = (q * eigenvalues) @ q.T
    mu = rng.normal(size=dim)
    z = mu + (rng.standard_normal((n, dim)) * np.sqrt(eigenvalues)) @ q.T
    return z.astype(np.float32), mu, cov, q


def test_principal_axes_are_descending_and_rebuild_the_covariance():
    _, mu, cov, q = _known_cloud(np.array([6.0, 3.0, 2.0, 0.5, 0.1]), 10, 0)
    axes = pc.principal_axes(mu, cov)
    np.testing.assert_allclose(axes.eigenvalues, [6.0, 3.0, 2.0, 0.5, 0.1], rtol=1e-12)
    np.testing.assert_allclose((axes.eigenvectors * axes.eigenvalues) @ axes.eigenvectors.T, cov, atol=1e-12)
    # each axis is the known one up to sign, and the sign puts the largest entry positive
    np.testing.assert_allclose(np.abs(axes.eigenvectors.T @ q), np.eye(5), atol=1e-10)
    biggest = axes.eigenvectors[np.abs(axes.eigenvectors).argmax(axis=0), np.arange(5)]
    assert (biggest > 0).all()


def test_components_for_counts_a_share_reached_exactly():
    # shares 0.5, 0.3, 0.1, 0.05, 0.05 -> cumulative 0.5, 0.8, 0.9, 0.95, 1.0
    eigenvalues = np.array([5.0, 3.0, 1.0, 0.5, 0.5])
    ratio, cumulative = pc.explained_variance(eigenvalues)
    np.testing.assert_allclose(ratio, [0.5, 0.3, 0.1, 0.05, 0.05])
    np.testing.assert_allclose(cumulative[-1], 1.0)
    assert pc.components_for(eigenvalues, (0.5, 0.85, 0.9, 0.99)) == {"0.5": 1, "0.85": 3, "0.9": 3, "0.99": 5}


def test_principal_coordinates_match_a_slow_loop_and_are_uncorrelated():
    eigenvalues = np.array([4.0, 2.0, 1.0, 0.25])
    z, mu, cov, _ = _known_cloud(eigenvalues, 20_000, 1)
    axes = pc.principal_axes(mu, cov)
    coords = pc.principal_coordinates(z, axes, chunk_rows=777)
    slow = np.array([[float(np.dot(row - mu, axes.eigenvectors[:, k])) for k in range(4)] for row in z[:50]])
    np.testing.assert_allclose(coords[:50], slow, rtol=1e-5, atol=1e-5)
    c = np.cov(coords, rowvar=False)
    np.testing.assert_allclose(np.diag(c), eigenvalues, rtol=0.05)
    assert np.abs(c - np.diag(np.diag(c))).max() < 0.05
    assert pc.principal_coordinates(z, axes, n_axes=2).shape == (20_000, 2)


def test_origin_in_frame_is_minus_the_rotated_mean():
    z, mu, cov, _ = _known_cloud(np.array([4.0, 1.0, 0.5]), 5000, 2)
    axes = pc.principal_axes(mu, cov)
    whiten = pc.whitening(axes)
    d = np.sqrt(nf.mahalanobis_sq(z, whiten))
    pos = pc.origin_in_frame(whiten, axes, d)
    np.testing.assert_allclose(pos["coordinates"], -(axes.eigenvectors.T @ mu), atol=1e-12)
    expected = np.sqrt(mu @ np.linalg.solve(cov, mu))
    assert pos["mahalanobis"] == pytest.approx(expected, rel=1e-9)
    assert pos["share_farther"] == pytest.approx(np.mean(d > expected))
    assert pos["euclidean"] == pytest.approx(np.linalg.norm(mu))
    top = pos["top_axes"][0]
    assert abs(top["sigmas"]) == pytest.approx(np.max(np.abs(pos["coordinates"]) / np.sqrt(axes.eigenvalues)))


def test_origin_in_frame_lists_only_the_directions_the_regularisation_keeps():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(30, 8)) + 2.0  # fewer points than components: zero eigenvalues
    z = np.hstack([z, z[:, :24]])
    mean, cov = nf.mean_and_covariance(z)
    axes = pc.principal_axes(mean, cov)
    whiten = pc.whitening(axes)
    assert whiten.n_regularised > 0
    pos = pc.origin_in_frame(whiten, axes, n_top=40)
    assert len(pos["top_axes"]) == whiten.scales.size and all(np.isfinite(t["sigmas"]) for t in pos["top_axes"])
    assert max(t["axis"] for t in pos["top_axes"]) < whiten.scales.size
    assert pos["mahalanobis"] == pytest.approx(np.sqrt(sum(t["sigmas"] ** 2 for t in pos["top_axes"])))


def test_whitening_drops_or_floors_an_empty_direction():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4000, 5))
    x = np.hstack([x, x[:, :1]])  # a duplicated component: the covariance is singular
    mean, cov = nf.mean_and_covariance(x)
    axes = pc.principal_axes(mean, cov)
    drop = pc.whitening(axes, rule="drop")
    floor = pc.whitening(axes, rule="floor", relative_floor=1e-6)
    assert drop.summary() == {"rule": "drop", "relative_floor": 1e-6, "n_regularised": 1, "dof": 5}
    assert floor.dof == 6 and floor.n_regularised == 1
    d2 = nf.mahalanobis_sq(x, drop)
    assert np.isfinite(d2).all()
    assert d2.mean() == pytest.approx(5.0, rel=0.01)  # chi-square(5) mean, exactly 5 * (n-1)/n
    # the residual along the empty direction is round-off, so flooring it changes nothing visible
    np.testing.assert_allclose(nf.mahalanobis_sq(x, floor), d2, atol=1e-6)
    with pytest.raises(ValueError, match="rule"):
        pc.whitening(axes, rule="clip")


def test_sample_principal_has_the_cloud_covariance_and_m_axes_leave_the_rest_at_zero():
    eigenvalues = np.array([5.0, 2.0, 1.0, 0.3])
    _, mu, cov, _ = _known_cloud(eigenvalues, 10, 4)
    axes = pc.principal_axes(mu, cov)
    z = pc.sample_principal(axes, 40_000, np.random.default_rng(5))
    np.testing.assert_allclose(z.mean(axis=0), mu, atol=0.05)
    np.testing.assert_allclose(np.cov(z, rowvar=False), cov, atol=0.1)
    z2 = pc.sample_principal(axes, 40_000, np.random.default_rng(6), n_axes=2)
    coords = (z2 - mu) @ axes.eigenvectors
    np.testing.assert_allclose(coords[:, 2:], 0.0, atol=1e-9)
    np.testing.assert_allclose(coords[:, :2].var(axis=0), eigenvalues[:2], rtol=0.03)


def _truncated_chi_mean(dof, low, high):
    f = chi(dof).pdf
    return integrate.quad(lambda r: r * f(r), low, high)[0] / integrate.quad(f, low, high)[0]


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (3.5, 4.5), (5.0, np.inf)])
def test_shell_samples_lie_in_their_shell_with_chi_radii(low, high):
    eigenvalues = np.geomspace(9.0, 0.2, 16)
    _, mu, cov, _ = _known_cloud(eigenvalues, 10, 7)
    whiten = pc.whitening(pc.principal_axes(mu, cov))
    z = pc.sample_shell(whiten, 20_000, np.random.default_rng(8), r_low=low, r_high=high)
    r = np.sqrt(nf.mahalanobis_sq(z, whiten))
    assert r.min() >= low - 1e-9 and r.max() < high
    assert r.mean() == pytest.approx(_truncated_chi_mean(16, low, high), abs=0.01)
    # the direction is uniform in the whitened frame, so the covariance is the cloud's, scaled
    scaled = cov * np.mean(r**2) / 16
    assert np.abs(np.cov(z, rowvar=False) - scaled).max() < 0.05 * np.abs(scaled).max()


def test_shell_deep_inside_256_dimensions_is_sampled_where_the_chi_cdf_underflows():
    axes = pc.principal_axes(np.zeros(256), np.eye(256))
    whiten = pc.whitening(axes)
    z = pc.sample_shell(whiten, 2000, np.random.default_rng(9), r_low=0.0, r_high=8.0)
    r = np.linalg.norm(z, axis=1)
    assert r.max() < 8.0
    # density ~ r^255 exp(-r^2/2) on [0, 8), piled up against 8; its CDF at 8 is ~1e-37
    assert chi(256).cdf(8.0) < 1e-30
    assert r.mean() == pytest.approx(_truncated_chi_mean(256, 0.0, 8.0), abs=0.005)
    assert r.mean() < 7.99


def test_uniform_radius_is_flat_in_the_shell():
    axes = pc.principal_axes(np.ones(8), np.diag(np.arange(1.0, 9.0)))
    whiten = pc.whitening(axes)
    z = pc.sample_shell(whiten, 20_000, np.random.default_rng(10), r_low=1.0, r_high=3.0, radius="uniform")
    r = np.sqrt(nf.mahalanobis_sq(z, whiten))
    assert r.mean() == pytest.approx(2.0, abs=0.02)
    assert np.histogram(r, bins=4, range=(1, 3))[0].min() > 4600
    with pytest.raises(ValueError, match="finite"):
        pc.sample_shell(whiten, 10, np.random.default_rng(0), r_low=1.0, r_high=np.inf, radius="uniform")


def test_regularisation_summary_states_the_eigenvalue_spread_and_float32_distances_match():
    rng = np.random.default_rng(5)
    variances = np.array([4.0, 1.0, 0.25, 1e-8])  # the last far below 1e-6 x the largest
    x = rng.normal(size=(20000, 4)) * np.sqrt(variances)
    axes = pc.principal_axes(np.zeros(4), np.diag(variances))
    whiten = pc.whitening(axes, rule="drop")
    summary = pc.regularisation_summary(whiten, axes)
    assert summary["n_regularised"] == 1 and summary["dof"] == 3
    assert summary["largest_eigenvalue"] == pytest.approx(4.0) and summary["smallest_eigenvalue"] == pytest.approx(1e-8)
    assert summary["condition"] == pytest.approx(4e8)
    singular = pc.principal_axes(np.zeros(2), np.diag([1.0, 0.0]))
    assert pc.regularisation_summary(pc.whitening(singular), singular)["condition"] is None
    d = pc.mahalanobis(x, whiten)
    np.testing.assert_allclose(d, np.sqrt(pc.mahalanobis_sq(x, whiten)), rtol=1e-5)
    # in the three kept directions the squared distances follow chi-square(3): mean 3
    assert (d**2).mean() == pytest.approx(3.0, rel=0.03)
