"""The Python standard library inside components, called through the real sandbox.

Each check below imports its module inside the function (the case that used to crash with
a message blaming memory: a module not imported when the component was built had to be read
from a filesystem components do not have). The same checks run on the host: the component's
answers must equal CPython's own. What cannot work fails the build, or the call, with a
message naming the module or the function, never memory.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracefabric.errors import ErrorType
from tracefabric.sandbox.build import BuildError, PythonSource, build_python
from tracefabric.sandbox.build.imports import check_available, scan_imports
from tracefabric.sandbox.host import SandboxHost

# Every check returns something JSON-able and deterministic.
CHECKS = """
def check_base64():
    import base64
    return [base64.b64encode(b"tracefabric").decode(), base64.b32decode("MZXW6===").decode()]

def check_hashlib():
    import hashlib
    return [hashlib.sha256(b"abc").hexdigest(), hashlib.md5(b"abc").hexdigest(), hashlib.sha1(b"").hexdigest()]

def check_hmac():
    import hmac
    return hmac.new(b"key", b"message", "sha256").hexdigest()

def check_json():
    import json
    return json.loads(json.dumps({"a": [1, 2.5, None, "é"]}, sort_keys=True))

def check_re():
    import re
    return re.findall(r"(\\w+)@(\\w+)\\.com", "ann@example.com, bob@test.com")

def check_datetime():
    import datetime
    start = datetime.datetime.strptime("2024-02-28 10:30", "%Y-%m-%d %H:%M")
    later = start + datetime.timedelta(days=2, hours=20)
    return [later.isoformat(), later.strftime("%A %d %B"), datetime.date(2024, 3, 1).isocalendar()[1]]

def check_calendar():
    import calendar
    return [calendar.isleap(2024), calendar.monthrange(2024, 2)[1], calendar.weekday(2024, 1, 1)]

def check_collections():
    from collections import Counter, OrderedDict, defaultdict, deque, namedtuple
    Point = namedtuple("Point", "x y")
    groups = defaultdict(list)
    for word in ["apple", "avocado", "banana"]:
        groups[word[0]].append(word)
    queue = deque([1, 2, 3], maxlen=2)
    return [Counter("mississippi").most_common(2), Point(1, 2)._asdict(), dict(groups), list(queue),
            list(OrderedDict(b=1, a=2))]

def check_itertools():
    import itertools
    return [list(itertools.combinations("abc", 2)), list(itertools.accumulate([1, 2, 3])),
            [k for k, _ in itertools.groupby("aabbbc")]]

def check_functools():
    import functools, operator
    return [functools.reduce(operator.mul, range(1, 6)), functools.lru_cache()(lambda n: n * 2)(21)]

def check_textwrap():
    import textwrap
    return [textwrap.wrap("the quick brown fox jumps over the lazy dog", 12), textwrap.dedent("  a\\n  b")]

def check_string():
    import string
    return [string.Template("$who likes $what").substitute(who="Ann", what="tea"), string.ascii_lowercase[:5],
            string.capwords("hello world")]

def check_math():
    import math
    return [math.sqrt(2), math.gcd(12, 18), math.comb(10, 3), math.isclose(0.1 + 0.2, 0.3)]

def check_random_seeded():
    import random
    rng = random.Random(42)
    return [rng.randint(1, 100), rng.choice("abcdef"), rng.sample(range(10), 3), random.Random("text seed").random()]

def check_uuid():
    import uuid
    return [str(uuid.uuid5(uuid.NAMESPACE_DNS, "example.com")), str(uuid.uuid3(uuid.NAMESPACE_URL, "x")),
            uuid.UUID("12345678123456781234567812345678").hex]

def check_decimal_fractions():
    from decimal import Decimal
    from fractions import Fraction
    return [str(Decimal("0.1") + Decimal("0.2")), str(Fraction(3, 4) + Fraction(1, 6))]

def check_statistics():
    import statistics
    return [statistics.mean([1, 2, 3, 4]), statistics.median([3, 1, 2]), round(statistics.stdev([1, 2, 3, 4]), 6)]

def check_struct_zlib_binascii():
    import binascii, struct, zlib
    packed = struct.pack("<IhB", 1, -2, 3)
    return [packed.hex(), zlib.crc32(b"abc"), zlib.decompress(zlib.compress(b"abc" * 10)).decode()[:6],
            binascii.hexlify(b"\\x01\\xff").decode()]

def check_gzip():
    import gzip
    return gzip.decompress(gzip.compress(b"payload", mtime=0)).decode()

def check_csv_io():
    import csv, io
    out = io.StringIO()
    csv.writer(out).writerow(["a", "b,c", 'd"e'])
    return [out.getvalue(), list(csv.DictReader(io.StringIO("x,y\\n1,2\\n")))]

