"""The ``dataasset`` command line: serve, worker, migrate, demo, openapi, scan, evidence (verify, export,
checkpoint)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import TaskID
from rich.table import Table
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from dataasset.core import evidence
from dataasset.core import migrate as migrations
from dataasset.core.calendar import CalendarError
from dataasset.core.db import make_engine, refresh_statistics, session_factory, transaction
from dataasset.core.workflow.definitions import DefinitionError
from dataasset.settings import get_settings

app = typer.Typer(help="数据资产管理平台 dataasset", no_args_is_help=True)
console = Console()


def main() -> None:
    """Entry point: database failures and bad rule files become one Chinese line and exit code 1,
    not a traceback."""
    try:
        app()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        console.print(f"[red]无法连接或操作数据库[/red]：{reason}")
        raise SystemExit(1) from None
    except (DefinitionError, CalendarError) as exc:  # rule files are validated at start
        console.print(f"[red]规则文件有误[/red]：{exc}")
        raise SystemExit(1) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="监听端口")] = None,
) -> None:
    """启动 Web 服务（API 与控制台）。"""
    import uvicorn

    from dataasset.api.app import create_app
    from dataasset.core import jobs

    settings = get_settings()
    app_ = create_app(settings)
    refresh_statistics(app_.state.engine)
    consumer = jobs.start_consumer(settings.job_workers) if settings.job_workers > 0 else None
    try:
        uvicorn.run(
            app_,
            host=host or settings.host,
            port=port or settings.port,
            log_level=settings.log_level,
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="工作线程数")] = 2,
) -> None:
    """单独运行后台任务（扫描、定期清查）；serve 已自带一个，此命令用于多机或 Redis 部署。"""
    import dataasset.discovery.service
    import dataasset.quality.service
    import dataasset.registry.service  # noqa: F401
    from dataasset.core import jobs

    settings = get_settings()
    jobs.configure(settings, session_factory(make_engine(settings.resolved_database_url)))
    console.print(f"后台任务已启动（{workers} 个线程，{'Redis' if settings.redis_url else 'SQLite'} 队列）")
    jobs.run_consumer(workers)


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="目标版本")] = "heads") -> None:
    """把数据库结构升级到最新版本（Alembic）。"""
    url = get_settings().resolved_database_url
    migrations.upgrade(url, revision)
    console.print(f"[green]数据库已迁移到 {revision}[/green]: {_safe(url)}")


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="仅当数据库为空时加载（不重置已有数据）")
    ] = False,
) -> None:
    """创建或重置演示数据库：监管部门、国企、评估机构、交易所、各角色用户和数据资产卡片。"""
    from dataasset import demo as demo_data

    settings = get_settings()
    url = settings.resolved_database_url
    engine = make_engine(url)
    factory = session_factory(engine)
    has_schema = inspect(engine).has_table("core_organisation")
    if has_schema:
        with transaction(factory) as session:
            loaded = demo_data.is_loaded(session)
        if loaded and if_empty:
            console.print("数据库已有数据，跳过演示数据加载。")
            _print_logins()
            return
        if loaded:
            engine.dispose()
            migrations.downgrade(url, "base")
            import shutil

            shutil.rmtree(settings.var_dir / "sources", ignore_errors=True)  # files of the old sources
    migrations.upgrade(url)
    with transaction(factory) as session:
        counts = demo_data.load(session)
    from dataasset.core import jobs

    jobs.configure(settings, factory, immediate=True)  # the demo's scans run here, not in a worker
    scans = demo_data.load_discovery(factory, settings)
    runs = demo_data.load_quality(factory, settings)
    engine.dispose()
    console.print(
        f"[green]演示数据已加载[/green]：{counts['organisations']} 个单位，{counts['users']} 个用户，"
        f"{counts['asset_cards']} 张数据资产卡片，{scans} 次数据盘点扫描，{runs} 次数据质量检查"
    )
    _print_logins()


def _print_logins() -> None:
    from dataasset import demo as demo_data

    table = Table(title=f"演示账号（密码均为 {demo_data.DEMO_PASSWORD}）")
    table.add_column("登录名")
    table.add_column("姓名")
    table.add_column("角色")
    for username, display, _org, roles in demo_data.USERS:
        table.add_row(username, display, "、".join(r.label_zh for r in roles))
    console.print(table)


@app.command()
def openapi(output: Annotated[Path | None, typer.Option(help="写入文件；缺省输出到标准输出")] = None) -> None:
    """导出 OpenAPI 文档（控制台的 API 客户端由它生成）。"""
    from dataasset.api.app import create_app

    spec = json.dumps(create_app(database_url="sqlite://").openapi(), ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(spec, encoding="utf-8")
        console.print(f"已写入 {output}")
    else:
        typer.echo(spec, nl=False)


# --- evidence log (存证) -------------------------------------------------------------------------

evidence_app = typer.Typer(help="存证日志：校验、导出、生成签名检查点", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")
_PHASES = {"entries": "校验条目", "tree": "重算默克尔树"}


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(_PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], advance=done)

        yield advance


def _key_option(value: str | None) -> set[bytes] | None:
    if not value:
        return None
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        console.print("[red]公钥应为 32 字节 Ed25519 公钥的 base64[/red]")
        raise typer.Exit(2)
    return {key}


@evidence_app.command("verify")
def evidence_verify(
    file: Annotated[Path | None, typer.Option("--file", help="校验导出文件（离线，无需数据库）")] = None,
    public_key: Annotated[
        str | None, typer.Option(help="受信任的检查点公钥（base64）；缺省用本平台密钥或导出文件中的密钥")
    ] = None,
) -> None:
    """重算每个叶子、整棵树和全部检查点签名，并核对数据与最新存证；输出 ok <条数> 或第一个问题。"""
    import dataasset.catalog
    import dataasset.quality.service
    import dataasset.registry.service  # noqa: F401
    from dataasset.core import evidence_audit
    from dataasset.core.evidence_export import ExportError

    trusted = _key_option(public_key)
    with _progress() as advance:
        if file is not None:
            try:
                report = evidence_audit.verify_file(file, trusted_keys=trusted, progress=advance)
            except (OSError, ExportError) as exc:
                console.print(f"[red]无法读取导出文件[/red]：{exc}")
                raise typer.Exit(1) from None
        else:
            settings = get_settings()
            key_file = settings.resolved_evidence_key_file
            if trusted is None and key_file.is_file():
                trusted = {evidence.signer_for(settings).public_key}
            factory = session_factory(make_engine(settings.resolved_database_url))
            with transaction(factory) as session:
                report = evidence_audit.verify_database(
                    session, trusted_keys=trusted, progress=advance, workers=os.cpu_count() or 1
                )
    first = report.first
    if first is None:
        typer.echo(f"ok {report.size}")
        return
    where = "—" if first.index is None else str(first.index)
    typer.echo(f"bad {where}: {first.reason}")
    if len(report.problems) > 1:
        console.print(f"（共发现 {len(report.problems)} 处问题）")
    raise typer.Exit(1)


@evidence_app.command("export")
def evidence_export(output: Annotated[Path, typer.Option("--output", help="导出文件（JSON Lines）")]) -> None:
    """导出全部存证条目、检查点和公钥，供 verify --file 离线校验。"""
    from dataasset.core import evidence_audit

    settings = get_settings()
    signer = evidence.signer_for(settings)
    factory = session_factory(make_engine(settings.resolved_database_url))
    with transaction(factory) as session, output.open("w", encoding="utf-8") as out:
        count = evidence_audit.export(session, out, signer.public_key, signer.name)
    console.print(f"已导出 {count} 条存证到 {output}")


@evidence_app.command("checkpoint")
def evidence_checkpoint() -> None:
    """对当前日志生成一个签名检查点（C2SP tlog-checkpoint）。"""
    settings = get_settings()
    factory = session_factory(make_engine(settings.resolved_database_url))
    with transaction(factory) as session:
        row = evidence.checkpoint(session, evidence.signer_for(settings))
        note = row.note
    typer.echo(note, nl=False)


# --- discovery (盘点/清查) without a server ------------------------------------------------------

_FORMATS = ("table", "json", "xlsx")


@app.command()
def scan(
    source: Annotated[
        str, typer.Argument(help="文件路径（CSV、xlsx、Parquet、JSON Lines、SQLite）或数据库地址")
    ],
    table: Annotated[list[str] | None, typer.Option("--table", help="只扫描这张表（可重复）")] = None,
    template: Annotated[str, typer.Option(help="分类分级模板：general、finance、industry")] = "general",
    fmt: Annotated[str, typer.Option("--format", help="输出格式：table、json、xlsx")] = "table",
    sample: Annotated[int | None, typer.Option(help="每表最多读取的行数；缺省读取全部行", min=1)] = None,
    output: Annotated[Path | None, typer.Option(help="xlsx 输出文件；缺省为 scan-结果.xlsx")] = None,
    engine: Annotated[str, typer.Option(help="计算引擎：duckdb（单机）或 spark（PySpark）")] = "duckdb",
) -> None:
    """扫描数据源：画像每一列，识别个人与敏感信息，按模板分类分级（不需要启动服务）。"""
    from dataasset.discovery import scanner
    from dataasset.discovery.connectors import mask_url
    from dataasset.discovery.types import DiscoveryError

    if fmt not in _FORMATS:
        console.print(f"[red]不支持的输出格式 {fmt}[/red]：可选 {'、'.join(_FORMATS)}")
        raise typer.Exit(2)
    if template not in ("general", "finance", "industry"):
        console.print(f"[red]没有模板 {template}[/red]：可选 general、finance、industry")
        raise typer.Exit(2)
    err = Console(stderr=True)
    try:
        with _scan_progress(err, enabled=fmt == "table" or err.is_terminal) as progress:
            if engine == "spark":
                from dataasset.discovery import spark

                results = spark.scan(source, tables=table or [], template=template, sample=sample)
            else:
                results = scanner.scan(
                    source, tables=table or [], template=template, sample=sample, progress=progress
                )
    except DiscoveryError as exc:
        err.print(f"[red]扫描失败[/red]（{exc.code}）：{exc.message}")
        raise typer.Exit(1) from None
    if fmt == "json":
        typer.echo(json.dumps(scanner.as_json(results), ensure_ascii=False))
    elif fmt == "xlsx":
        from dataasset.discovery.report import write_xlsx

        target = output or Path("scan-结果.xlsx")
        write_xlsx(results, target, source=mask_url(source))
        err.print(f"已写入 {target}")
    else:
        _print_scan(results)


@contextmanager
def _scan_progress(err: Console, *, enabled: bool) -> Iterator[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from dataasset.discovery.scanner import ScanProgress

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        "行",
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not enabled or not err.is_terminal,
    ) as bar:
        current: dict[str, TaskID] = {}

        def start(name: str, estimate: int | None) -> None:
            current["task"] = bar.add_task(f"扫描 {name}", total=estimate)

        def rows(done: int) -> None:
            if "task" in current:
                bar.update(current["task"], completed=done)

        def done(result: Any) -> None:
            if "task" in current:
                bar.update(current["task"], completed=result.profile.rows, total=result.profile.rows)

        yield ScanProgress(on_table_start=start, on_rows=rows, on_table_done=done)


def _print_scan(results: Any) -> None:
    from dataasset.discovery import detectors

    for result in results:
        title = (
            f"{result.name}：{result.profile.rows:,} 行，{len(result.columns)} 列，"
            f"重复行 {result.profile.duplicate_rows:,} — {result.grade.level_label or result.grade.grade}"
        )
        grid = Table(title=title, title_justify="left")
        for head in ("列", "类型", "空值", "不同值", "敏感类型", "置信度", "级别", "规则"):
            grid.add_column(head, overflow="fold")
        for col in result.columns:
            grid.add_row(
                col.profile.name,
                col.profile.type,
                f"{col.profile.nulls:,}",
                f"{col.profile.distinct:,}",
                detectors.label(col.detection.type_code) or "—",
                f"{col.detection.confidence:.2f}" if col.detection.type_code else "",
                f"{col.grade.level}（{col.grade.grade}）",
                col.grade.rule,
            )
        console.print(grid)
        console.print(f"分级依据：{result.grade.reason}（规则 {result.grade.rule}）")
        for col in result.columns:
            if col.detection.type_code:
                console.print(f"  [bold]{col.profile.name}[/bold]：{col.detection.explanation}")
        for warning in result.warnings:
            console.print(f"[yellow]提示[/yellow]：{warning}")


quality_app = typer.Typer(help="数据质量评价（GB/T 36344）：按规则文件检查数据源", no_args_is_help=True)
app.add_typer(quality_app, name="quality")


@quality_app.command("check")
def quality_check(
    source: Annotated[
        str, typer.Argument(help="文件路径（CSV、xlsx、Parquet、JSON Lines、SQLite）或数据库地址")
    ],
    rules: Annotated[Path, typer.Option("--rules", help="质量规则文件（YAML）")],
    table: Annotated[str | None, typer.Option("--table", help="要检查的表；缺省取规则文件的 table")] = None,
    fmt: Annotated[str, typer.Option("--format", help="输出格式：table、json")] = "table",
    ref: Annotated[
        list[str] | None,
        typer.Option("--ref", help="比对用的另一张表来自另一个文件：表名=路径（可重复）"),
    ] = None,
    engine: Annotated[str, typer.Option(help="计算引擎：duckdb（单机）或 spark（PySpark）")] = "duckdb",
) -> None:
    """按规则文件检查数据质量，给出六个维度的得分与不合格示例（不需要启动服务）。"""
    from dataasset.discovery.types import DiscoveryError
    from dataasset.quality.runner import RunOptions, read_rules, run
    from dataasset.quality.types import QualityError, RuleError

    if fmt not in ("table", "json"):
        console.print(f"[red]不支持的输出格式 {fmt}[/red]：可选 table、json")
        raise typer.Exit(2)
    if engine not in ("duckdb", "spark"):
        console.print(f"[red]不支持的计算引擎 {engine}[/red]：可选 duckdb、spark")
        raise typer.Exit(2)
    refs: dict[str, str] = {}
    for item in ref or []:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            console.print(f"[red]--ref 应写成 表名=路径[/red]：{item}")
            raise typer.Exit(2)
        refs[name.strip()] = path.strip()
    err = Console(stderr=True)
    try:
        document = read_rules(rules)
        with err.status("正在检查…", spinner="dots") if fmt == "table" and err.is_terminal else _nothing():
            report = run(source, document, RunOptions(table=table, refs=refs, engine=engine))
    except RuleError as exc:
        err.print(f"[red]质量规则有误[/red]（{rules}）：", soft_wrap=True)
        for problem in exc.problems:
            where = f"第 {problem.line} 行" if problem.line else "文件"
            err.print(f"  {where}：{problem.message}", soft_wrap=True, markup=False)
        raise typer.Exit(1) from None
    except (QualityError, DiscoveryError) as exc:
        err.print(f"[red]检查失败[/red]（{exc.code}）：{exc.message}", soft_wrap=True)
        raise typer.Exit(1) from None
    if fmt == "json":
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    _print_quality(report)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _print_quality(report: Any) -> None:
    from dataasset.quality.types import Dimension

    overall = "—" if report.overall is None else f"{report.overall:.1f}"
    console.print(
        f"[bold]{report.table}[/bold]：{report.rows:,} 行，"
        f"综合得分 [bold]{overall}[/bold]（{report.seconds:.2f} 秒）"
    )
    dims = Table(title="维度得分", title_justify="left")
    for d in Dimension:
        if d.value in report.dimensions:
            dims.add_column(d.label_zh, justify="right")
    dims.add_row(*(f"{report.dimensions[d.value]:.1f}" for d in Dimension if d.value in report.dimensions))
    console.print(dims)
    grid = Table(title="检查项", title_justify="left")
    for head in ("#", "检查", "维度", "检查数", "通过数", "得分", "说明"):
        grid.add_column(head, overflow="fold")
    for i, r in enumerate(report.results, 1):
        note = r.error or r.detail
        score = "—" if r.error else f"{r.score * 100:.2f}"
        style = "red" if r.error or r.failed else ""
        grid.add_row(
            str(i), r.check.title, Dimension(r.check.dimension).label_zh, f"{r.checked:,}", f"{r.passed:,}",
            f"[{style}]{score}[/{style}]" if style else score, note,
        )  # fmt: skip
    console.print(grid)
    for r in report.results:
        if r.examples:
            console.print(f"[bold]{r.check.title}[/bold] 不合格示例（前 {min(3, len(r.examples))} 行）：")
            for ex in r.examples[:3]:
                shown = "，".join(f"{k}={v}" for k, v in ex.items() if k != "__row")
                console.print(f"  第 {ex['__row']} 行：{shown}")
