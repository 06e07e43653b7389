"""Generators of PostgreSQL's other types: uuid, json, network addresses, text search,
xml, points, vectors, bit strings and bytes."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from dbdesign.datagen import vocab
from dbdesign.datagen.gen_base import Gen, Unsatisfiable, copy_escape
from dbdesign.datagen.gen_text import dotted, pick


class UuidGen(Gen):
    def sample(self, rng: random.Random, n: int) -> list[Any]:
        g = rng.getrandbits
        return [_uuid_text(g(128)) for _ in range(n)]

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        g = rng.getrandbits
        mask = (1 << 48) - 1
        # an odd multiplier permutes 48-bit numbers: distinct indexes, scattered low bits
        return [
            _uuid_text((g(80) << 48) | ((k * 0x9E3779B97F4B + 0x5DEECE66D) & mask))
            for k in range(start, start + n)
        ]

    def py(self, v: Any) -> Any:
        return uuid.UUID(v)

    def sqlite(self, v: Any) -> Any:
        return v


def _uuid_text(x: int) -> str:
    h = f"{x:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class JsonGen(Gen):
    safe = False

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        w = vocab.WORDS
        return [
            {"id": int(rng.random() * 100_000), "tag": pick(rng, w), "ok": rng.random() < 0.5}
            for _ in range(n)
        ]

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        w = vocab.WORDS
        return [{"id": k, "tag": pick(rng, w)} for k in range(start, start + n)]

    def text(self, v: Any) -> str:
        return copy_escape(json.dumps(v))

    def sqlite(self, v: Any) -> Any:
        return json.dumps(v)


class StrGen(Gen):
    """Values made by a function of (rng, k) whose text needs no escaping (inet, macaddr ...)."""

    def __init__(self, make: Callable[[random.Random, int | None], str], cap: int | None) -> None:
        self.make = make
        self.cap = cap

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        m = self.make
        return [m(rng, None) for _ in range(n)]

    def capacity(self) -> int | None:
        return self.cap

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        if self.cap is not None and total > self.cap:
            raise Unsatisfiable(f"only {self.cap} distinct values")
        m = self.make
        return [m(rng, k) for k in range(start, start + n)]


def inet(rng: random.Random, k: int | None) -> str:
    return dotted(0x0A000000 + (k if k is not None else rng.getrandbits(24)))


def cidr(rng: random.Random, k: int | None) -> str:
    n = k if k is not None else rng.getrandbits(16)
    return f"10.{(n >> 8) & 255}.{n & 255}.0/24"


def mac(rng: random.Random, k: int | None) -> str:
    n = k if k is not None else rng.getrandbits(40)
    return ":".join(f"{b:02x}" for b in (0x02 << 40 | n).to_bytes(6, "big"))


def mac8(rng: random.Random, k: int | None) -> str:
    n = k if k is not None else rng.getrandbits(56)
    return ":".join(f"{b:02x}" for b in (0x02 << 56 | n).to_bytes(8, "big"))


def tsvector(rng: random.Random, k: int | None) -> str:
    s = " ".join(pick(rng, vocab.WORDS) for _ in range(3))
    return s if k is None else f"{s} k{k}"


def tsquery(rng: random.Random, k: int | None) -> str:
    s = f"{pick(rng, vocab.WORDS)} & {pick(rng, vocab.WORDS)}"
    return s if k is None else f"{s} & k{k}"


def xml(rng: random.Random, k: int | None) -> str:
    return f"<item>{pick(rng, vocab.WORDS)}{'' if k is None else k}</item>"


def point(rng: random.Random, k: int | None) -> str:
    if k is not None:
        return f"({k},{int(rng.random() * 1000)})"
    return f"({round(rng.random() * 360 - 180, 4)},{round(rng.random() * 180 - 90, 4)})"


class VectorGen(Gen):
    """pgvector's text form, ``[0.1234,-0.0567,...]``: unit vectors of ``dim`` numbers lying
    in clusters around a few dozen centres, as embeddings of similar things do (uniform
    random vectors in many dimensions are all about equally far apart, which no index search
    meets in production). The centres depend on ``dim`` alone, so every chunk and every run
    with the same seed shares them; values are distinct with certainty in practice."""

    CLUSTERS = 64
    SPREAD = 0.35  # the noise around a centre, per dimension, relative to the centre's

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._centres: Any = None

    def vectors(self, rng: random.Random, n: int) -> Any:
        """``n`` unit vectors as a numpy array (n, dim)."""
        import numpy as np

        if self._centres is None:
            self._centres = np.random.default_rng(self.dim).standard_normal(
                (self.CLUSTERS, self.dim)
            )
        g = np.random.default_rng(rng.getrandbits(63))
        v = self._centres[g.integers(0, self.CLUSTERS, n)]
        v = v + self.SPREAD * g.standard_normal((n, self.dim))
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        return v / np.where(norms == 0, 1, norms)

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        rows = self.vectors(rng, n).tolist()
        return ["[" + ",".join(f"{x:.4f}" for x in row) + "]" for row in rows]

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return self.sample(rng, n)


def char1(rng: random.Random, k: int | None) -> str:
    return chr(97 + (k if k is not None else int(rng.random() * 26)) % 26)


class BitGen(Gen):
    def __init__(self, length: int | None, fixed: bool) -> None:
        self.length = length or 8
        self.fixed = fixed

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        g, width = rng.getrandbits, self.length
        if self.fixed:
            return [f"{g(width):0{width}b}" for _ in range(n)]
        return [f"{g(width):0{width}b}"[: 1 + int(rng.random() * width)] for _ in range(n)]

    def capacity(self) -> int | None:
        return 2**self.length if self.length < 60 else None

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        width = self.length
        if width < 60 and total > 2**width:
            raise Unsatisfiable(f"only {2**width} distinct bit strings")
        return [f"{k:0{width}b}" for k in range(start, start + n)]


class ByteaGen(Gen):
    """Random bytes: 8 of them, or ``size`` (MySQL's ``binary(16)`` gets 16, ``varbinary(4)``
    at most 4)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        g, size = rng.getrandbits, self.size
        return [g(8 * size).to_bytes(size, "big") for _ in range(n)]

    def capacity(self) -> int | None:
        return 256**self.size if self.size < 8 else None

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        size = self.size
        if size < 8 and total > 256**size:
            raise Unsatisfiable(f"only {256**size} distinct values of {size} bytes")
        return [k.to_bytes(size, "big") for k in range(start, start + n)]

    def text(self, v: Any) -> str:
        return "\\\\x" + str(v.hex())
