"""The sandbox host: runs components with the capabilities their manifest grants, nothing more."""

from .host import ComponentInfo, SandboxHost, check_component_sources, check_namespace, check_session_id

__all__ = ["ComponentInfo", "SandboxHost", "check_component_sources", "check_namespace", "check_session_id"]
