"""The ``dataasset`` command line: serve, migrate, demo, openapi."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from dataasset.core import migrate as migrations
from dataasset.core.db import make_engine, session_factory, transaction
from dataasset.settings import get_settings

app = typer.Typer(help="数据资产管理平台 dataasset", no_args_is_help=True)
console = Console()


def main() -> None:
    """Entry point: database failures become one Chinese line and exit code 1, not a traceback."""
    try:
        app()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        console.print(f"[red]无法连接或操作数据库[/red]：{reason}")
        raise SystemExit(1) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="监听端口")] = None,
) -> None:
    """启动 Web 服务（API 与控制台）。"""
    import uvicorn

    from dataasset.api.app import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


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

    url = get_settings().resolved_database_url
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
    migrations.upgrade(url)
    with transaction(factory) as session:
        counts = demo_data.load(session)
    engine.dispose()
    console.print(
        f"[green]演示数据已加载[/green]：{counts['organisations']} 个单位，{counts['users']} 个用户，"
        f"{counts['asset_cards']} 张数据资产卡片"
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
