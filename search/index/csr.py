"""Compressed rows (CSR): many variable-length rows stored end to end with an offset each.

Facet ordinals per document, positions per posting and stored bytes per document are
all kept this way; reading a selection of rows is one vectorised gather.
"""

from __future__ import annotations

import numpy as np


def gather_index(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Indexes of ``starts[i]:starts[i] + sizes[i]`` for every ``i``, end to end."""
    starts, sizes = np.asarray(starts, np.int64), np.asarray(sizes, np.int64)
    total = int(sizes.sum())
    return np.arange(total, dtype=np.int64) + np.repeat(starts - np.cumsum(sizes) + sizes, sizes)


def row_starts(sizes: np.ndarray) -> np.ndarray:
    """Where each row starts when rows of ``sizes`` are stored end to end (int64)."""
    starts = np.zeros(len(sizes), np.int64)
    if len(sizes) > 1:
        np.cumsum(sizes[:-1], out=starts[1:])
    return starts
