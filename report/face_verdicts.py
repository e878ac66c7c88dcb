"""The three verdicts the face measure gives an image, in the original's words, and how they are counted.

A leaf module (no report imports), so figures, results and the scorer can share the words.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

CLEAR, FAINT, NO_FACE = "clear face", "faint face", "no face"
VERDICTS = (CLEAR, FAINT, NO_FACE)  # from best to worst
FaceVerdict = Literal["clear face", "faint face", "no face"]


def as_verdict(item) -> FaceVerdict:
    """One image's verdict from a verdict string, or from a bool (True: a clear face, False: no face)."""
    if isinstance(item, (bool, np.bool_)):
        return CLEAR if item else NO_FACE
    word = str(item)
    if word not in VERDICTS:
        raise ValueError(f"a face verdict must be one of {VERDICTS} or a bool, got {item!r}")
    return word


def clear_share(verdicts) -> float:
    """The share of clear faces among verdicts (n,) (bools: True a clear face); what the posts call the face share."""
    words = [as_verdict(item) for item in np.asarray(verdicts).ravel().tolist()]
    if not words:
        raise ValueError("clear_share: no verdicts")
    return words.count(CLEAR) / len(words)
