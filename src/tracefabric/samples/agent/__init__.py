"""Agent samples: ReAct traces whose tool calls run for real in the sandbox."""

from .builder import AgentBuilder

__all__ = ["AgentBuilder"]
