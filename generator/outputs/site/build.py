"""Build the guidance site: validate and test → generate Markdown → `mkdocs build --strict` → swap into place.

Generation is a separate step (generator.outputs.site.pages), not a MkDocs plugin or hook, so the same
mkdocs.yml builds with Zensical too. MkDocs writes into a temporary directory beside the output;
only when the whole build succeeded is it renamed over the old site, so a failed build leaves the
previous site intact.

`serve` regenerates the docs when a policy, a template or a static asset changes and lets MkDocs's
live-reload server rebuild and refresh the browser. When a rebuild fails, the browser says so: every
page of the last good build gets a banner linking to the errors, each shown in its file at its line
(serve_errors); the next good build replaces them. The docs dir is *not* watched: the generator
writes into it, and watching it would rebuild twice (the design notes' serve loop).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # before mkdocs-material is imported

from generator.base.diagnostics import Diagnostic, InputError  # noqa: E402
from generator.base.messages import catalog, render, template  # noqa: E402
from generator.base.paths import MESSAGES, MKDOCS_CONFIG
from generator.outputs.files import PRODUCER_DIRS  # noqa: E402
from generator.outputs.site.pages import STATIC, TEMPLATES, Artifacts, generate_docs  # noqa: E402
from generator.outputs.site.search_terms import USER_DICT, tune_search_index  # noqa: E402
from generator.outputs.site.serve_errors import ERRORS_DIR, problems_of, show_failure  # noqa: E402
from generator.policy.loader import check_policy, policy_files  # noqa: E402
from generator.policy.model import Policy  # noqa: E402
from generator.rules.cases import run_cases  # noqa: E402

DEFAULT_CONFIG = MKDOCS_CONFIG


class SiteBuildError(Exception):
    """The site could not be built; `lines` say why (validator diagnostics or MkDocs warnings)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class BuildReport:
    policies: list[str]
    pages: int
    files_written: int
    site_dir: Path
    docs_dir: Path
    seconds: dict[str, float] = field(default_factory=dict)


