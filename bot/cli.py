"""``ctai-bot``: one entry point, one thin subcommand per job."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot import logs
from bot.catalogue.loader import count_entries, json_schema, load_catalogue, load_or_raise
from bot.catalogue.model import LANGUAGES, THEME_IDS, Catalogue
from bot.catalogue.problems import CatalogueError
from bot.catalogue.reach import actionable, figures_table, reachable, to_do, where_to_ask
from bot.catalogue.reference import reference_markdown
from bot.config import Config, ConfigError
from bot.console import chat
from bot.coordinator.browser import render
from bot.coordinator.report import figures, report_html, write_csv
from bot.coordinator.translations import status_table
from bot.dialogue.i18n import I18n
from bot.matching.engine import MatchingEngine, Mode
from bot.matching.evaluation import evaluate, format_report, read_rows
from bot.matching.semantic import SHIPPED_VECTORS, default_semantics, write_shipped
from bot.service import Service
from bot.storage import Store, StoreError

Command = Callable[[argparse.Namespace], int]
DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue"


def _validate(args: argparse.Namespace) -> int:
    catalogue, problems = load_catalogue(args.catalogue)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    # Errors first, then warnings, each grouped by file in line order.
    for problem in sorted(errors, key=lambda p: (p.path, p.line, p.column)):
        print(problem)
    if not args.errors_only:
        for problem in sorted(warnings, key=lambda p: (p.path, p.line, p.column)):
            print(problem)
    if catalogue and not args.errors_only:
        _print_to_do(catalogue)
    operators, actions = count_entries(args.catalogue)
    failed = bool(errors) or (args.strict and bool(warnings))
    verdict = "INVALID" if failed else "valid"
    print(
        f"{verdict}: {operators} operators, {actions} actions read, "
        f"{len(errors)} errors, {len(warnings)} warnings"
        + (" (--strict: warnings count as errors)" if args.strict and warnings else "")
    )
    return 1 if failed else 0


def _print_to_do(catalogue: Catalogue) -> None:
    """The coordinator's to-do list: what a person misses on each card, worst first."""
    items = to_do(catalogue)
    if items:
        print("\nTo do: what a person misses on each card (worst first)")
    for item in items:
        if not item.actionable:
            state = "NO WAY IN"
        elif not item.reachable:
            fallback = where_to_ask(catalogue, item.action)
            state = f"shows where to ask: {fallback.id}" if fallback else "shows the coordinator"
        else:
            state = "reachable"
        print(f"  {item.action.id}: missing {', '.join(item.missing) or 'nothing'} ({state})")
    total = len(catalogue.actions)
    if not total:
        print("actionable: no cards yet")
        return
    alone = sum(reachable(catalogue, a) for a in catalogue.actions)
    acting = sum(actionable(catalogue, a) for a in catalogue.actions)
    print(
        f"actionable: {acting}/{total} cards ({acting / total:.0%}); "
        f"{alone}/{total} ({alone / total:.0%}) give a phone, an address or a website themselves"
    )


def _figures(args: argparse.Namespace) -> int:
    print(figures_table(load_or_raise(args.catalogue)))
    return 0


def _reference(args: argparse.Namespace) -> int:
    text = reference_markdown() + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _engine(directory: Path, mode: Mode = "hybrid") -> MatchingEngine:
    catalogue = load_or_raise(directory)
    if mode == "keyword":
        return MatchingEngine(catalogue)
    return MatchingEngine(catalogue, default_semantics().index(catalogue, directory), mode=mode)


def _ask_one(engine: MatchingEngine, text: str, lang: str | None, audience: str | None) -> str:
    match = engine.match(text, lang=lang, audience=audience)
    return json.dumps(match.as_json(), ensure_ascii=False)


def _ask(args: argparse.Namespace) -> int:
    engine = _engine(args.catalogue, args.engine)
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
    engine = _engine(args.catalogue, args.engine)
    with args.file.open(encoding="utf-8") as lines:
        report = evaluate(engine, read_rows(lines), by=args.by)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _vectors(args: argparse.Namespace) -> int:
    """Embed the catalogue's texts (only new ones, with the cache) and ship them beside it."""
    catalogue = load_or_raise(args.catalogue)
    semantics = default_semantics(threads=None)  # a batch job: every core helps
    index = semantics.index(catalogue, args.catalogue)
    out = args.catalogue / SHIPPED_VECTORS
    write_shipped(out, semantics.embedder.name, index.texts, index.matrix)
    print(f"{out}: {len(index)} texts, {out.stat().st_size / 2**20:.1f} MiB")
    return 0


