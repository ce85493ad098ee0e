"""The ``chatbi`` command: demo-data and serve (more subcommands join as channels arrive)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from semantic_layer.errors import SemanticError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}")


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def build_demo(out: str, end_date: dt.date, seed: int, scale: float) -> None:
    from service.demo_data.load import load_demo_warehouse
    from service.warehouse_url import parse_warehouse_url

    url = parse_warehouse_url(out)
    started = time.perf_counter()
    counts = load_demo_warehouse(out, end_date, seed, scale)
    took = time.perf_counter() - started
    size = f" ({url.path.stat().st_size / 1e6:.1f} MB)" if url.engine == "duckdb" else ""
    print(f"built {url.redacted()} in {took:.1f} s{size}: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))


def _demo_data(args: argparse.Namespace) -> None:
    build_demo(args.out, args.end_date, args.seed, args.scale)


def _serve(args: argparse.Namespace) -> None:
    import os

    import uvicorn

    from service.settings import Settings
    from service.warehouse_url import parse_warehouse_url

    workers = args.workers or os.cpu_count() or 1
    settings = Settings(**_overrides(args), workers=workers)
    if settings.auth == "auto":  # keys are required unless the service listens on loopback only
        settings = settings.model_copy(update={"auth": "off" if args.host in LOOPBACK else "on"})
        print(f"auth {settings.auth} ({'loopback: open demo' if settings.auth == 'off' else 'API keys required'})")
    url = parse_warehouse_url(settings.db_path)
    if url.engine == "duckdb" and not url.path.exists():
        if args.db:
            raise SystemExit(f"warehouse file not found: {args.db}")
        print(f"no warehouse at {settings.db_path}: building the demo warehouse first")
        build_demo(settings.db_path, dt.date.today() - dt.timedelta(days=1), 7, 1.0)
    # X-Forwarded-For is believed only from the proxies named in CHATBI_TRUSTED_PROXIES (uvicorn
    # would otherwise trust it from 127.0.0.1, and a rotating header would reset per-address limits)
    proxies = settings.trusted_proxies.strip()
    # every worker process builds its app from these settings (CHATBI_* in its environment)
    os.environ.update({f"CHATBI_{name.upper()}": str(value) for name, value in
                       settings.model_dump(include={"db_path", "model_path", "auth", "workers"}).items()})
    uvicorn.run("service.main:create_app", factory=True, workers=workers, host=args.host, port=args.port,
                access_log=False, log_config=LOG_CONFIG, proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)


MODEL_HELP = "semantic model YAML (default: CHATBI_MODEL_PATH or the demo shop's)"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WAREHOUSE_HELP = ("warehouse: a DuckDB file or URL (postgresql://…, clickhouse://…, chdb:///dir; "
                  "default: CHATBI_DB_PATH or data/demo.duckdb)")
# uvicorn's own lines in the same JSON shape; requests are logged by the service (without query strings)
LOG_CONFIG = {
    "version": 1, "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.observability.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "loggers": {"uvicorn": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
                "uvicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False}},
}


def _settings(args: argparse.Namespace) -> None:
    from service.settings import Settings

    for name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None)
        variable = aliases[0] if aliases else f"CHATBI_{name.upper()}"
        default = "" if field.default is None else field.default
        print(f"{variable}={default}\n    {field.description}")


def _access():
    from service.access import AccessControl
    from service.settings import Settings

    return AccessControl(Settings().access_path)


def _users(args: argparse.Namespace) -> None:
    access = _access()
    try:
        if args.action == "add":
            user = access.add_user(args.user, args.role, args.wecom)
            print(f"added {user.id} ({user.role})")
        elif args.action == "disable":
            access.disable_user(args.user)
            print(f"disabled {args.user}")
        elif not access.data.users:
            print(f"no users yet in {access.path} (add one: chatbi users add NAME --role ROLE)")
        else:
            for user in access.data.users:
                print(f"{user.id}\t{user.role}\twecom={user.wecom_userid or '-'}\t{'disabled' if user.disabled else 'active'}")
    except KeyError as error:
        raise SystemExit(f"error: {error.args[0]}")


def _roles(args: argparse.Namespace) -> None:
    from semantic_layer.loader import load_model
    from semantic_layer.policy import check_policy
    from service.access import Role

    access = _access()
    if args.action == "list":
        for name, role in access.data.roles.items():
            print(f"{name}\t{role.model_dump_json(exclude_defaults=True)}")
        return
    if not args.name:
        raise SystemExit("error: name the role: chatbi roles add NAME [--row-filter DIMENSION=V1,V2] [--hide METRIC]")
    filters: dict[str, list[str]] = {}
    for item in args.row_filter:
        dimension, _, values = item.partition("=")
        if not dimension or not values:
            raise SystemExit(f"error: --row-filter takes DIMENSION=VALUE[,VALUE...], not {item!r}")
        filters.setdefault(dimension.strip(), []).extend(v.strip() for v in values.split(",") if v.strip())
    role = Role(admin=args.admin, no_data=args.no_data, export=args.export, row_filters=filters,
                hidden_metrics=args.hide)
    problems = check_policy(load_model(), role.policy())
    if problems:
        raise SystemExit("error: " + "; ".join(problems))
    try:
        access.add_role(args.name, role)
    except KeyError as error:
        raise SystemExit(f"error: {error.args[0]}")
    print(f"added role {args.name}: {role.model_dump_json(exclude_defaults=True)}")


def _keys(args: argparse.Namespace) -> None:
    access = _access()
    try:
        if args.action == "create":
            key = access.create_key(args.target)
            print(f"{key}\n(shown once: store it now; only its hash is kept)")
        else:
            count = access.revoke_key(args.target)
            if not count:
                raise SystemExit(f"error: no active key starts with {args.target!r}")
            print(f"revoked {count} key(s)")
    except KeyError as error:
        raise SystemExit(f"error: {error.args[0]}")


def _overrides(args: argparse.Namespace) -> dict:
    """The settings a command's --db and --model name (the rest from CHATBI_* or the defaults)."""
    return {key: value for key, value in (("db_path", args.db), ("model_path", getattr(args, "model", None)))
            if value}


