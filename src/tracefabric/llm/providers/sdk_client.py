"""The OpenAI or Anthropic SDK client, one per event loop, set up the same way for both."""

from __future__ import annotations

from typing import Any

from .loop_bound import LoopBound
from .sdk_platform import settle_platform
from .transport import aiohttp_transport


class SDKClient(LoopBound[Any]):
    def __init__(
        self, sdk: str, client_class: Any, *, api_key: str, base_url: str | None, timeout: float
    ) -> None:
        # Retries are ours (shared limiter, AIMD, budget checks): the SDK must not retry on its own.
        super().__init__(
            lambda: client_class(
                api_key=api_key,
                base_url=base_url,
                max_retries=0,
                timeout=timeout,
                http_client=aiohttp_transport(sdk, timeout),
            )
        )

    async def ready(self) -> Any:
        """This loop's client, with what the SDK works out on a first request done once."""
        client = self.get()
        await settle_platform(client)
        return client
