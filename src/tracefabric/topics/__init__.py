"""The topic stage: from one root prompt to a tree or graph of subtopics.

    from tracefabric.topics import TopicsConfig, generate_topics, load_topics
    result = generate_topics(TopicsConfig(prompt="Working with files in Python", depth=2, degree=3))
    for topic in load_topics(result.path).topics():
        print(topic.id, " > ".join(topic.path))

    inspect_topics(path, level=1)              # summary + nodes, as `tracefabric topics inspect`
    prune_topics(topic_set, level=2)           # as `tracefabric topics prune`
    render_topics(path, "graph.html")          # as `tracefabric topics render`

See docs/topics.md.
"""

from .config import DedupConfig, TopicsConfig
from .config_file import load_config_file
from .files import LoadReport, TopicsFileError, load_topics, save_topics
from .generate import TopicsResult, TopicsStats, generate_topics, generate_topics_async
from .inspect import inspect_topics
from .model import Topic, TopicNode, TopicSet, topic_id_for
from .plan import TopicPlan, plan_topics
from .prune import PruneReport, prune_topics
from .render import render_topics

__all__ = [
    "DedupConfig",
    "LoadReport",
    "PruneReport",
    "Topic",
    "TopicNode",
    "TopicPlan",
    "TopicSet",
    "TopicsConfig",
    "TopicsFileError",
    "TopicsResult",
    "TopicsStats",
    "generate_topics",
    "generate_topics_async",
    "inspect_topics",
    "load_config_file",
    "load_topics",
    "plan_topics",
    "prune_topics",
    "render_topics",
    "save_topics",
    "topic_id_for",
]