def _chat(args: argparse.Namespace) -> int:
    config = Config.from_env(need_token=False)
    service = Service(config.settings, semantics=config.semantics())
    chat(service, args.lang, keep=args.keep, admin=args.admin)
    return 0


def _telegram(command: Command) -> Command:
    """For the commands that talk to Telegram, or make its links: only they import its
    library (``ask`` and ``validate`` start 0.3 s sooner), and its errors become one line."""

    @functools.wraps(command)
    def guarded(args: argparse.Namespace) -> int:
        from telegram.error import TelegramError

        try:
            return command(args)
        except TelegramError as exc:  # at start: Telegram unreachable, or asking to wait
            raise RuntimeError(f"Telegram: {type(exc).__name__}") from None

    return guarded


@_telegram
def _run(args: argparse.Namespace) -> int:
    from telegram.error import InvalidToken

    from bot.telegram_app import run

    config = Config.from_env()
    logs.configure(secrets=(config.token,))
    try:
        run(config, webhook_url=args.webhook_url, listen=args.listen, port=args.port)
    except InvalidToken:  # its message quotes the token: never shown
        raise ConfigError(
            "Telegram refused TELEGRAM_BOT_TOKEN (unknown or revoked): copy it again from "
            "@BotFather"
        ) from None
    return 0


def _config() -> Config:
    return Config.from_env(need_token=False)


@_telegram
def _link(args: argparse.Namespace) -> int:
    from bot.coordinator.sharing import bot_username, deep_link, write_qr

    catalogue = load_or_raise(args.catalogue)
    lang = args.lang or catalogue.territory.default_language
    link = deep_link(catalogue, bot_username(_config()), lang, args.theme or args.action)
    print(link)
    if args.qr:
        write_qr(link, args.qr)
        print(f"QR code written to {args.qr}", file=sys.stderr)
    return 0


@_telegram
def _poster(args: argparse.Namespace) -> int:
    from bot.coordinator.poster import poster_html
    from bot.coordinator.sharing import bot_username, deep_link

    catalogue = load_or_raise(args.catalogue)
    username = bot_username(_config())
    link = deep_link(catalogue, username, args.lang, args.theme)
    page = poster_html(
        catalogue, I18n(catalogue.territory.languages), args.lang, link, username, args.theme
    )
    if args.out.suffix == ".pdf":
        with tempfile.TemporaryDirectory() as tmp:
            html_page = Path(tmp) / "poster.html"
            html_page.write_text(page, encoding="utf-8")
            render(html_page, args.out.resolve())
    else:
        args.out.write_text(page, encoding="utf-8")
    print(f"poster written to {args.out}", file=sys.stderr)
    return 0


