"""Recommendations: for one participant, the officers and companies that fit, best first, each
with its reasons.

Text relevance is TF-IDF (scikit-learn) with cosine similarity between what a participant
offers (capabilities, products) and what the other side needs or offers (an officer's
requirement areas and appointment, another company's capabilities and products), fitted on
the edition's own profiles so words every profile uses weigh little. Shared sectors add to
the score. The reasons name the shared sectors and the terms that contributed most.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

TEXT_WEIGHT = 0.75
SECTOR_WEIGHT = 0.25
MAX_TERMS = 5


@dataclass(frozen=True)
class Profile:
    key: str  # the party key
    kind: str  # "company" or "officer"
    name: str
    sectors: tuple[str, ...]
    text: str  # capabilities and products, or requirement areas and appointment


@dataclass(frozen=True)
class Recommendation:
    key: str
    kind: str
    name: str
    score: float
    shared_sectors: tuple[str, ...]
    matching_terms: tuple[str, ...]

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.shared_sectors:
            reasons.append("shared sectors: " + ", ".join(s.replace("_", " ") for s in self.shared_sectors))
        if self.matching_terms:
            reasons.append("matching terms: " + ", ".join(self.matching_terms))
        return reasons


def _sector_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    union = set(a) | set(b)
    return len(set(a) & set(b)) / len(union) if union else 0.0


def recommend(seeker: Profile, candidates: list[Profile], *, limit: int = 20) -> list[Recommendation]:
    """The candidates that fit `seeker`, best first; those with nothing in common are left out."""
    others = [c for c in candidates if c.key != seeker.key]
    if not others:
        return []
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9-]+\b")
    try:
        matrix = vectorizer.fit_transform([seeker.text] + [c.text for c in others])
    except ValueError:  # every text empty or only stop words
        matrix = None
    terms = vectorizer.get_feature_names_out() if matrix is not None else np.array([])
    found = []
    for position, candidate in enumerate(others, start=1):
        similarity, matching = 0.0, ()
        if matrix is not None:
            contributions = matrix[0].multiply(matrix[position]).toarray().ravel()
            similarity = float(contributions.sum())  # rows are L2-normalised: this is the cosine
            best = np.argsort(contributions)[::-1][:MAX_TERMS * 2]
            picked: list[str] = []
            for index in best:
                if contributions[index] <= 0 or len(picked) >= MAX_TERMS:
                    break
                term = str(terms[index])
                if not any(term in other or other in term for other in picked):
                    picked.append(term)
            matching = tuple(picked)
        shared = tuple(sorted(set(seeker.sectors) & set(candidate.sectors)))
        score = TEXT_WEIGHT * similarity + SECTOR_WEIGHT * _sector_overlap(seeker.sectors, candidate.sectors)
        if score > 0:
            found.append(Recommendation(candidate.key, candidate.kind, candidate.name, round(score, 4), shared,
                                        matching))
    found.sort(key=lambda r: (-r.score, r.name))
    return found[:limit]


def precision_at_k(ranked: list[str], relevant: set[str], k: int) -> float:
    """The share of the first `k` recommendations that are relevant."""
    return sum(1 for key in ranked[:k] if key in relevant) / k
