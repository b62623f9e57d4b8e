"""build: the functional contract — a hello world builds and runs; the build cache holds what it claims."""

from __future__ import annotations

from gomedic.facts import Facts
from gomedic.facts.go import GO_CONFIG
from gomedic.facts.gobin import CACHE_DIRS
from gomedic.facts.gocache import CACHE_SCAN
from gomedic.facts.tempbuild import HELLO_BUILD
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

T = Category.TOOLCHAIN


@check("build.works", category=T, severity=Severity.CRITICAL,
       title="A hello-world module builds and runs", deep=True, timeout_s=110.0)
def works(f: Facts) -> Finding:
    """A hello-world module, written to a temporary directory, builds with the user's go, environment
    and GOFLAGS, and the program runs and prints what it should.

    This is the end-to-end contract every other check approximates: whatever is wrong (GOROOT,
    GOCACHE, GOFLAGS, GOOS/GOARCH), it shows here as the error users see, e.g.
    `fork/exec /tmp/go-build.../exe/main: exec format error` or `build cache is required, but could
    not be located`.

    Fix: follow the first failing check above; the output of the failed build is in the evidence.
    """
    b = f.get(HELLO_BUILD)
    ev = {"command": b.command, "output": (b.output + "\n" + b.run_output).strip()[:2000]}
    cfg = f.get(GO_CONFIG)
    ev["GOOS/GOARCH"] = f"{cfg.value('GOOS')}/{cfg.value('GOARCH')}"
    if not b.ok:
        where = "runs" if b.ran else "builds"
        return fail(f"a hello-world module does not work: {b.first_error}",
                    fix=f"the step that fails is how it {where}; see the first failing check above", **ev)
    if "gomedic-hello" not in b.run_output:
        return fail(f"the hello-world program ran but printed {b.run_output[:100]!r}",
                    fix="check what `go run` runs (GOFLAGS, GOEXPERIMENT, an exec wrapper)", **ev)
    return ok(f"a hello-world module built in {b.build_s:.1f}s and ran ({ev['GOOS/GOARCH']})", **ev)


@check("build.cache", category=Category.FILESYSTEM, severity=Severity.HIGH,
       title="The build cache verifies", deep=True, timeout_s=90.0,
       thresholds={"max_entries": 200_000, "max_mib": 2048})
def cache(f: Facts) -> Finding:
    """Every build-cache entry in GOCACHE is well-formed and every output file's SHA-256 is the output ID
    its entry names: the structural check behind `GODEBUG=gocacheverify=1`, done by reading the cache.

    go treats a malformed entry as a miss, but an output file with the right size and the wrong
    content (a bad disk, a botched copy or restore of the cache in CI) is used as is: builds then fail
    with errors such as `could not import fmt (file not found)`, `object file ... is corrupt`, or link
    errors that do not go away.

    Fix: `go clean -cache` (the cache is rebuilt on the next build).
    """
    gocache = f.get(GO_CONFIG).get("GOCACHE")
    root = gocache.value
    if not root or root == "off":
        return skip(f"GOCACHE={root or '(unset)'}: no build cache to verify (see paths.gocache)")
    if not f.get(CACHE_DIRS)[root].is_dir:
        return skip(f"GOCACHE={root} does not exist yet: nothing to verify")
    max_entries = int(f.threshold("build.cache.max_entries"))
    max_bytes = int(f.threshold("build.cache.max_mib")) << 20
    res = f.get(CACHE_SCAN)
    ev = {"GOCACHE": f"{root} ({gocache.source})", "entries": str(res.entries),
          "outputs verified": str(res.outputs_checked), "MiB hashed": f"{res.bytes_hashed / (1 << 20):.1f}"}
    if res.truncated:
        ev["limit"] = f"stopped at {max_entries} entries / {max_bytes >> 20} MiB (build.cache.max_entries/max_mib)"
    for i, p in enumerate(res.corrupt[:10]):
        ev[f"corrupt[{i}]"] = p
    for i, p in enumerate(res.malformed[:10]):
        ev[f"malformed[{i}]"] = p
    if res.corrupt:
        return fail(f"GOCACHE={root}: {len(res.corrupt)} output file(s) do not match their recorded SHA-256, e.g. "
                    f"{res.corrupt[0]}: go uses them as they are", fix="go clean -cache", **ev)
    if res.malformed:
        return warn(f"GOCACHE={root}: {len(res.malformed)} malformed entry or output file(s), e.g. "
                    f"{res.malformed[0]}: go ignores and rebuilds them, but something damaged the cache",
                    fix="go clean -cache; check the disk and how the cache is saved/restored in CI", **ev)
    if res.entries == 0:
        return ok(f"GOCACHE={root} has no entries yet", **ev)
    part = " (partial: limit reached)" if res.truncated else ""
    return ok(f"GOCACHE={root}: {res.entries} entries, {res.outputs_checked} outputs verified "
              f"({ev['MiB hashed']} MiB){part}", **ev)
