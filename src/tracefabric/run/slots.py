"""Which topic each sample is about: a deterministic, balanced cycle over the topics.

Slot i is (topic order[i mod T], cycle i div T) where `order` is a seeded shuffle of the
topics. Fewer samples than topics → distinct topics; more → every topic is used k or k+1
times. The slot key (topic id, cycle) is what checkpoints and resume are keyed on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tracefabric.topics import Topic


@dataclass(frozen=True)
class Slot:
    index: int
    topic: Topic
    cycle: int

    @property
    def key(self) -> str:
        return f"{self.topic.id}:{self.cycle}"


class SlotPlan:
    def __init__(self, topics: list[Topic], seed: int) -> None:
        if not topics:
            raise ValueError("no topics to generate samples for")
        unique = {t.id: t for t in topics}  # a graph can reach one leaf by several paths
        self.order = sorted(unique.values(), key=lambda t: t.id)
        random.Random(seed).shuffle(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def slot(self, index: int) -> Slot:
        count = len(self.order)
        return Slot(index, self.order[index % count], index // count)
