"""`python -m tracefabric.sandbox.build python|c ...`: the commands scaffolded manifests run.

    python -m tracefabric.sandbox.build python src --module app -o weather.wasm
    python -m tracefabric.sandbox.build c -o inventory.wasm src/inventory.c
    python -m tracefabric.sandbox.build c --sdk-dir     # where tracefabric.h lives (for editors)

After building, the component is loaded in a throwaway sandbox and asked for its tools, so
a component the host can't run fails here, not at its first call. Exit status: 0 built,
1 the build failed, 2 bad usage, 3 a toolchain is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import TOOLCHAIN_MARKER, BuildError, ToolchainMissing

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TOOLCHAIN = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tracefabric.sandbox.build",
        description="Build a tracefabric tool component from source.",
    )
    languages = parser.add_subparsers(dest="language", required=True, metavar="{python,c}")
    python = languages.add_parser(
        "python",
        help="build with componentize-py and the Python guest SDK",
        description="Build a Python component (cached by content hash: unchanged sources rebuild instantly).",
    )
    python.add_argument(
        "source", nargs="?", default="src", help="folder of the component's modules (default: src)"
    )
    python.add_argument("--module", "-m", default="app", help="module that defines WitWorld (default: app)")
    python.add_argument("--output", "-o", required=True, help="the .wasm file to write")
    python.add_argument("--name", help="label in the build cache (default: the output's file name)")
    python.add_argument("--no-check", action="store_true", help="skip loading the result in the sandbox")
    c = languages.add_parser(
        "c",
        help="build with clang, wasi-libc and wasm-tools, with the C guest SDK",
        description="Build a C component against the C guest SDK (tracefabric.h).",
    )
    c.add_argument("sources", nargs="*", help="C source files")
    c.add_argument("--output", "-o", help="the .wasm file to write")
    c.add_argument("-I", dest="include", action="append", default=[], metavar="DIR", help="include folder")
    c.add_argument("-D", dest="define", action="append", default=[], metavar="NAME[=VALUE]", help="macro")
    c.add_argument("--cflag", action="append", default=[], help="extra clang flag (repeatable)")
    c.add_argument("--sdk-dir", action="store_true", help="print the C SDK folder and exit")
    c.add_argument("--no-check", action="store_true", help="skip loading the result in the sandbox")
    return parser


def _build_python(args: argparse.Namespace) -> Path:
    from .python import PythonSource, build_python

    source = Path(args.source).resolve()
    if not source.is_dir():
        raise BuildError(f"Python source folder {source} does not exist")
    module_path = source / (args.module.replace(".", "/") + ".py")
    package_path = source / args.module.replace(".", "/") / "__init__.py"
    if not module_path.is_file() and not package_path.is_file():
        raise BuildError(f"module {args.module!r} not found in {source} (expected {module_path.name})")
    output = Path(args.output)
    label = args.name or output.stem
    return build_python(PythonSource(directory=source, module=args.module), label, output=output)


def _build_c(args: argparse.Namespace) -> Path:
    from .c import build_c

    return build_c(
        [Path(s) for s in args.sources],
        Path(args.output),
        include_dirs=[Path(d) for d in args.include],
        defines=list(args.define),
        extra_flags=list(args.cflag),
    )


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.language == "c":
        if args.sdk_dir:
            from .c import sdk_dir

            print(sdk_dir())
            return 0
        if not args.sources or not args.output:
            parser.error("c: give the C sources and --output FILE")
    try:
        wasm = _build_python(args) if args.language == "python" else _build_c(args)
        summary = f"built {wasm} ({wasm.stat().st_size // 1024} KB)"
        if not args.no_check:
            from .check import describe_component

            tools = describe_component(wasm)
            names = ", ".join(str(t.get("name")) for t in tools) or "none"
            summary += f": tools {names}"
    except ToolchainMissing as exc:
        print(f"{TOOLCHAIN_MARKER} {exc}", file=sys.stderr)
        return EXIT_TOOLCHAIN
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
