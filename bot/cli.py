"""``ctai-bot``: one entry point, one thin subcommand per job."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bot.catalogue.loader import json_schema, load_catalogue, load_or_raise
from bot.catalogue.model import LANGUAGES
from bot.catalogue.problems import CatalogueError
from bot.config import Config, ConfigError
from bot.console import chat
from bot.matching.engine import MatchingEngine
from bot.matching.evaluation import evaluate, format_report, read_rows
from bot.service import Service
from bot.telegram_app import run

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


def _engine(directory: Path) -> MatchingEngine:
    try:
        return MatchingEngine(load_or_raise(directory))
    except CatalogueError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(1) from None


def _ask_one(engine: MatchingEngine, text: str, lang: str | None, audience: str | None) -> str:
    match = engine.match(text, lang=lang, audience=audience)
    return json.dumps(match.as_json(), ensure_ascii=False)


def _ask(args: argparse.Namespace) -> int:
    engine = _engine(args.catalogue)
    if args.text is not None:
        print(_ask_one(engine, args.text, args.lang, args.audience))
        return 0
    for line in sys.stdin:
        text, lang = line.rstrip("\n"), args.lang
        if text.lstrip().startswith("{"):
            try:
                row = json.loads(text)
                text, lang = str(row.get("text", "")), row.get("lang") or lang
            except (json.JSONDecodeError, AttributeError):
                pass
        print(_ask_one(engine, text, lang, args.audience), flush=True)
    return 0


def _eval(args: argparse.Namespace) -> int:
    engine = _engine(args.catalogue)
    with args.file.open(encoding="utf-8") as lines:
        report = evaluate(engine, read_rows(lines))
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _chat(args: argparse.Namespace) -> int:
    config = Config.from_env(need_token=False)
    chat(Service(config.settings), args.lang)
    return 0


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"ctai-bot: {exc}", file=sys.stderr)
        return 2
    run(config, webhook_url=args.webhook_url, listen=args.listen, port=args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctai-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the catalogue and list every problem")
    validate.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(run=_validate)

    chat_command = commands.add_parser("chat", help="talk with the bot in this terminal")
    chat_command.add_argument("--lang", choices=LANGUAGES)
    chat_command.set_defaults(run=_chat)

    run_command = commands.add_parser("run", help="run the Telegram bot (TELEGRAM_BOT_TOKEN)")
    run_command.add_argument("--webhook-url", help="serve a webhook at this public URL")
    run_command.add_argument("--listen", default="127.0.0.1", help="webhook: address to bind")
    run_command.add_argument("--port", type=int, default=8080, help="webhook: port to bind")
    run_command.set_defaults(run=_run)

    ask = commands.add_parser("ask", help="match one message (or stdin lines) and print JSON")
    ask.add_argument("text", nargs="?", help="the message; without it, read one per line")
    ask.add_argument("--lang", choices=LANGUAGES)
    ask.add_argument("--audience", choices=["bpi", "primo-arrivant"])
    ask.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    ask.set_defaults(run=_ask)

    evaluation = commands.add_parser("eval", help="score the engine on a labelled JSONL file")
    evaluation.add_argument("file", type=Path)
    evaluation.add_argument("--json", action="store_true")
    evaluation.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    evaluation.set_defaults(run=_eval)

    schema = commands.add_parser("schema", help="print the catalogue's JSON Schema")
    schema.add_argument("--out", type=Path, help="write it to this file")
    schema.set_defaults(run=_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