@_telegram
def _site(args: argparse.Namespace) -> int:
    from bot.coordinator.sharing import bot_username
    from bot.coordinator.site import build_site

    catalogue = load_or_raise(args.catalogue)
    username = bot_username(_config())
    written = build_site(catalogue, I18n(catalogue.territory.languages), args.out, username)
    print(
        f"{len(written)} files written to {args.out} (open {args.out / 'index.html'})",
        file=sys.stderr,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from bot.coordinator.datainclusion import export_datainclusion

    report = export_datainclusion(load_or_raise(args.catalogue), args.datainclusion)
    print(report.summary(), file=sys.stderr)
    print(f"written: {report.structures_file} and {report.services_file}", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from bot.coordinator.datainclusion import import_datainclusion

    for path in import_datainclusion(args.datainclusion, args.commune, args.out):
        print(f"draft written to {path}", file=sys.stderr)
    print(
        "every entry is unverified; put a territory.yaml and themes.yaml beside them and run "
        f"'ctai-bot validate --catalogue {args.out}'",
        file=sys.stderr,
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    config = _config()
    catalogue = load_or_raise(args.catalogue or config.catalogue_dir)
    store = Store(config.data_dir / "ctai-bot.sqlite3")
    until = args.until or dt.date.today()
    since = args.since or until - dt.timedelta(days=364)
    found = figures(store, catalogue, since, until)
    args.out.write_text(report_html(catalogue, found, since, until), encoding="utf-8")
    print(f"report written to {args.out}", file=sys.stderr)
    if args.csv:
        for path in write_csv(found, args.csv):
            print(f"  {path}", file=sys.stderr)
    return 0


def _translations(args: argparse.Namespace) -> int:
    print(status_table(load_or_raise(args.catalogue)))
    return 0


def _reads(*names: str) -> str:
    """The help's last line: the environment variables a command reads (README, 'Settings')."""
    return "reads the environment variables " + ", ".join(names) + " (see README, 'Settings')"


CATALOGUE_HELP = "the catalogue folder (default: this repository's catalogue/)"
ENGINES = ["hybrid", "keyword", "semantic"]
ENGINE_HELP = "hybrid (what the bot uses), keyword or semantic alone"
STORE_ENV = ("CTAI_CATALOGUE_DIR", "CTAI_DATA_DIR", "CTAI_INACTIVE_DAYS", "CTAI_UNMATCHED_DAYS")
MODEL_ENV = ("CTAI_CACHE_DIR", "CTAI_SEMANTIC")
LINK_ENV = ("CTAI_BOT_USERNAME", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctai-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the catalogue and list every problem")
    validate.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument(
        "--errors-only", "-q", action="store_true", help="list the errors only, not warnings"
    )
    validate.set_defaults(run=_validate)

    reference = commands.add_parser(
        "reference", help="CATALOGUE.md: every field of the catalogue, from the model"
    )
    reference.add_argument("--out", type=Path, help="write it here (else print it)")
    reference.set_defaults(run=_reference)

    figures = commands.add_parser(
        "figures", help="the catalogue's figures for the README (services, ways in, reviews)"
    )
    figures.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    figures.set_defaults(run=_figures)

    chat_command = commands.add_parser(
        "chat",
        help="talk with the bot in this terminal",
        description="Talk with the bot as a person would. Buttons are numbered: type the "
        "number to press one. /start PAYLOAD opens a deep link (e.g. /start fa_housing); "
        "/menu, /language, /status, /help, /privacy, /forget work as on Telegram; /quit or "
        "Ctrl-D ends. Each run starts as a new person.",
        epilog=_reads(*STORE_ENV, *MODEL_ENV),
    )
    chat_command.add_argument("--lang", choices=LANGUAGES, help="start in this language")
    chat_command.add_argument(
        "--continue",
        dest="keep",
        action="store_true",
        help="go on as the same person as last time (language and status answer kept)",
    )
    chat_command.add_argument(
        "--admin", action="store_true", help="also answer /stats, /unmatched and /reload"
    )
    chat_command.set_defaults(run=_chat)

    run_command = commands.add_parser(
        "run",
        help="run the Telegram bot (TELEGRAM_BOT_TOKEN)",
        epilog=_reads(
            "TELEGRAM_BOT_TOKEN",
            "TELEGRAM_API_URL",
            "CTAI_ADMIN_IDS",
            "CTAI_WEBHOOK_SECRET",
            "CTAI_OVERALL_RATE",
            "CTAI_STAFF_CHAT_ID",
            "CTAI_TICKET_DAYS",
            *STORE_ENV,
            *MODEL_ENV,
        ),
    )
    run_command.add_argument("--webhook-url", help="serve a webhook at this public URL")
    run_command.add_argument("--listen", default="127.0.0.1", help="webhook: address to bind")
    run_command.add_argument("--port", type=int, default=8080, help="webhook: port to bind")
    run_command.set_defaults(run=_run)

    ask = commands.add_parser("ask", help="match one message (or stdin lines) and print JSON")
    ask.add_argument("text", nargs="?", help="the message; without it, read one per line")
    ask.add_argument("--lang", choices=LANGUAGES, help="the message's language (else detected)")
    ask.add_argument(
        "--audience", choices=["bpi", "primo-arrivant"], help="the person's status, if known"
    )
    ask.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    ask.add_argument("--engine", choices=ENGINES, default="hybrid", help=ENGINE_HELP)
    ask.set_defaults(run=_ask)

    evaluation = commands.add_parser("eval", help="score the engine on a labelled JSONL file")
    evaluation.add_argument("file", type=Path, help="JSONL rows: text, lang, expected themes")
    evaluation.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluation.add_argument(
        "--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP
    )
    evaluation.add_argument("--engine", choices=ENGINES, default="hybrid", help=ENGINE_HELP)
    evaluation.add_argument(
        "--by", choices=["lang", "kind"], default="lang", help="group the scores by"
    )
    evaluation.set_defaults(run=_eval)

    link = commands.add_parser(
        "link", help="a deep link (and QR code) for social workers", epilog=_reads(*LINK_ENV)
    )
    link.add_argument("--lang", choices=LANGUAGES, help="open the bot in this language")
    target = link.add_mutually_exclusive_group()
    target.add_argument("--theme", help="open this theme: " + ", ".join(THEME_IDS))
    target.add_argument(
        "--action", help="open this action's card (its id: see the catalogue or CATALOGUE.md)"
    )
    link.add_argument("--qr", type=Path, help="write a QR code: FILE.png or FILE.svg")
    link.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    link.set_defaults(run=_link)

    poster = commands.add_parser(
        "poster", help="a printable A4 poster with the QR code", epilog=_reads(*LINK_ENV)
    )
    poster.add_argument("--lang", choices=LANGUAGES, required=True, help="the poster's language")
    poster.add_argument("--theme", help="the theme the QR code opens: " + ", ".join(THEME_IDS))
    poster.add_argument("--out", type=Path, required=True, help="poster.html or poster.pdf")
    poster.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    poster.set_defaults(run=_poster)

    site = commands.add_parser(
        "site",
        help="a static website of the catalogue, one folder per language",
        epilog=_reads(*LINK_ENV),
    )
    site.add_argument("--out", type=Path, required=True, help="the folder to write the site in")
    site.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    site.set_defaults(run=_site)

    export = commands.add_parser(
        "export", help="the catalogue in the national data·inclusion schema (JSON)"
    )
    export.add_argument(
        "--datainclusion",
        type=Path,
        required=True,
        metavar="DIR",
        help="write structures.json and services.json in this folder",
    )
    export.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    export.set_defaults(run=_export)

    importing = commands.add_parser(
        "import", help="draft operators and actions from a data·inclusion dump, for one commune"
    )
    importing.add_argument(
        "--datainclusion",
        type=Path,
        required=True,
        metavar="FILE_OR_DIR",
        help="a folder with structures*.json and services*.json, or one JSON file",
    )
    importing.add_argument(
        "--commune",
        required=True,
        metavar="CODE",
        help="the commune's INSEE code (e.g. 86194); a record without one is matched on its "
        "postcode",
    )
    importing.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="where to write operators.yaml and actions.yaml (unverified drafts)",
    )
    importing.set_defaults(run=_import)

    report = commands.add_parser(
        "report",
        help="the evaluation report (HTML, and CSV)",
        epilog=_reads("CTAI_CATALOGUE_DIR", "CTAI_DATA_DIR"),
    )
    report.add_argument("--since", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    report.add_argument("--until", type=dt.date.fromisoformat, help="last day, YYYY-MM-DD")
    report.add_argument(
        "--out", type=Path, default=Path("report.html"), help="the HTML file (report.html)"
    )
    report.add_argument("--csv", type=Path, help="also write each figure as CSV in this folder")
    report.add_argument("--catalogue", type=Path, help="default: CTAI_CATALOGUE_DIR")
    report.set_defaults(run=_report)

    translations = commands.add_parser("translations", help="translation status per language")
    translations.add_argument(
        "--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP
    )
    translations.set_defaults(run=_translations)

    vectors = commands.add_parser(
        "vectors", help="embed the catalogue's texts and save them beside it (fast starts)"
    )
    vectors.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help=CATALOGUE_HELP)
    vectors.set_defaults(run=_vectors)

    schema = commands.add_parser("schema", help="print the catalogue's JSON Schema")
    schema.add_argument("--out", type=Path, help="write it to this file")
    schema.set_defaults(run=_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when done, 1 when the catalogue or an input cannot be used, 2 for a bad setting:
    always one clear line per problem, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CatalogueError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        for problem in errors:
            print(problem, file=sys.stderr)
        print(
            f"ctai-bot {args.command}: the catalogue cannot be used until the errors above are "
            "fixed ('ctai-bot validate' lists them with the warnings)",
            file=sys.stderr,
        )
        return 1
    except (ConfigError, StoreError) as exc:
        print(f"ctai-bot {args.command}: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error, ValueError, RuntimeError) as exc:
        print(f"ctai-bot {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
