"""Grow a topic tree or graph with bounded concurrency, dedup, retries and a journal.

Nodes are expanded shallowest first by `max_concurrency` workers, so at most that many
LLM calls are in flight. Each answer is checked and committed synchronously (no await
between the duplicate check and the insert), so concurrent expansions never add the same
topic twice. A node that still has no subtopic after `max_retries` extra calls becomes a
leaf, is written to the failures file, and the run goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from tracefabric.llm import LLM, BudgetExceeded, LLMError, ProviderError

from .atomic import append_record
from .config import TopicsConfig
from .dedup import DuplicateIndex, clean_topic, exact_key, is_duplicate, tokens
from .journal import Counters, Journal, ReplayState
from .model import TopicNode, TopicSet
from .prompts import ExpansionRequest, answer_model, build_messages

log = logging.getLogger("tracefabric.topics")

ProgressCallback = Callable[[int, int], None]

# Statuses after which every further call would fail the same way: stop (resumable).
_FATAL_STATUSES = frozenset({401, 403, 404})
_LINK_SCAN_LIMIT = 1000  # newest eligible nodes considered as link candidates per prompt


def is_fatal(exc: BaseException) -> bool:
    if isinstance(exc, BudgetExceeded):
        return True
    return isinstance(exc, ProviderError) and exc.status in _FATAL_STATUSES


@dataclass
class _Proposal:
    new: list[str]
    links: list[int]


class TopicBuilder:
    def __init__(
        self,
        config: TopicsConfig,
        llm: LLM,
        state: ReplayState,
        journal: Journal,
        failures_path: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.config = config
        self.llm = llm
        self.state = state
        self.topics: TopicSet = state.topics
        self.journal = journal
        self.failures_path = failures_path
        self.on_progress = on_progress
        self.index = DuplicateIndex(config.dedup.threshold)
        for node in self.topics.nodes.values():
            self.index.add(node.id, node.topic)
        self._rejected: dict[int, list[str]] = {}
        self._queue: asyncio.PriorityQueue[tuple[int, int]] = asyncio.PriorityQueue()
        self.progress_total = sum(config.degree**level for level in range(config.depth))
        self.progress_done = 0

    # -- scheduling -----------------------------------------------------------------

    def pending(self) -> list[TopicNode]:
        """Nodes to expand now: unfinished ones whose path parent is finished.

        Their own children (from a partly committed expansion) are queued once they finish.
        """
        out = []
        for node in self.topics.walk():
            if node.depth >= self.config.depth or node.id in self.state.done:
                continue
            if node.id in self.state.failed:
                continue
            parent = self.topics.path_parent(node)
            if parent is None or parent.id in self.state.done:
                out.append(node)
        return out

    def _expansions_below(self, depth: int) -> int:
        """Expansions in a full subtree whose root sits at `depth` (the root included)."""
        return sum(self.config.degree**i for i in range(max(0, self.config.depth - depth)))

    def _advance(self, amount: int) -> None:
        self.progress_done = min(self.progress_total, self.progress_done + amount)
        if self.on_progress is not None:
            self.on_progress(self.progress_done, self.progress_total)

    async def run(self) -> None:
        pending = self.pending()
        # Whatever is neither pending nor below a pending node is already finished.
        self._advance(self.progress_total - sum(self._expansions_below(n.depth) for n in pending))
        for node in pending:
            self._queue.put_nowait((node.depth, node.id))
        if not pending:
            return
        workers = [asyncio.create_task(self._worker()) for _ in range(self.config.max_concurrency)]
        joined = asyncio.create_task(self._queue.join())
        try:
            await asyncio.wait([joined, *workers], return_when=asyncio.FIRST_COMPLETED)
            errors = [w.exception() for w in workers if w.done() and not w.cancelled() and w.exception()]
            if errors:
                raise errors[0]  # type: ignore[misc]
        finally:
            for task in [joined, *workers]:
                task.cancel()
            await asyncio.gather(joined, *workers, return_exceptions=True)

    async def _worker(self) -> None:
        while True:
            _, node_id = await self._queue.get()
            try:
                if node_id not in self.state.done:
                    await self._expand(self.topics.nodes[node_id])
            finally:
                self._queue.task_done()

    # -- one node ---------------------------------------------------------------------

    async def _expand(self, node: TopicNode) -> None:
        config = self.config
        counters = Counters()
        calls = 0
        last_error = ""
        while self._missing(node) > 0 and calls <= config.max_retries:
            calls += 1
            need = self._missing(node)
            request = self._request(node, need)
            messages = build_messages(request, config.system_prompt, config.instructions)
            schema = answer_model(need, request.max_links)
            counters.calls += 1
            try:
                result = await self.llm.structured(
                    messages, schema, name="subtopics", temperature=self._temperature(calls)
                )
            except LLMError as exc:
                if is_fatal(exc):
                    raise
                last_error = f"{type(exc).__name__}: {exc}"
                log.info("expanding %r failed (call %d): %s", node.topic, calls, last_error)
                continue
            counters.prompt_tokens += result.usage.prompt_tokens
            counters.completion_tokens += result.usage.completion_tokens
            answer = result.value
            log.debug("answer for %r (call %d): %s", node.topic, calls, result.raw)
            proposal = self._select(
                node, list(answer.subtopics), list(getattr(answer, "related", [])), counters
            )
            if proposal.new or (proposal.links and self.topics.path_children(node)):
                self._commit(node, proposal, counters)
                counters = Counters()
            elif not last_error:
                last_error = "every proposed subtopic was a duplicate or empty"
        new_children = len(self.topics.path_children(node))
        if new_children == 0:
            self._fail(node, last_error or "no subtopics", counters, calls)
            self._advance(self._expansions_below(node.depth))
            return
        record = {"event": "done", "node": node.id, "topic_id": node.topic_id, **counters.to_record()}
        # Not fsynced: if an OS crash loses it, resuming finds the node full and asks nothing.
        self.journal.append(record, sync=False)
        self.state.done.add(node.id)
        self.state.counters.add(record)
        self._rejected.pop(node.id, None)
        for child in self.topics.path_children(node):
            if child.depth < config.depth:
                self._queue.put_nowait((child.depth, child.id))
        missing = config.degree - new_children
        self._advance(1 + max(0, missing) * self._expansions_below(node.depth + 1))

    def _temperature(self, call: int) -> float | None:
        """Warmer on each retry: the same prompt at the same temperature repeats itself."""
        if call == 1:
            return None
        return min(1.3, self.llm.config.temperature + 0.15 * (call - 1))

    def _missing(self, node: TopicNode) -> int:
        return self.config.degree - len(self.topics.path_children(node))

    def _commit(self, node: TopicNode, proposal: _Proposal, counters: Counters) -> None:
        """Add the new subtopics and links, and journal them, in one synchronous step."""
        for text in proposal.new:
            child = self.topics.add_child(node.id, text)
            self.index.add(child.id, child.topic)
        links = []
        for target in proposal.links:
            try:
                self.topics.add_link(node.id, target)
            except ValueError:
                continue
            links.append(target)
        self.state.links += len(links)
        record = {
            "event": "add",
            "node": node.id,
            "topic_id": node.topic_id,
            "new": proposal.new,
            **({"links": links} if links else {}),
            **counters.to_record(),
        }
        self.journal.append(record)
        self.state.counters.add(record)
        self.state.failed.pop(node.id, None)
        node.metadata.pop("failed", None)

    def _fail(self, node: TopicNode, error: str, counters: Counters, calls: int) -> None:
        # The failures file first: a crash in between repeats the attempt, never hides it.
        append_record(
            self.failures_path,
            {
                "failed_generation": {
                    "node_path": list(node.path),
                    "topic_id": node.topic_id,
                    "error": error,
                    "attempts": calls,
                    "timestamp": time.time(),
                }
            },
        )
        record = {"event": "fail", "node": node.id, "topic_id": node.topic_id, "error": error}
        record.update(counters.to_record())
        self.journal.append(record)
        self.state.counters.add(record)
        self.state.failed[node.id] = error
        node.metadata["failed"] = error
        log.warning("gave up expanding %r after %d calls: %s", node.topic, calls, error)

    # -- choosing what to keep ---------------------------------------------------------

    def _select(
        self, node: TopicNode, proposed: list[str], related: list[str], counters: Counters
    ) -> _Proposal:
        need = self._missing(node)
        new: list[str] = []
        links: list[int] = []
        link_budget = self._link_budget(node)
        rejected = self._rejected.setdefault(node.id, [])
        for raw in proposed:
            if len(new) >= need:
                break
            text = clean_topic(raw)
            if not text or not tokens(text):
                counters.invalid += 1
                continue
            match = self._duplicate_of(node, text, new)
            if match is None:
                new.append(text)
                continue
            target, exact = match
            if exact:
                counters.duplicates_exact += 1
            else:
                counters.duplicates_near += 1
            rejected.append(text)
            if target is not None and len(links) < link_budget and target not in links:
                links.append(target)  # the model re-proposed an existing deeper topic: link it
        for name in related:
            if len(links) >= link_budget:
                break
            target = self._link_target(node, clean_topic(name))
            if target is not None and target not in links:
                links.append(target)
        del rejected[:-20]
        return _Proposal(new=new, links=links)

    def _duplicate_of(
        self, node: TopicNode, text: str, accepted: list[str]
    ) -> tuple[int | None, bool] | None:
        """(link target or None, exact?) if `text` duplicates something; None if it is new."""
        threshold = self.config.dedup.threshold
        for other in accepted:
            if is_duplicate(text, other, threshold):
                return None, _same(text, other)
        scope = self.config.dedup.scope
        if scope == "off":  # still no two children with the same name: they would share a path
            same = [c for c in node.children if _same(text, self.topics.nodes[c].topic)]
            return (None, True) if same else None
        if scope == "siblings":
            family = [self.topics.nodes[c].topic for c in node.children] + list(node.path)
            for other in family:
                if is_duplicate(text, other, threshold):
                    return None, _same(text, other)
            return None
        found = self.index.matches(text)
        if not found:
            return None
        for match in found:
            if self._can_link(node, match.key):  # type: ignore[arg-type]
                return int(match.key), match.exact  # type: ignore[call-overload]
        return None, found[0].exact

    def _link_budget(self, node: TopicNode) -> int:
        if not self.config.cross_linked:
            return 0
        return max(0, self.config.max_links - len(self.topics.link_children(node)))

    def _can_link(self, node: TopicNode, target_id: int) -> bool:
        if not self.config.cross_linked:
            return False
        target = self.topics.nodes[target_id]
        # Links only point deeper: every edge then goes down a level or more, so no cycles,
        # and the linked node keeps its own path; the expanding node is never a leaf.
        return target.depth > node.depth and target_id not in node.children and target_id != node.id

    def _link_target(self, node: TopicNode, name: str) -> int | None:
        if not name:
            return None
        for match in self.index.matches(name):
            if self._can_link(node, match.key):  # type: ignore[arg-type]
                return int(match.key)  # type: ignore[call-overload]
        return None

    # -- the prompt's view of the structure ---------------------------------------------

    def _request(self, node: TopicNode, need: int) -> ExpansionRequest:
        parent = self.topics.path_parent(node)
        siblings = (
            [] if parent is None else [c.topic for c in self.topics.path_children(parent) if c.id != node.id]
        )
        request = ExpansionRequest(
            root=self.config.prompt,
            path=node.path,
            count=need,
            siblings=siblings,
            chosen=[self.topics.nodes[c].topic for c in node.children],
            rejected=list(self._rejected.get(node.id, [])),
        )
        if self.config.cross_linked:
            self._add_graph_context(node, request)
        return request

    def _add_graph_context(self, node: TopicNode, request: ExpansionRequest) -> None:
        """The graph so far, trimmed to `context_chars`: link candidates first, then an outline."""
        budget = self.config.context_chars
        focus = set().union(*(tokens(p) for p in node.path[1:])) if len(node.path) > 1 else set()
        scanned: list[tuple[int, int, TopicNode]] = []
        for other_id in islice(reversed(self.topics.nodes), _LINK_SCAN_LIMIT):
            other = self.topics.nodes[other_id]
            if other.path[:-1] != node.path and self._can_link(node, other_id):
                scanned.append((len(focus & self.index.tokens_of(other_id)), other_id, other))
        scanned.sort(key=lambda item: (-item[0], -item[1]))
        used = 0
        if self._link_budget(node):
            request.max_links = self._link_budget(node)
            for _, _, other in scanned:
                cost = len(other.topic) + 3
                if used + cost > budget * 0.4 or len(request.link_candidates) >= 30:
                    break
                request.link_candidates.append(other.topic)
                used += cost
        shown = set(request.link_candidates) | set(node.path) | set(request.siblings) | set(request.chosen)
        outline: list[str] = []
        # Nodes are created shallowest first, so insertion order is roughly level by level.
        for other in self.topics.nodes.values():
            if other.id == self.topics.root_id or other.topic in shown:
                continue
            cost = len(other.topic) + 3
            if used + cost > budget:
                break
            outline.append(other.topic)
            used += cost
        request.graph_outline = outline
        request.graph_hidden = max(0, len(self.topics.nodes) - 1 - len(shown) - len(outline))


def _same(a: str, b: str) -> bool:
    return exact_key(a) == exact_key(b)
