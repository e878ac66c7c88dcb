"""The original series' published numbers (CelebA, N = 256), set beside this run's on the comparison page.

Quoted from the posts: the original's numbers, not ours. Only
keys whose meaning matches one of our key statistics are listed; the original's half widths are
left out because it did not say whether they were full or half widths at half maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTHOR = "eremo"  # the name the blog posts are signed with ("Posted on ... by eremo")
BLOG = "linux-blog.anracom.com"
SERIES = "Autoencoders and latent space fragmentation"
ADDRESS = ("https://linux-blog.anracom.com/2023/03/20/"
           "autoencoders-and-latent-space-fragmentation-i-encoder-decoder-latent-space/")  # post I, 2023-03-20
PUBLISHED = "March–June 2023"
CITATION = f"{AUTHOR}: “{SERIES}”, posts I–X, {BLOG}, {PUBLISHED}"


@dataclass(frozen=True)
class Published:
    value: float
    where: str  # the post that printed it


ORIGINAL_KEY_STATS: dict[str, Published] = {
    "data.n_images": Published(170_000, "III: 170,000 images encoded"),
    "distributions.z_dim": Published(256, "I-X: z_dim N = 256"),
    "distributions.n_points": Published(170_000, "III: latent vectors of 170,000 images"),
    "distributions.matching_b": Published(1.5, "II: radii match only for 1 < b < 2, best b = 1.5"),
    "distributions.n_dominant": Published(20, "III: table of 20 dominant components"),
    "distributions.max_abs_mean": Published(2.25, "III: component 118, mean 2.25"),
    "correlations.pairs_above.0.1": Published(1456, "III, M = 5,000"),
    "correlations.pairs_above.0.2": Published(158, "III, M = 5,000"),
    "correlations.pairs_above.0.3": Published(44, "III, M = 5,000"),
    "correlations.pairs_above.0.4": Published(25, "III, M = 5,000"),
    "correlations.pairs_above.0.5": Published(16, "III, M = 5,000"),
    "correlations.pairs_above.0.6": Published(8, "III, M = 5,000"),
    "correlations.max_abs_r": Published(0.846, "III: (177, 242), r = -0.846"),
}


def original_value(key: str) -> float | None:
    """The original's published value of a key statistic, or None where it published none."""
    found = ORIGINAL_KEY_STATS.get(key)
    return None if found is None else found.value
