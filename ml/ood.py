"""Out-of-distribution score: Mahalanobis distance on pooled penultimate features.

The shared (tied) within-class covariance is modelled as low-rank plus isotropic noise
(probabilistic PCA): Sigma = V diag(lambda) V^T + sigma2 * I. Then for class mean mu_c

    d2_c(x) = sum_i (v_i . (x - mu_c))^2 / lambda_i + ||residual||^2 / sigma2

and the score is min_c d2_c(x) (divided by the feature dimension so it reads near 1 for
lesion photos). Parameters are a few MB, computation is one small matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class MahalanobisOOD:
    means: np.ndarray  # (classes, D)
    components: np.ndarray  # (D, r) orthonormal
    eigenvalues: np.ndarray  # (r,)
    noise: float  # sigma2
    threshold: float = float("inf")

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, rank: int = 256) -> MahalanobisOOD:
        features = features.astype(np.float64)
        classes = np.unique(labels)
        means = np.stack([features[labels == c].mean(axis=0) for c in classes])
        centred = features - means[np.searchsorted(classes, labels)]
        cov = centred.T @ centred / len(features)
        eigvals, eigvecs = np.linalg.eigh(cov)
        order = np.argsort(eigvals)[::-1]
        eigvals, eigvecs = eigvals[order], eigvecs[:, order]
        dim = features.shape[1]
        noise = float(eigvals[rank:].mean()) if rank < dim else float(eigvals[-1])
        noise = max(noise, 1e-6)
        return cls(
            means=means.astype(np.float32),
            components=eigvecs[:, :rank].astype(np.float32),
            eigenvalues=np.maximum(eigvals[:rank], noise).astype(np.float32),
            noise=noise,
        )

    def score(self, features: np.ndarray) -> np.ndarray:
        """features (N, D) -> (N,) score; larger means further from every lesion class."""
        feats = np.atleast_2d(features).astype(np.float32)
        diffs = feats[:, None, :] - self.means[None, :, :]  # (N, C, D)
        proj = diffs @ self.components  # (N, C, r)
        in_span = (proj**2 / self.eigenvalues).sum(axis=-1)
        residual = (diffs**2).sum(axis=-1) - (proj**2).sum(axis=-1)
        d2 = in_span + np.maximum(residual, 0.0) / self.noise
        scores: np.ndarray = (d2.min(axis=1) / feats.shape[1]).astype(np.float64)
        return scores

    def save(self, path: str | Path) -> None:
        np.savez(
            path,
            means=self.means,
            components=self.components.astype(np.float16),
            eigenvalues=self.eigenvalues,
            noise=np.float32(self.noise),
            threshold=np.float64(self.threshold),
        )

    @classmethod
    def load(cls, path: str | Path) -> MahalanobisOOD:
        with np.load(path) as data:
            return cls(
                means=data["means"].astype(np.float32),
                components=data["components"].astype(np.float32),
                eigenvalues=data["eigenvalues"].astype(np.float32),
                noise=float(data["noise"]),
                threshold=float(data["threshold"]),
            )