def load_policies(paths: list[str | Path]) -> list[Policy]:
    """Every edition under paths, validated and tested: the build's trust gate.

    An edition is published only when it validates and every case of its own tests
    (<edition>.tests.yaml) passes. A validation error or a failing case fails the whole build
    (InputError), so the previous site stays. Both are reported in one run: when the errors leave the
    model sound (a help text that contradicts a cap), the cases still run, and each failing case is a
    diagnostic at its line in the tests file, naming the case and what differed."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputError([Diagnostic.of(p, 1, 1, "diagnostics.io.no_such_path") for p in missing])
    files = policy_files(paths)
    if not files:
        raise InputError([Diagnostic.of(str(p), 1, 1, "diagnostics.io.no_policy_files") for p in paths])
    policies: list[Policy] = []
    diags: list[Diagnostic] = []
    for f in files:
        checked = check_policy(f)
        diags.extend(checked.diagnostics)
        if checked.policy is None:
            continue
        try:
            results = run_cases(checked.policy, f)
        except InputError as exc:
            diags.extend(exc.diagnostics)
            continue
        diags.extend(d for r in results for d in r.diagnostics())
        if checked.ok:
            policies.append(checked.policy)
    if diags:
        raise InputError(sorted(set(diags)))
    return policies


def sync_tree(files: dict[str, bytes], target: Path, keep: tuple[str, ...] = PRODUCER_DIRS) -> int:
    """Make `target` hold exactly `files` (besides the `keep` folders); write only what changed.

    Writing only changed files keeps a running `serve` from rebuilding for nothing and keeps
    file times meaningful. Returns the number of files written or deleted.
    """
    target.mkdir(parents=True, exist_ok=True)
    changed = 0
    for rel, content in files.items():
        path = target / rel
        try:
            if path.read_bytes() == content:
                continue
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(content)
        os.replace(tmp, path)
        changed += 1
    wanted = set(files)
    for path in sorted(target.rglob("*"), reverse=True):
        rel = path.relative_to(target).as_posix()
        if rel.split("/", 1)[0] in keep:
            continue
        if path.is_file() and rel not in wanted:
            path.unlink()
            changed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


@dataclass(frozen=True)
class Producer:
    """An output the site links to (rule bundles, forms, the calculator), written by its own generator into
    one folder of the docs dir before the pages are generated; the pages link to exactly the files it wrote
    (pages.Artifacts), never to one that is missing. Producers run in the order given."""

    folder: str  # one of outputs.files.PRODUCER_DIRS
    write: Callable[[list[Policy], Path], object]


def generate(paths: list[str | Path], docs_dir: Path,
             producers: Sequence[Producer] = ()) -> tuple[list[Policy], dict[str, bytes], int]:
    """Validate and write the generated docs into docs_dir; (policies, files, files written)."""
    policies = load_policies(paths)
    for producer in producers:
        if producer.folder not in PRODUCER_DIRS:
            raise ValueError(f"producers write into one of {', '.join(PRODUCER_DIRS)}, not '{producer.folder}'")
        target = docs_dir / producer.folder
        shutil.rmtree(target, ignore_errors=True)  # the producer's output is rewritten whole
        target.mkdir(parents=True, exist_ok=True)
        producer.write(policies, target)
    artifacts = Artifacts.scan(docs_dir)
    files = generate_docs(policies, artifacts)
    written = sync_tree(files, docs_dir)
    return policies, files, written


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


def _quiet_jieba() -> None:
    try:
        import jieba  # noqa: PLC0415
    except ImportError:
        return
    jieba.setLogLevel(logging.WARNING)


# Material's search worker segments a Chinese query with the index's own words but never tries the
# whole query (`j < query.length`): 学时 became 学*, 普通话 became 普通*. The one comparison that
# decides it, in the minified worker MkDocs-Material 9.x ships; patched in the built site only.
SEARCH_WORKER_GLOB = "assets/javascripts/workers/search.*.min.js"
SEGMENT_LOOP = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e"
SEGMENT_LOOP_FIXED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"


def patch_search_worker(site_dir: Path) -> int:
    """Let the search worker keep a whole Chinese query word (学时, 二乙) when the index has it; returns
    the number of workers patched. Raises SiteBuildError when the theme's worker no longer has the loop
    (a new MkDocs-Material: check whether it still needs this)."""
    patched = 0
    for worker in sorted(site_dir.glob(SEARCH_WORKER_GLOB)):
        code = worker.read_text(encoding="utf-8")
        if SEGMENT_LOOP_FIXED in code:
            continue
        if code.count(SEGMENT_LOOP) != 1:
            raise SiteBuildError([f"{worker}: the search worker's query segmentation changed; "
                                  "see generator/outputs/site/build.py patch_search_worker"])
        worker.write_text(code.replace(SEGMENT_LOOP, SEGMENT_LOOP_FIXED), encoding="utf-8")
        patched += 1
    return patched


def _use_search_terms(cfg: Any, docs_dir: Path) -> None:
    """Point the search plugin at the generated jieba user dictionary (search_terms.USER_DICT)."""
    terms = docs_dir / USER_DICT
    for name, plugin in cfg.plugins.items():
        if name.endswith("search") and hasattr(plugin.config, "jieba_dict_user") and terms.is_file():
            plugin.config.jieba_dict_user = str(terms)


def mkdocs_build(config_file: Path, docs_dir: Path, site_dir: Path, *, strict: bool = True,
                 serve_url: str | None = None) -> list[str]:
    """`mkdocs build --strict` of docs_dir into site_dir (in process: the same code path as the CLI),
    with the generated search dictionary and the search worker's query fix.

    Returns MkDocs's warnings (only possible when not strict)."""
    from mkdocs.commands.build import build  # noqa: PLC0415
    from mkdocs.config import load_config  # noqa: PLC0415
    from mkdocs.exceptions import Abort, ConfigurationError  # noqa: PLC0415

    _quiet_jieba()
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        cfg = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=strict)
        if strict and collect.lines:
            raise SiteBuildError(collect.lines + ["mkdocs.yml has warnings; --strict refuses to build"])
        _use_search_terms(cfg, docs_dir)
        build(cfg, serve_url=serve_url)
        patch_search_worker(site_dir)
        tune_search_index(site_dir)
        return collect.lines
    except (Abort, ConfigurationError) as exc:
        raise SiteBuildError(collect.lines + [str(exc)]) from None
    finally:
        logger.removeHandler(collect)


def _swap(new: Path, target: Path) -> None:
    """Rename the finished build over the old site; the old one is removed only afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def default_docs_dir(config_file: Path) -> Path:
    """The docs_dir mkdocs.yml names (build/docs), resolved against the config's folder."""
    import yaml  # noqa: PLC0415

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader) or {}
    return (config_file.parent / data.get("docs_dir", "docs")).resolve()


def build_site(paths: list[str | Path], site_dir: str | Path = "site", docs_dir: str | Path | None = None,
               config_file: str | Path = DEFAULT_CONFIG, *, strict: bool = True, docs_only: bool = False,
               producers: Sequence[Producer] = ()) -> BuildReport:
    """The whole build. Raises InputError (invalid policies) or SiteBuildError (MkDocs refused)."""
    config_file = Path(config_file).resolve()
    docs = Path(docs_dir).resolve() if docs_dir else default_docs_dir(config_file)
    site = Path(site_dir).resolve()
    with build_lock(docs, site):
        _remove_leftovers(site)
        return _build_site(paths, site, docs, config_file, strict=strict, docs_only=docs_only, producers=producers)


