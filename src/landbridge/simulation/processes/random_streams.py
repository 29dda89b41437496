"""Seeded random streams, one per process family, so adding draws in one place leaves the others alone."""

from __future__ import annotations

import math
import random


class Streams:
    """Independent ``random.Random`` streams derived from one seed and a stream name."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def __getitem__(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            # str seeds are hashed with SHA-512 by random.seed(version=2): stable across runs and processes
            stream = random.Random(f"landbridge:{self.seed}:{name}")
            self._streams[name] = stream
        return stream


def gamma_with_mean(rng: random.Random, mean: float, cv: float) -> float:
    """A gamma draw with this mean and coefficient of variation (cv 0 = the mean itself)."""
    if cv <= 0 or mean <= 0:
        return mean
    shape = 1.0 / (cv * cv)
    return rng.gammavariate(shape, mean / shape)


def lognormal_with_mean(rng: random.Random, mean: float, cv: float) -> float:
    """A lognormal draw with this mean and coefficient of variation."""
    if cv <= 0:
        return mean
    sigma2 = math.log(1 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


_Z90 = 1.2815515655446004


def split_lognormal_factor(rng: random.Random, p10: float, p50: float, p90: float) -> float:
    """A multiplier of the median (P50) whose P10 and P90 match the route's spread."""
    z = rng.gauss(0.0, 1.0)
    sigma = math.log(p50 / p10) / _Z90 if z < 0 else math.log(p90 / p50) / _Z90
    return math.exp(sigma * z)
