"""The kernel's records of a process's death, in the kernel's own formats (mm/oom_kill.c,
arch/x86/kernel/traps.c, arch/x86/mm/fault.c, kernel/auditsc.c):

    Out of memory: Killed process 1234 (app) total-vm:1048576kB, anon-rss:...
    Memory cgroup out of memory: Killed process 1234 (app) total-vm:...
    oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/app.service,task_memcg=...,task=app,pid=1234,uid=0
    traps: app[1234] trap invalid opcode ip:45e0a0 sp:7ffc8f0c1e38 error:0 in app[401000+b2000]
    app[1234]: segfault at 0 ip 000000000045e0a0 sp 00007ffc8f0c1e38 error 4 in app[401000+b2000]
    audit: type=1326 audit(1700000000.123:45): ... pid=1234 comm="app" exe="/usr/bin/app" sig=31
        arch=c000003e syscall=41 ... code=0x80000000   (one line in the log)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from gomedic.postmortem.lines import LogLine
from gomedic.postmortem.signs import Kind, Sign, Source, make

OOM_RE = re.compile(r"(Memory cgroup out of memory|Out of memory(?: \(oom_kill_allocating_task\))?): "
                    r"Killed process (\d+) \(([^)]*)\)(?: total-vm:(\d+)kB, anon-rss:(\d+)kB)?")
OOM_KILL_RE = re.compile(r"oom-kill:(constraint=\w+,.*pid=\d+.*)$")
TRAP_RE = re.compile(r"traps: (.+?)\[(\d+)\] trap (.+?) ip:([0-9a-f]+) sp:([0-9a-f]+) error:(\S+)(?: in (\S+))?")
SEGV_RE = re.compile(
    r"^(.+?)\[(\d+)\]: segfault at ([0-9a-f]+) ip ([0-9a-f]+) sp ([0-9a-f]+) error (\d+)(?: in (\S+))?"
)
SECCOMP_KV = re.compile(r'(\w+)=("[^"]*"|\S+)')


def seccomp_fields(text: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in SECCOMP_KV.findall(text)}


def recognise(lines: Sequence[LogLine], pids: frozenset[int] | None = None, comm: str | None = None) -> Iterator[Sign]:
    """Signs in kernel and audit lines about the service: records of one of `pids`, or naming `comm` (the
    program's name, cut to 15 characters as the kernel keeps it); none when neither is known (another
    process's OOM kill must not be blamed)."""

    def about(pid: int, name: str) -> bool:
        return bool(pids and pid in pids) or bool(comm and name == comm[:15])

    for ln in lines:
        t = ln.text
        if ln.source is Source.KERNEL:
            m = OOM_RE.search(t)
            if m and about(int(m.group(2)), m.group(3)):
                scope = "memory cgroup" if m.group(1).startswith("Memory cgroup") else "global"
                yield make(Kind.OOM_KILL, t, ln.source, ln.ts, int(m.group(2)), scope=scope, comm=m.group(3),
                           **({"total-vm kB": m.group(4), "anon-rss kB": m.group(5)} if m.group(4) else {}))
                continue
            k = OOM_KILL_RE.search(t)
            kv = dict(p.partition("=")[::2] for p in k.group(1).split(",")) if k else {}
            if kv.get("pid", "").isdecimal() and about(int(kv["pid"]), kv.get("task", "")):
                c = kv.get("constraint", "")
                yield make(Kind.OOM_KILL, t, ln.source, ln.ts, int(kv["pid"]), constraint=c,
                           memcg=kv.get("oom_memcg", ""), comm=kv.get("task", ""),
                           scope="memory cgroup" if c == "CONSTRAINT_MEMCG" else "global")
                continue
            tr = TRAP_RE.search(t)
            if tr and about(int(tr.group(2)), tr.group(1)):
                yield make(Kind.KERNEL_TRAP, t, ln.source, ln.ts, int(tr.group(2)), comm=tr.group(1), trap=tr.group(3),
                           ip=tr.group(4), where=tr.group(7) or "")
                continue
            sg = SEGV_RE.search(t)
            if sg and about(int(sg.group(2)), sg.group(1)):
                yield make(Kind.KERNEL_SEGFAULT, t, ln.source, ln.ts, int(sg.group(2)), comm=sg.group(1),
                           addr=sg.group(3), ip=sg.group(4), where=sg.group(7) or "")
                continue
        if ln.source is Source.AUDIT and ("type=1326" in t or "type=SECCOMP" in t):
            kv = seccomp_fields(t.split("):", 1)[-1])
            pid = int(kv["pid"]) if kv.get("pid", "").isdecimal() else None
            if pid is not None and about(pid, kv.get("comm", "")):
                yield make(Kind.SECCOMP, t, ln.source, ln.ts, pid, comm=kv.get("comm", ""), exe=kv.get("exe", ""),
                           syscall=kv.get("syscall", ""), arch=kv.get("arch", ""), sig=kv.get("sig", ""),
                           code=kv.get("code", ""))
