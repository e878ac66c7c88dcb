"""The origin's place (posts I, IV, VI, IX): one measurement, one verdict, checked against analytic truth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from report.params import OriginSlicesParams
from report.stats.origin import origin_place, origin_verdict
from report.stats.principal import principal_axes, whitening

THRESHOLDS = dict(border_share=0.01, outer_share=0.2, core_share=0.5)


def _cloud(mean, sds, n=40000, seed=3):
    """A normal cloud with independent axes of standard deviations `sds`, centred at `mean`."""
    rng = np.random.default_rng(seed)
    z = mean + rng.standard_normal((n, len(sds))) * sds
    axes = principal_axes(z.mean(axis=0), np.cov(z, rowvar=False))
    return z, whitening(axes)


def test_far_along_one_axis_yet_inside_by_mahalanobis_distance():
    # 16 axes; the centre sits 5 standard deviations out along the thinnest axis only
    sds = np.linspace(2.0, 0.5, 16)
    mean = np.zeros(16)
    mean[-1] = 5 * sds[-1]
    z, whiten = _cloud(mean, sds)
    place = origin_place(z, whiten, percentile=99.0)
    assert place["origin"] == pytest.approx(5.0, rel=0.02)
    # the z-points' squared distances follow chi-square(16): the share beyond 5 is its survival function at 25
    assert place["share_farther"] == pytest.approx(sps.chi2.sf(25.0, 16), abs=0.01)
    assert place["data_mean"] == pytest.approx(sps.chi(16).mean(), rel=0.01)
    assert place["data_upper"] == pytest.approx(sps.chi(16).ppf(0.99), rel=0.02)
    assert place["axis"] == 15 and place["axis_sigmas"] == pytest.approx(-5.0, rel=0.02)
    # along that axis alone a normal reaches 5 sigmas almost never
    assert place["axis_share_farther"] == pytest.approx(2 * sps.norm.sf(5.0), abs=2e-4)
    assert origin_verdict(place["share_farther"], **THRESHOLDS) == "outer"


def test_a_centred_cloud_has_the_origin_in_its_core_and_a_far_one_beyond():
    sds = np.ones(8)
    z, whiten = _cloud(np.zeros(8), sds)
    assert origin_verdict(origin_place(z, whiten)["share_farther"], **THRESHOLDS) == "core"
    z, whiten = _cloud(np.full(8, 10.0), sds)
    place = origin_place(z, whiten)
    assert place["share_farther"] == 0.0 and origin_verdict(0.0, **THRESHOLDS) == "beyond"


@pytest.mark.parametrize("share, verdict", [(0.0, "beyond"), (0.005, "border"), (0.01, "outer"), (0.19, "outer"),
                                            (0.2, "inside"), (0.49, "inside"), (0.5, "core"), (1.0, "core")])
def test_verdict_thresholds(share, verdict):
    assert origin_verdict(share, **THRESHOLDS) == verdict


def test_thresholds_must_ascend():
    with pytest.raises(ValueError):
        origin_verdict(0.1, border_share=0.2, outer_share=0.1, core_share=0.5)
    with pytest.raises(ValueError):
        OriginSlicesParams(origin_border_share=0.3, origin_outer_share=0.2)
