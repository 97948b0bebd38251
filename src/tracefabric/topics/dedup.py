"""Duplicate topics: normalised exact repeats and near-duplicates (token-set Jaccard).

"Error handling in Python" and "Python error handling" have the same token set, so they
are duplicates at any threshold; "Python lists" vs "Python lists and tuples" scores 2/3.

`DuplicateIndex` answers "which stored topics is this one a duplicate of?" exactly (no
false negatives, unlike MinHash) without comparing against everything: a set B with
Jaccard(A, B) >= t shares at least ceil(t*|A|) tokens with A, so it holds one of ANY
|A| - ceil(t*|A|) + 1 tokens of A (the all-pairs "prefix filter"). The query probes that
many of its rarest tokens in an inverted index, then verifies the candidates.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·]+|\(?\d{1,3}[.)\]:]|\(?[a-z]\))\s+", re.IGNORECASE)

_STOPWORD_TEXT = (
    "a an and the of in on for to with by from at as or vs versus via into its their your using use "
    "how what when why which about"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def normalize(text: str) -> str:
    """Casefolded words separated by single spaces (punctuation and accents width-normalised)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def exact_key(text: str) -> str:
    """Equal for exact duplicates: normalised, spaces dropped ("File system" = "Filesystem")."""
    return normalize(text).replace(" ", "")


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def tokens(text: str) -> frozenset[str]:
    """Content words, singularised; falls back to all words when only stopwords remain."""
    words = normalize(text).split()
    content = [_singular(w) for w in words if w not in STOPWORDS]
    return frozenset(content or words)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def clean_topic(text: str, max_chars: int = 200) -> str:
    """A model's list item as a topic name: no bullets, numbering, quotes or trailing dot."""
    text = " ".join(str(text).split())
    text = _LIST_MARKER.sub("", text)
    text = text.strip(" \"'`*").rstrip(".;:,").strip()
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0]
    return text


@dataclass(frozen=True)
class Match:
    key: Hashable
    score: float  # token-set Jaccard; 1.0 for exact duplicates
    exact: bool  # same text once normalised (see exact_key)


class DuplicateIndex:
    """Topics stored under keys; `matches(text)` lists the duplicates of `text`."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._exact: dict[str, set[Hashable]] = {}
        self._sets: dict[Hashable, frozenset[str]] = {}
        self._postings: dict[str, set[Hashable]] = {}  # token → keys of every set holding it

    def __len__(self) -> int:
        return len(self._sets)

    def _probe_count(self, size: int) -> int:
        """How many query tokens to probe so that no match with Jaccard >= t is missed."""
        needed = math.ceil(self.threshold * size - 1e-9)  # a match shares at least this many
        return max(1, size - needed + 1)

    def add(self, key: Hashable, text: str) -> None:
        token_set = tokens(text)
        self._exact.setdefault(exact_key(text), set()).add(key)
        self._sets[key] = token_set
        for token in token_set:
            self._postings.setdefault(token, set()).add(key)

    def tokens_of(self, key: Hashable) -> frozenset[str]:
        return self._sets.get(key, frozenset())

    def remove(self, key: Hashable, text: str) -> None:
        token_set = self._sets.pop(key, None)
        if token_set is None:
            return
        self._exact.get(exact_key(text), set()).discard(key)
        for token in token_set:
            self._postings.get(token, set()).discard(key)

    def matches(self, text: str) -> list[Match]:
        """Stored topics that `text` duplicates, best first (exact ones first)."""
        exact = set(self._exact.get(exact_key(text), ()))
        found: dict[Hashable, float] = dict.fromkeys(exact, 1.0)
        query = tokens(text)
        size = len(query)
        low, high = self.threshold * size - 1e-9, size / self.threshold + 1e-9
        # Any `probe` tokens of the query meet every match (pigeonhole); the rarest are cheapest.
        rarest = sorted(query, key=lambda t: len(self._postings.get(t, ())))
        for token in rarest[: self._probe_count(size)]:
            for key in self._postings.get(token, ()):
                if key in found:
                    continue
                other = self._sets[key]
                if low <= len(other) <= high:  # size filter: |B| outside it cannot reach t
                    score = jaccard(query, other)
                    if score >= self.threshold - 1e-12:
                        found[key] = score
        ranked = sorted(found.items(), key=lambda kv: (kv[0] not in exact, -kv[1]))
        return [Match(key, score, key in exact) for key, score in ranked]


def is_duplicate(a: str, b: str, threshold: float) -> bool:
    return exact_key(a) == exact_key(b) or jaccard(tokens(a), tokens(b)) >= threshold - 1e-12