def check_heapq_bisect():
    import bisect, heapq
    return [heapq.nsmallest(2, [5, 1, 4, 2]), bisect.bisect_left([1, 3, 5], 4)]

def check_difflib():
    import difflib
    return [list(difflib.unified_diff(["a\\n", "b\\n"], ["a\\n", "c\\n"], "x", "y")),
            difflib.get_close_matches("appel", ["apple", "ape", "peach"])]

def check_html_urllib():
    import html
    from urllib.parse import parse_qs, quote, urlencode, urlparse
    return [html.escape("<a & b>"), html.unescape("&lt;&eacute;"), quote("a b/c"), urlencode({"q": "x y"}),
            urlparse("https://h.com:8080/p?q=1").port, parse_qs("a=1&a=2")]

def check_unicodedata_codecs():
    import unicodedata
    return [unicodedata.name("é"), unicodedata.normalize("NFD", "é").encode("utf-8").hex(),
            "café".encode("latin-1").hex(), "€".encode("cp1252").hex(), "x".encode("utf-16").hex(),
            "münchen.de".encode("idna").decode()]

def check_dataclasses_enum_typing():
    import dataclasses, enum, typing
    @dataclasses.dataclass
    class Item:
        name: str
        tags: typing.List[str] = dataclasses.field(default_factory=list)
    class Color(enum.Enum):
        RED = 1
    return [dataclasses.asdict(Item("x", ["y"])), Color(1).name, typing.get_type_hints(Item)["name"].__name__]

def check_pprint_shlex_fnmatch():
    import fnmatch, pprint, shlex
    return [pprint.pformat({"b": 1, "a": [1, 2]}), shlex.split("a 'b c' d"), fnmatch.filter(["x.py", "y.txt"], "*.py")]

def check_ipaddress_pathlib():
    import ipaddress, pathlib
    return [str(ipaddress.ip_network("10.0.0.0/30").broadcast_address), ipaddress.ip_address("::1").is_loopback,
            str(pathlib.PurePosixPath("/a/b/c.txt").with_suffix(".md")), pathlib.PurePosixPath("a/b").parts]

def check_copy_graphlib_keyword():
    import copy, graphlib, keyword
    original = {"a": [1, 2]}
    clone = copy.deepcopy(original)
    clone["a"].append(3)
    return [original, list(graphlib.TopologicalSorter({"b": {"a"}, "c": {"b"}}).static_order()), keyword.iskeyword("def")]

def check_traceback():
    import traceback
    try:
        raise ValueError("boom")
    except ValueError:
        return traceback.format_exc().splitlines()[-1]
