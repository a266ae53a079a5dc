"""``ctai-bot``: one entry point, one thin subcommand per job."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.catalogue.loader import json_schema, load_catalogue

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue"


def _validate(args: argparse.Namespace) -> int:
    catalogue, problems = load_catalogue(args.catalogue)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in problems:
        print(problem)
    operators = len(catalogue.operators) if catalogue else 0
    actions = len(catalogue.actions) if catalogue else 0
    failed = bool(errors) or (args.strict and bool(warnings))
    verdict = "INVALID" if failed else "valid"
    print(
        f"{verdict}: {operators} operators, {actions} actions, "
        f"{len(errors)} errors, {len(warnings)} warnings"
        + (" (--strict: warnings count as errors)" if args.strict and warnings else "")
    )
    return 1 if failed else 0


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctai-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the catalogue and list every problem")
    validate.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(run=_validate)

    schema = commands.add_parser("schema", help="print the catalogue's JSON Schema")
    schema.add_argument("--out", type=Path, help="write it to this file")
    schema.set_defaults(run=_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