def _context(args: argparse.Namespace):
    from service.context import build_context
    from service.settings import Settings

    return build_context(Settings(**_overrides(args)))


def _ask(args: argparse.Namespace) -> None:
    import json

    from service.schemas import ask_response
    from semantic_layer.narrate import format_value

    context = _context(args)
    result = context.asker.ask(args.question, args.today or context.settings.today(), engine=args.engine)
    if args.json:
        print(json.dumps(ask_response(result).model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    print(result.answer_text)
    if result.restatement:
        print(f"({result.restatement})")
    if result.suggestions:
        print("\n".join(f"  - {s}" for s in result.suggestions))
    if result.result and result.result.rows:
        columns = result.result.columns
        language = result.language
        table = [[c.label.get(language, c.name) for c in columns]]
        table += [[format_value(v, "change" if c.name.endswith("__change") else c.format, language)
                   for v, c in zip(row, columns)] for row in result.result.rows[:50]]
        widths = [max(_width(str(row[i])) for row in table) for i in range(len(columns))]
        for row in table:
            print("  ".join(str(v) + " " * (w - _width(str(v))) for v, w in zip(row, widths)))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _eval(args: argparse.Namespace) -> None:
    from service.evaluate import evaluate_file, report

    context = _context(args)
    verdicts = evaluate_file(args.file, context.asker, context.warehouse)
    print(report(verdicts, failures=not args.quiet))


def _suite(args: argparse.Namespace) -> None:
    from service.question_suite import write_suite

    context = _context(args)
    count = write_suite(args.out, context.engine.model, context.values, args.today, args.count, args.seed)
    print(f"wrote {count} questions to {args.out}")


def _push(args: argparse.Namespace) -> None:
    context = _context(args)
    outcome = context.push(args.question, args.webhook)
    print(f"pushed ({outcome['status']}): errcodes {outcome['errcodes']}")


def _init(args: argparse.Namespace) -> None:
    from semantic_layer.draft import draft_model
    from semantic_layer.loader import load_model
    from service.profile_warehouse import profile_warehouse
    from service.warehouse import Warehouse

    if args.out.exists() and not args.force:
        raise SystemExit(f"error: {args.out} exists (--force replaces it)")
    warehouse = Warehouse(args.db)
    try:
        url = warehouse.url
        name = args.name or (url.path.stem if url.path else url.database)
        args.out.write_text(draft_model(profile_warehouse(warehouse), name, url.redacted()), encoding="utf-8")
        model = load_model(args.out, schema=warehouse.schema())
    finally:
        warehouse.close()
    print(f"drafted {args.out} from {url.redacted()}: {len(model.tables)} tables, {len(model.joins)} joins, "
          f"{len(model.metrics)} metrics, {len(model.dimensions)} dimensions\n"
          f"read its 'guessed' comments, then: chatbi model check {args.out} --db {url.redacted()}")


def _import_dbt(args: argparse.Namespace) -> None:
    import yaml

    from semantic_layer.loader import load_model
    from semantic_layer.metricflow.importer import import_manifest

    if args.out.exists() and not args.force:
        raise SystemExit(f"error: {args.out} exists (--force replaces it)")
    imported = import_manifest(args.path, args.name or args.out.stem, args.schema)
    args.out.write_text(yaml.safe_dump(imported.model, sort_keys=False, allow_unicode=True), encoding="utf-8")
    model = load_model(args.out)
    for note in imported.notes:
        print(f"note: {note}")
    print(f"imported {args.path} into {args.out}: {len(model.metricflow.semantic_models)} semantic models, "
          f"{len(model.metricflow.metrics)} MetricFlow metrics ({len(model.metrics)} of them also plain metrics), "
          f"{len(model.tables)} tables, {len(model.joins)} joins, {len(model.dimensions)} dimensions")


def _model_check(args: argparse.Namespace) -> None:
    from service.model_check import check_model_on_warehouse
    from service.warehouse import Warehouse

    warehouse = Warehouse(args.db)
    try:
        issues = check_model_on_warehouse(args.file, warehouse, args.today)
    finally:
        warehouse.close()
    for issue in issues:
        print(issue, file=sys.stderr)
    if issues:
        raise SystemExit(f"{len(issues)} problem(s) in {args.file}")
    print(f"ok: {args.file} matches {warehouse.url.redacted()} (tables, columns, every expression run with "
          f"LIMIT 0, every join many-to-one)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="chatbi", description="chat-BI: questions in, numbers out")
    commands = root.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo-data", help="build the deterministic demo warehouse")
    demo.add_argument("--out", required=True, help="where to write it: a DuckDB file or a warehouse URL "
                                                    "(postgresql://…, clickhouse://…, chdb:///dir)")
    demo.add_argument("--end-date", type=_date, default=dt.date.today() - dt.timedelta(days=1),
                      help="last day of data (default: yesterday)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", type=_positive, default=1.0, help="1 = ~20k customers, ~150k orders")
    demo.set_defaults(run=_demo_data)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--db", help="warehouse: a DuckDB file or URL (postgresql://…, clickhouse://…, chdb:///dir; "
                                    "default: CHATBI_DB_PATH or data/demo.duckdb, built on first run)")
    serve.add_argument("--model", type=Path, help=MODEL_HELP)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, help="worker processes (default: one per core); conversations, "
                                                   "answers, limits and the glossary are shared through the state "
                                                   "database")
    serve.set_defaults(run=_serve)

    ask = commands.add_parser("ask", help="ask one question in the terminal")
    ask.add_argument("question")
    ask.add_argument("--db", help=WAREHOUSE_HELP)
    ask.add_argument("--model", type=Path, help=MODEL_HELP)
    ask.add_argument("--today", type=_date, help="reference date for time words (default: today)")
    ask.add_argument("--engine", choices=("auto", "parser", "llm"), default="auto")
    ask.add_argument("--json", action="store_true", help="print the /api/v1/ask JSON")
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="right / clarify / confidently wrong on a question set")
    evaluate.add_argument("file", type=Path, help="JSONL: id, question, today, gold_sql or expect "
                                                  "(clarify, read_only), ordered, conversation, class")
    evaluate.add_argument("--db", help=WAREHOUSE_HELP)
    evaluate.add_argument("--quiet", action="store_true", help="only the rates, not the questions that failed "
                                                                "(for a held-out set nobody should tune to)")
    evaluate.set_defaults(run=_eval)

    suite = commands.add_parser("suite", help="write a generated question suite (gold by construction) as JSONL")
    suite.add_argument("--out", type=Path, required=True)
    suite.add_argument("--count", type=int, default=2000)
    suite.add_argument("--seed", type=int, default=7)
    suite.add_argument("--today", type=_date, default=dt.date(2025, 7, 1), help="reference date of the questions")
    suite.add_argument("--db", help=WAREHOUSE_HELP)
    suite.set_defaults(run=_suite)

    push = commands.add_parser("push", help="answer a question and post it to a WeCom group robot")
    push.add_argument("question")
    push.add_argument("--webhook", help="group robot webhook URL (default: WECOM_WEBHOOK_URL)")
    push.add_argument("--db", help=WAREHOUSE_HELP)
    push.set_defaults(run=_push)

    init = commands.add_parser("init", help="draft a semantic model from a warehouse's tables")
    init.add_argument("--db", required=True, help="the warehouse: a DuckDB file or URL (postgresql://…, "
                                                  "clickhouse://…, chdb:///dir)")
    init.add_argument("--out", type=Path, required=True, help="the model YAML to write")
    init.add_argument("--name", help="the model's name (default: the file's or the database's)")
    init.add_argument("--force", action="store_true", help="replace --out if it exists")
    init.set_defaults(run=_init)

    dbt = commands.add_parser("import-dbt", help="import dbt's semantic layer (MetricFlow YAML or semantic_manifest.json)")
    dbt.add_argument("path", type=Path, help="a directory of MetricFlow YAML or a dbt semantic_manifest.json")
    dbt.add_argument("--out", type=Path, required=True, help="the model YAML to write")
    dbt.add_argument("--schema", default="main", help="the schema of the tables ($source_schema; default: main)")
    dbt.add_argument("--name", help="the model's name (default: the file's)")
    dbt.add_argument("--force", action="store_true", help="replace --out if it exists")
    dbt.set_defaults(run=_import_dbt)

    model = commands.add_parser("model", help="work with a semantic model file")
    model_commands = model.add_subparsers(dest="model_command", required=True)
    check = model_commands.add_parser("check", help="check a model against a warehouse: names, expressions "
                                                    "run with LIMIT 0, joins many-to-one")
    check.add_argument("file", type=Path)
    check.add_argument("--db", required=True, help=WAREHOUSE_HELP)
    check.add_argument("--today", type=_date, default=dt.date.today(), help="reference date (default: today)")
    check.set_defaults(run=_model_check)

    commands.add_parser("settings", help="list every setting with its default").set_defaults(run=_settings)

    users = commands.add_parser("users", help="manage users (CHATBI_ACCESS_PATH)")
    users.add_argument("action", choices=("add", "list", "disable"))
    users.add_argument("user", nargs="?")
    users.add_argument("--role", default="analyst")
    users.add_argument("--wecom", help="the user's WeCom userid")
    users.set_defaults(run=_users)

    roles = commands.add_parser("roles", help="add or list roles (CHATBI_ACCESS_PATH)")
    roles.add_argument("action", choices=("add", "list"))
    roles.add_argument("name", nargs="?")
    roles.add_argument("--row-filter", action="append", default=[], metavar="DIMENSION=V1,V2",
                       help="rows the role sees, e.g. region=华东 (repeatable)")
    roles.add_argument("--hide", action="append", default=[], metavar="METRIC", help="a metric it may not see")
    roles.add_argument("--admin", action="store_true", help="may read the audit log, manage examples and glossary")
    roles.add_argument("--no-data", action="store_true", help="may see no figures")
    roles.add_argument("--export", action="store_true", help="may export customer lists (CSV, WeCom file)")
    roles.set_defaults(run=_roles)

    keys = commands.add_parser("keys", help="create or revoke API keys")
    keys.add_argument("action", choices=("create", "revoke"))
    keys.add_argument("target", help="create: the user id; revoke: the key's first 10 characters")
    keys.set_defaults(run=_keys)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except SemanticError as error:
        print(f"error: {error.text('en')}", file=sys.stderr)
        raise SystemExit(2)


if __name__ == "__main__":
    main()
