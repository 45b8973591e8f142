"""The ``sfn-iam`` command. Start-up imports only sys: the command's module is imported after
its name is read (pip's lazy command table), so ``--help`` and small runs do not pay for YAML,
the catalogue or anything else; argparse only when a parser is needed (a command's
``fast_parse`` reads a plain command line without it)."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

#: name -> (module, summary). Each module has ``add_arguments(parser)`` and ``run(args)``.
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("sfn_iam.commands.generate", "print the least-privilege policy for a definition"),
    "trust-policy": ("sfn_iam.commands.trust_policy",
                     "print the execution role's trust policy (confused-deputy conditions)"),
    "audit": ("sfn_iam.commands.audit",
              "compare a role's policies with what a definition needs: missing and excess"),
    "explain": ("sfn_iam.commands.explain",
                "every statement of the generated policy with the states that need it"),
}

EXIT_OK, EXIT_WARNINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

#: control characters (C0, DEL, C1) and line/paragraph separators -> a visible escape, so a
#: message stays one line and a state name cannot drive the terminal
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def one_line(text: str) -> str:
    """``text`` with every control character escaped: one line, safe on a terminal."""
    return text.translate(_ESCAPES)


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's help formatter, with the width found as ``shutil.get_terminal_size`` finds
    it but without importing shutil (and through it bz2, lzma, zlib, fnmatch) at every start."""
    import argparse
    import os

    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            width = 80
    return argparse.HelpFormatter(prog, width=max(width, 20) - 2)


def build_kind() -> str:
    """Which build is installed: the hot modules compiled with mypyc, or pure Python (an
    editable install, ``SFN_IAM_PURE=1``, or no C compiler at install time)."""
    from sfn_iam import walk

    compiled = (walk.__file__ or "").endswith((".so", ".pyd"))
    return "compiled with mypyc" if compiled else "pure Python"


def _top_parser() -> argparse.ArgumentParser:
    import argparse

    from sfn_iam import __version__

    parser = argparse.ArgumentParser(
        prog="sfn-iam",
        formatter_class=_formatter,
        description="Least-privilege IAM policies for AWS Step Functions state machines.",
        epilog="Run 'sfn-iam COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version",
                        version=f"sfn-iam {__version__} ({build_kind()})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        sub.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args)
    except KeyboardInterrupt:
        print("sfn-iam: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        import contextlib
        import os

        # no "Exception ignored ... BrokenPipeError" when Python flushes stdout at exit
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # never a traceback: one line, and a distinct exit code
        print(f"sfn-iam: internal error: {type(exc).__name__}: {one_line(str(exc))} "
              "(please report this)", file=sys.stderr)
        return EXIT_INTERNAL


def _main(args: list[str]) -> int:
    if not args or args[0] not in COMMANDS:
        parser = _top_parser()
        if not args:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        try:
            parser.parse_args(args)  # handles --help / --version / unknown command
        except SystemExit as exc:
            return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
        return EXIT_USAGE
    module_path, summary = COMMANDS[args[0]]
    __import__(module_path)  # not importlib.import_module: the importlib package costs start-up
    module = sys.modules[module_path]
    # a plain command line is read without argparse (start-up); anything else by argparse
    fast = getattr(module, "fast_parse", None)
    ns = fast(args[1:]) if fast is not None else None
    if ns is None:
        import argparse

        # no abbreviations: --state-machine must never be read as --state-machine-arn
        parser = argparse.ArgumentParser(prog=f"sfn-iam {args[0]}", description=summary,
                                         formatter_class=_formatter, allow_abbrev=False)
        module.add_arguments(parser)
        try:
            ns = parser.parse_args(args[1:])
        except SystemExit as exc:
            return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    from sfn_iam.errors import SfnIamError

    try:
        return int(module.run(ns))
    except SfnIamError as exc:
        print(f"sfn-iam: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
