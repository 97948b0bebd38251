"""Duplicate detection: normalisation, token sets, and an index that misses nothing."""

from __future__ import annotations

import random

import pytest

from tracefabric.topics.dedup import (
    DuplicateIndex,
    clean_topic,
    exact_key,
    is_duplicate,
    jaccard,
    normalize,
    tokens,
)


def test_normalisation_and_tokens() -> None:
    assert normalize("  Error-Handling  in PYTHON! ") == "error handling in python"
    assert normalize("Ｆｕｌｌ　width") == "full width"
    assert (
        tokens("Error handling in Python")
        == tokens("python: error handling")
        == {"error", "handling", "python"}
    )
    assert tokens("Lists and tuples") == {"list", "tuple"}
    assert tokens("Classes, boxes and matches") == {"class", "box", "match"}
    assert tokens("Queries") == {"query"} and tokens("status") == {"status"}
    assert tokens("The and of") == {"the", "and", "of"}  # only stopwords: keep them


@pytest.mark.parametrize(
    ("a", "b", "duplicate"),
    [
        ("Reading CSV files", "reading csv files.", True),
        ("Reading CSV files", "CSV file reading", True),
        ("Python lists", "Python lists and tuples", False),
        ("Data types", "Data structures", False),
        ("Reading CSV files", "Reading CSV files with pandas", False),  # 3/4 < 0.8
        ("File system operations", "Filesystem operations", True),  # same letters: exact
    ],
)
def test_is_duplicate(a: str, b: str, duplicate: bool) -> None:
    assert is_duplicate(a, b, 0.8) is duplicate


def test_clean_topic() -> None:
    assert clean_topic("  1. Reading files.") == "Reading files"
    assert clean_topic("- **Sockets**") == "Sockets"
    assert clean_topic('"Paths"') == "Paths"
    assert clean_topic("a) Globbing") == "Globbing"
    assert clean_topic("C. elegans genetics") == "C. elegans genetics"
    assert len(clean_topic("word " * 100)) <= 200


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 1.0])
def test_index_finds_exactly_what_brute_force_finds(threshold: float) -> None:
    rng = random.Random(int(threshold * 100))
    vocabulary = [f"w{i}" for i in range(40)] + ["python", "files"]
    texts = [" ".join(rng.sample(vocabulary, rng.randint(1, 6))) for _ in range(400)]
    index = DuplicateIndex(threshold)
    for key, text in enumerate(texts[:300]):
        index.add(key, text)
    for text in texts[300:]:
        expected = {
            key
            for key, other in enumerate(texts[:300])
            if exact_key(text) == exact_key(other) or jaccard(tokens(text), tokens(other)) >= threshold
        }
        assert {m.key for m in index.matches(text)} == expected, text


def test_matches_report_exactness_and_order() -> None:
    index = DuplicateIndex(0.6)
    index.add("a", "Reading CSV files")
    index.add("b", "CSV file reading")
    index.add("c", "Reading CSV files quickly")
    found = index.matches("reading csv files")
    assert next(m.key for m in found) == "a" and found[0].exact
    assert {m.key: m.exact for m in found} == {"a": True, "b": False, "c": False}
    index.remove("a", "Reading CSV files")
    assert next(m.key for m in index.matches("reading csv files")) == "b"