"""

APP = (
    "from tracefabric.guest import Component\n\n"
    'component = Component("stdlib")\n'
    + CHECKS
    + textwrap.dedent("""

    CHECKS = {name[len("check_"):]: value for name, value in dict(globals()).items() if name.startswith("check_")}


    @component.tool(description="Run one standard-library check")
    def run(name: str) -> list:
        return [CHECKS[name]()]


    @component.tool(description="Read the clock (components have none)")
    def clock() -> str:
        import datetime
        return datetime.datetime.now().isoformat()


    @component.tool(description="OS randomness (components have none)")
    def token() -> str:
        import secrets
        return secrets.token_hex(4)


    @component.tool(description="Import a module by a name known only at run time")
    def dynamic(module: str) -> str:
        import importlib
        return importlib.import_module(module).__name__


    @component.tool(description="Print something")
    def shout(text: str) -> str:
        print(text)
        return "printed"


    WitWorld = component.export()
    """)
)


def _host_checks() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(CHECKS, "checks", "exec", dont_inherit=True), namespace)  # not this file's __future__
    return {name[len("check_") :]: fn for name, fn in namespace.items() if name.startswith("check_")}


HOST_CHECKS = _host_checks()


@pytest.fixture(scope="module")
def stdlib_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHost]:
    folder = tmp_path_factory.mktemp("stdlib")
    (folder / "src").mkdir()
    (folder / "src" / "app.py").write_text(APP)
    build_python(PythonSource(folder / "src", "app"), "stdlib", output=folder / "stdlib.wasm")
    (folder / "spin.toml").write_text(
        'spin_manifest_version = 2\n[application]\nname = "stdlib"\n'
        '[component.stdlib]\nsource = "stdlib.wasm"\nmemory_limit_mb = 128\n'
    )
    with SandboxHost(folder / "spin.toml", data_dir=folder / "kv", pool_size=0) as host:
        yield host


@pytest.mark.parametrize("name", sorted(HOST_CHECKS))
def test_standard_library_modules_work_in_a_component(stdlib_host: SandboxHost, name: str) -> None:
    response = stdlib_host.execute("stdlib", "run", {"name": name}, "s1")
    assert response["success"], response["result"]
    expected = json.loads(json.dumps([HOST_CHECKS[name]()]))  # as JSON, like the answer
    assert json.loads(response["result"]) == expected


def test_the_clock_is_named_not_memory(stdlib_host: SandboxHost) -> None:
    response = stdlib_host.execute("stdlib", "clock", {}, "s2")
    assert response["error_type"] == ErrorType.COMPONENT_ERROR
    assert "the system clock (datetime.datetime.now())" in response["result"]
    assert "memory" not in response["result"]
    # The session goes on with a fresh instance.
    assert stdlib_host.execute("stdlib", "run", {"name": "math"}, "s2")["success"]


def test_os_randomness_is_named_not_memory(stdlib_host: SandboxHost) -> None:
    response = stdlib_host.execute("stdlib", "token", {}, "s3")
    assert response["error_type"] == ErrorType.COMPONENT_ERROR
    assert "operating-system randomness (os.urandom())" in response["result"]
    assert "random.Random(seed)" in response["result"] and "memory" not in response["result"]


def test_a_module_not_bundled_is_a_clear_import_error(stdlib_host: SandboxHost) -> None:
    response = stdlib_host.execute("stdlib", "dynamic", {"module": "wave"}, "s4")
    assert response["error_type"] == ErrorType.COMPONENT_ERROR
    assert "ModuleNotFoundError: No module named 'wave' in this component" in response["result"]
    assert "Add `import wave` to the component's source" in response["result"]
    # A module the sources import is there, whatever the name's origin.
    assert stdlib_host.execute("stdlib", "dynamic", {"module": "difflib"}, "s4")["result"] == "difflib"


def test_print_goes_to_the_host_log(stdlib_host: SandboxHost, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="tracefabric"):
        response = stdlib_host.execute("stdlib", "shout", {"text": "hello from the guest"}, "s5")
    assert response == {"success": True, "result": "printed", "error_type": None}
    assert any("hello from the guest" in record.getMessage() for record in caplog.records)


# -- what fails the build -------------------------------------------------------------


def _source(tmp_path: Path, code: str) -> PythonSource:
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    (folder / "app.py").write_text(textwrap.dedent(code))
    return PythonSource(folder, "app")


def test_a_module_that_cannot_work_fails_the_build_naming_it(tmp_path: Path) -> None:
    source = _source(
        tmp_path,
        """
        from tracefabric.guest import Component
        component = Component("net")

        @component.tool()
        def fetch() -> str:
            import socket
            return socket.gethostname()
        """,
    )
    with pytest.raises(BuildError) as caught:
        build_python(source, "net-probe")
    message = str(caught.value)
    assert message.startswith(
        "app.py:7: module 'socket' cannot be used in a component: components have no network"
    )
    assert "tracefabric.guest.http" in message


def test_an_optional_import_may_be_missing(tmp_path: Path) -> None:
    source = _source(
        tmp_path,
        """
        try:
            import socket
        except ImportError:
            socket = None
        import importlib
        from . import helpers
        def later():
            from json import decoder
            importlib.import_module("csv")
        """,
    )
    sites = {site.module: site for site in scan_imports(source.directory)}
    assert sites["socket"].optional and not sites["importlib"].optional
    assert not sites["json"].optional and sites["json.decoder"].optional  # maybe a submodule
    assert sites["csv"].optional and sites["csv"].where == "app.py:10"
    check_available(list(sites.values()))  # the optional socket does not fail the build


def test_relative_imports_resolve_inside_a_package(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "tools.py").write_text(
        "def f():\n    from ..shared import x\n    from . import more\n"
    )
    (package / "sub" / "uses_sdk.py").write_text("from tracefabric.guest import kv\n")
    sites = {site.module for site in scan_imports(package, "tracefabric/components/pkg")}
    assert {"tracefabric.components.pkg.shared", "tracefabric.components.pkg.sub.more"} <= sites
    assert not any(name.startswith("tracefabric.guest") for name in sites)  # the SDK is always there


def test_a_native_module_the_runtime_lacks_fails_the_build_naming_it(tmp_path: Path) -> None:
    source = _source(
        tmp_path,
        """
        from tracefabric.guest import Component
        component = Component("native")

        @component.tool()
        def pack() -> str:
            import bz2
            return bz2.compress(b"x").hex()

        WitWorld = component.export()
        """,
    )
    with pytest.raises(BuildError) as caught:
        build_python(source, "native-probe")
    assert "app.py:7: module 'bz2' cannot be used in a component: no module named '_bz2'" in str(caught.value)
    assert "Stack backtrace" not in str(caught.value)
