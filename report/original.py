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

# The original's set-up (post I states filters and epochs; post III the 170,000 encoded images).
DATA = "CelebA"
IMAGE_SIZE = 96  # pixels per side
Z_DIM = 256  # latent dimension N
N_IMAGES = 170_000  # images trained on and encoded
ENCODER_FILTERS = (64, 64, 128, 128)
DECODER_FILTERS = (128, 128, 64, 64)
EPOCHS = 24

# Post II: uniform vectors match the encoded images' lengths only for 1 < b < 2, best at b = 1.5.
MATCHING_B = 1.5
N_DOMINANT = 20  # post III's table of dominant components
MAX_ABS_MEAN = 2.25  # ... component 118, the largest |mean|

# Post III: correlations on a random sample of M = 5,000 vectors; pairs with |r| above each threshold.
CORRELATION_SAMPLE = 5000
PAIRS_ABOVE: dict[str, int] = {"0.1": 1456, "0.2": 158, "0.3": 44, "0.4": 25, "0.5": 16, "0.6": 8}
PAIR_THRESHOLD = 0.5  # it listed its pairs above this |r| (16 of them)
MAX_ABS_R = 0.846  # (177, 242), r = -0.846
WIDE_B = 4.0  # the wide uniform b of its pair scatters
# Its slice filter (|x_j| < 2.0 for all j but 177 and 195, on its 5,000 vectors): stage, vectors kept.
SLICE_STAGES: tuple[tuple[str, int], ...] = (("start", 5000), ("0-176", 101), ("178-194", 80), ("196-255", 60))

# Post IV: slices |z_k| < t around planes of two components, with uniform vectors for b = MATCHING_B.
SLICE_HALF_WIDTH = 1.5  # t
# pair, kept of 5,000, kept of 80,000 ("" = not given)
SLICES: tuple[tuple[str, str, str], ...] = (("first (unnamed)", "2", "56"), ("(177, 242)", "1", "39"),
                                            ("(30, 118)", "", "~70"), ("(118, 156)", "some overlap", ""))


@dataclass(frozen=True)
class Original:
    """The original series as the templates see it (`original.<name>`): who wrote it, where, and its set-up."""

    author: str = AUTHOR
    blog: str = BLOG
    series: str = SERIES
    address: str = ADDRESS
    published: str = PUBLISHED
    citation: str = CITATION
    data: str = DATA
    image_size: int = IMAGE_SIZE
    z_dim: int = Z_DIM
    n_images: int = N_IMAGES
    matching_b: float = MATCHING_B
    wide_b: float = WIDE_B
    n_dominant: int = N_DOMINANT
    correlation_sample: int = CORRELATION_SAMPLE
    pair_threshold: float = PAIR_THRESHOLD
    n_pairs_listed: int = PAIRS_ABOVE[f"{PAIR_THRESHOLD:g}"]  # the pairs it listed above pair_threshold
    slice_filter_kept: tuple[int, ...] = tuple(kept for _, kept in SLICE_STAGES)  # vectors left, stage by stage
    slice_half_width: float = SLICE_HALF_WIDTH


ORIGINAL = Original()


@dataclass(frozen=True)
class Published:
    value: float
    where: str  # the post that printed it


ORIGINAL_KEY_STATS: dict[str, Published] = {
    "data.n_images": Published(N_IMAGES, "III: 170,000 images encoded"),
    "distributions.z_dim": Published(Z_DIM, "I-X: z_dim N = 256"),
    "distributions.n_points": Published(N_IMAGES, "III: latent vectors of 170,000 images"),
    "distributions.matching_b": Published(MATCHING_B, "II: radii match only for 1 < b < 2, best b = 1.5"),
    "distributions.n_dominant": Published(N_DOMINANT, "III: table of 20 dominant components"),
    "distributions.max_abs_mean": Published(MAX_ABS_MEAN, "III: component 118, mean 2.25"),
    **{f"correlations.pairs_above.{key}": Published(count, "III, M = 5,000") for key, count in PAIRS_ABOVE.items()},
    "correlations.max_abs_r": Published(MAX_ABS_R, "III: (177, 242), r = -0.846"),
}


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