def lock_files(docs: Path, site: Path) -> list[Path]:
    """The lock files of a build: one beside its docs dir, one beside its site (in a fixed order)."""
    return sorted({docs.parent / f".{docs.name}.lock", site.parent / f".{site.name}.lock"})


@contextlib.contextmanager
def build_lock(docs: Path, site: Path) -> Iterator[None]:
    """One build at a time per docs dir and per site: two builds sharing build/docs crashed with
    FileNotFoundError. A second build says it waits, and waits (the lock goes with the process, even killed)."""
    import fcntl  # noqa: PLC0415 - POSIX only, like the rest of the build

    handles = []
    try:
        for path in lock_files(docs, site):
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+")  # noqa: SIM115 - held until the build ends
            handles.append(handle)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(render("diagnostics.cli.build_waiting", {"lock": path}), file=sys.stderr, flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        for handle in handles:
            handle.close()


def _remove_leftovers(site: Path) -> None:
    """Temporary sites of builds that were killed (SIGKILL leaves an 11 MB .site.tmp-*): with the lock held,
    no other build owns them."""
    for pattern in (f".{site.name}.tmp-*", f".{site.name}.old-*"):
        for left in site.parent.glob(pattern):
            if left.is_dir() and not left.is_symlink():
                shutil.rmtree(left, ignore_errors=True)


def _build_site(paths: list[str | Path], site: Path, docs: Path, config_file: Path, *, strict: bool, docs_only: bool,
                producers: Sequence[Producer]) -> BuildReport:
    t0 = time.perf_counter()
    policies, files, written = generate(paths, docs, producers)
    t1 = time.perf_counter()
    report = BuildReport([p.key for p in policies], sum(1 for f in files if f.endswith(".md")), written, site, docs,
                         {"generate": t1 - t0})
    if docs_only:
        return report
    site.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.tmp-", dir=site.parent))
    try:
        mkdocs_build(config_file, docs, tmp, strict=strict)
        _swap(tmp, site)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.seconds["mkdocs"] = time.perf_counter() - t1
    return report


def watched_paths(paths: list[str | Path], config_file: Path) -> list[Path]:
    """What `serve` watches: the policies (and the source texts next to them), templates, messages,
    static assets and mkdocs.yml — never the generated docs dir."""
    out: list[Path] = []
    for p in map(Path, paths):
        p = p.resolve()
        root = p if p.is_dir() else p.parent.parent  # a single file: watch its policies/ root (parents, sources)
        out.append(root)
    out += [TEMPLATES, MESSAGES, STATIC, config_file]
    unique: list[Path] = []
    for p in out:
        if not any(p == u or u in p.parents for u in unique):
            unique = [u for u in unique if p not in u.parents] + [p]
    return unique


def serve(paths: list[str | Path], docs_dir: str | Path | None = None, config_file: str | Path = DEFAULT_CONFIG,
          host: str = "127.0.0.1", port: int = 8000, *, on_ready: Callable[[Any], None] | None = None,
          log: Callable[[str], None] = print, producers: Sequence[Producer] = ()) -> None:
    """Preview with live reload; regenerates pages when a policy or template changes."""
    from mkdocs.livereload import LiveReloadServer  # noqa: PLC0415

    config_file = Path(config_file).resolve()
    docs = Path(docs_dir).resolve() if docs_dir else default_docs_dir(config_file)
    site = Path(tempfile.mkdtemp(prefix="jxjy-serve-"))
    url = f"http://{host}:{port}/"

    def builder(first: bool = False) -> None:
        start = time.perf_counter()
        catalog.cache_clear()  # the message catalog may have been edited too
        template.cache_clear()
        try:
            _, _, written = generate(paths, docs, producers)
            for line in mkdocs_build(config_file, docs, site, strict=False, serve_url=url):
                log(line)  # `jxjy build` would refuse these (strict)
        except InputError as exc:
            lines = [d.format() for d in sorted(set(exc.diagnostics))]
            problems = problems_of(diagnostics=list(exc.diagnostics))
        except SiteBuildError as exc:
            lines = exc.lines
            problems = problems_of(lines=exc.lines)
        else:
            log(f"rebuilt ({written} generated files changed) in {time.perf_counter() - start:.1f} s")
            return
        for line in lines:
            log(line)
        if first:
            raise SiteBuildError(lines)
        # the preview keeps the last good build, and says so on every page, with the errors a click away
        show_failure(site, problems)
        log(render("diagnostics.serve.build_failed_page", {"url": f"{url}{ERRORS_DIR}/index.html"}))

    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site))
    try:
        builder(first=True)
        for p in watched_paths(paths, config_file):
            server.watch(str(p))
        if on_ready is not None:
            on_ready(server)
        log(f"serving on {url} (Ctrl+C to stop)")
        try:
            server.serve()
        except KeyboardInterrupt:
            log("shutting down")
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(site, ignore_errors=True)
