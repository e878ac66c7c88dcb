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


@dataclass(frozen=True)
class Claim:
    """The original's conclusion of one post, as a reader can check it.

    `words` is either the original's own sentence (`quoted`: printed in quotation marks) or, where
    only the opening of a post survives, the conclusion as later posts sum it up (not quoted).
    """

    words: str
    where: str  # where the words stand
    quoted: bool


# Each post's conclusion, keyed by the page it closes ("post-1" ... "post-10", "scoreboard"). The
# quoted words are copied from the posts; the others are the summaries of later posts, not the
# original's wording.
CLAIMS: dict[str, Claim] = {
    "post-1": Claim("So far I have demonstrated that randomly generated vectors most often do not hit the relevant "
                    "regions in the AE’s latent space – if we do not take some data specific precautions.",
                    "post VI, summing up posts I–V", True),
    "post-2": Claim("We saw that the radii of the artificial vectors only match those of CelebA vectors if we choose "
                    "1.0 < b < 2.0. An optimal value appeared to be b = 1.5.",
                    "post IV, summing up post II", True),
    "post-3": Claim("The values for some of the components of the latent vectors which a trained convolutional AE’s "
                    "Encoder creates for CelebA images are correlated.",
                    "post III, conclusion", True),
    "post-4": Claim("A closer look, however, showed us that the origin of the latent space resides within a "
                    "border-region of the ellipsoidal bulk of the multi-dimensional CelebA z-point distribution. Only very few CelebA z-points are found in this "
                    "border region and within slices close to selected coordinate planes.",
                    "post IV, conclusion", True),
    "post-5": Claim("I will show that the results of such reconstruction efforts are indeed frustrating.",
                    "post IV, announcing post V, which survives only in its opening", True),
    "post-6": Claim("Some of the paths were explicitly kept within the inner core regions of the z-point-distribution "
                    "for CelebA images. From these z-points the most important face features were clearly "
                    "reconstructed.",
                    "post VI, conclusion", True),
    "post-7": Claim("Some images are OK, but others show disturbances and the contrasts of the face against the "
                    "background are not well defined – even for small factors fact.",
                    "post VII, on its grids", True),
    "post-8": Claim("the z-points are distributed approximately as a multivariate normal: Gaussian histograms per "
                    "component, and tilted elliptic contours in the planes of correlated components",
                    "the summaries in posts IX and X (post VIII survives only in its opening)", False),
    "post-9": Claim("in the frame of the covariance's eigenvectors the coordinates are uncorrelated and Gaussian, and "
                    "the confidence ellipses are centred and axis-aligned",
                    "the opening of post IX and the summary in post X", False),
    "post-10": Claim("vectors drawn inside centred, axis-aligned ellipses of the principal frame and mapped back by an "
                     "invertible affine map give latent vectors that decode to faces",
                     "the opening of post X and the start of its method", False),
    "scoreboard": Claim("This blog shows that we do not need a Variational Autoencoder to produce images with "
                        "recognizable human faces from statistical latent vectors.",
                        "post VI, conclusion", True),
}
