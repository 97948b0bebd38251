"""Many sessions writing at once through the in-process host: nothing is lost."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from tracefabric.sandbox.host import SandboxHost

SESSIONS = 64
WRITES = 100


def test_64_sessions_x_100_writes_then_list(vfs: SandboxHost) -> None:
    def session_work(n: int) -> None:
        for i in range(WRITES):
            response = vfs.execute(
                "vfs", "write_file", {"file_path": f"f{i:03}.txt", "content": f"{n}-{i}"}, f"s{n}"
            )
            assert response["success"], response

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(session_work, range(SESSIONS)))
    for n in range(SESSIONS):
        files = json.loads(vfs.execute("vfs", "list_files", {}, f"s{n}")["result"])
        assert len(files) == WRITES
        assert vfs.execute("vfs", "read_file", {"file_path": "f099.txt"}, f"s{n}")["result"] == f"{n}-99"


def test_concurrent_calls_in_one_session_lose_nothing(vfs: SandboxHost) -> None:
    def write(i: int) -> None:
        assert vfs.execute("vfs", "write_file", {"file_path": f"d/{i}.txt", "content": "x"}, "same")[
            "success"
        ]

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(200)))
    assert len(json.loads(vfs.execute("vfs", "list_files", {}, "same")["result"])) == 200
