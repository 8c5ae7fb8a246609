#!/usr/bin/env python3
"""The table of bench/all.sh: medians from WORK/times, sizes from WORK/sizes, the machine from
WORK/machine; prints it and writes OUT/latest.md and OUT/latest.csv.

usage: suite-table.py WORK OUT "TOOLS"
"""
import collections
import csv
import statistics
import sys

work, out, tools = sys.argv[1], sys.argv[2], sys.argv[3].split()

times = collections.defaultdict(list)   # label -> [seconds]
rss = collections.defaultdict(int)      # tool:set -> max KiB
for line in open(f"{work}/times"):
    label, sec, kib = line.split()
    times[label].append(float(sec))
    tool, dset, _ = label.split(":")
    rss[f"{tool}:{dset}"] = max(rss[f"{tool}:{dset}"], int(kib))
sizes = {}
for line in open(f"{work}/sizes"):
    label, b = line.split()
    sizes[label] = int(b)        # the last run's
datasets = {}
try:
    for line in open(f"{work}/datasets"):
        name, b, files = line.split()
        datasets[name] = (int(b), int(files))
except FileNotFoundError:
    pass
machine = {}
for l in open(f"{work}/machine"):
    if "=" in l:
        k, v = l.rstrip("\n").split("=", 1)
        machine[k] = v

NAMES = {"restic": "restic", "borg": "borg", "tar": "tar+zstd+openssl",
         "pg_dump_fc": "pg_dump -Fc", "pg_dump_dir": "pg_dump -Fd -j 2", "pg_restore": "pg_restore -j 2"}
file_peers = [t for t in tools if t != "rk"]
pg_peers = ["pg_dump_fc", "pg_dump_dir", "pg_restore"] if any(k.startswith("rk:saas:") for k in times) else []
peers = file_peers + pg_peers


def med(label):
    return statistics.median(times[label]) if label in times else None


rows = []  # (set, operation, unit, higher_is_better, rk value, {peer: value}, rk inside the process)


def add(dset, op, unit, higher, rk, values, inside=None):
    if rk is None:
        return
    rows.append((dset, op, unit, higher, rk, {p: v for p, v in values.items() if v is not None}, inside))


for dset, (nbytes, nfiles) in datasets.items():
    mbs = lambda sec: None if sec is None else nbytes / sec / 1e6
    add(dset, "first backup", "MB/s", True, mbs(med(f"rk:{dset}:first")),
        {p: mbs(med(f"{p}:{dset}:first")) for p in file_peers}, mbs(med(f"rk:{dset}:first-inside")))
    add(dset, "no-change re-run", "s", False, med(f"rk:{dset}:nochange"),
        {p: med(f"{p}:{dset}:nochange") for p in file_peers}, med(f"rk:{dset}:nochange-inside"))
    add(dset, "incremental (1 % round)", "s", False, med(f"rk:{dset}:incremental"),
        {p: med(f"{p}:{dset}:incremental") for p in file_peers}, med(f"rk:{dset}:incremental-inside"))
    add(dset, "one-file restore, command line", "s", False, med(f"rk:{dset}:onefile"),
        {p: med(f"{p}:{dset}:onefile") for p in file_peers}, med(f"rk:{dset}:onefile-inside"))
    add(dset, "one-file restore, inside the shell (peers: command line)", "s", False, med(f"rk:{dset}:inshell"),
        {p: med(f"{p}:{dset}:onefile") for p in file_peers})
    add(dset, "full restore", "MB/s", True, mbs(med(f"rk:{dset}:restore")),
        {p: mbs(med(f"{p}:{dset}:restore")) for p in file_peers}, mbs(med(f"rk:{dset}:restore-inside")))
    add(dset, "read-all-data verify", "s", False, med(f"rk:{dset}:verify"),
        {p: med(f"{p}:{dset}:verify") for p in file_peers}, med(f"rk:{dset}:verify-inside"))
    mb = lambda label: sizes[label] / 1e6 if label in sizes else None
    add(dset, "repository size after the first backup", "MB", False, mb(f"rk:{dset}:size"), {p: mb(f"{p}:{dset}:size") for p in file_peers})
    mib = lambda key: rss[key] / 1024 if rss.get(key) else None
    add(dset, "peak memory, largest of its commands", "MiB", False, mib(f"rk:{dset}"),
        {p: mib(f"{p}:{dset}") for p in file_peers})
if pg_peers:
    add("saas", "backup", "s", False, med("rk:saas:backup"),
        {"pg_dump_fc": med("pg_dump_fc:saas:backup"), "pg_dump_dir": med("pg_dump_dir:saas:backup")},
        med("rk:saas:backup-inside"))
    add("saas", "full restore into a new database", "s", False, med("rk:saas:restore"),
        {"pg_restore": med("pg_restore:saas:restore")}, med("rk:saas:restore-inside"))
    add("saas", "one-tenant restore into a new database (peer: full restore)", "s", False, med("rk:saas:tenant"),
        {"pg_restore": med("pg_restore:saas:restore")}, med("rk:saas:tenant-inside"))
    add("saas", "backup size (peer: the -Fc dump)", "MB", False, sizes.get("rk:saas:size", 0) / 1e6 or None,
        {"pg_dump_fc": sizes.get("pg_dump_fc:saas:size", 0) / 1e6 or None})
    add("saas", "peak client memory, backup", "MiB", False,
        max(times.get("rk:saas:backup") and [rss.get("rk:saas", 0) / 1024] or [0]) or None,
        {"pg_dump_fc": rss.get("pg_dump_fc:saas", 0) / 1024 or None})


def fmt(v, unit):
    if unit == "s":
        return f"{v:.2f}" if v < 10 else f"{v:.1f}"
    return f"{v:.0f}" if v >= 10 else f"{v:.1f}"


def ahead(rk, peer, higher):
    return rk >= peer if higher else rk <= peer


used = [p for p in peers if any(p in r[5] for r in rows)]
md = []
md.append("| data set | operation | unit | restorekit | " + " | ".join(NAMES[p] for p in used)
          + " | restorekit inside the process |")
md.append("|---|---|---|---|" + "---|" * len(used) + "---|")
csv_rows = [["data set", "operation", "unit", "better", "restorekit", "peer", "peer value",
             "restorekit / peer", "restorekit at or ahead", "restorekit inside the process"]]
behind = 0
for dset, op, unit, higher, rk, values, inside in rows:
    within = "" if inside is None else fmt(inside, unit)
    cells = []
    for p in used:
        if p not in values:
            cells.append("")
            continue
        v = values[p]
        ratio = rk / v if v else float("inf")
        ok = ahead(rk, v, higher)
        behind += 0 if ok else 1
        cells.append(f"{fmt(v, unit)} ({ratio:.2f}× {'✓' if ok else '✗'})")
        csv_rows.append([dset, op, unit, "higher" if higher else "lower", fmt(rk, unit), NAMES[p], fmt(v, unit),
                         f"{ratio:.3f}", "yes" if ok else "no", within])
    md.append(f"| {dset} | {op} | {unit} | {fmt(rk, unit)} | " + " | ".join(cells) + f" | {within} |")

m = machine
notes = [
    "",
    f"Each peer cell: the peer's value (restorekit / peer; ✓ where restorekit is at or ahead: higher is better "
    f"for MB/s, lower for s, MB and MiB). Medians of {m.get('runs')} run(s); page cache dropped before every "
    f"command: {m.get('caches_dropped')}; JVM start included in every restorekit command line figure; "
    f"'inside the process' is the command's own durationMs from its --json output (no JVM or Spring start-up).",
    f"Scale {m.get('scale')}: " + ", ".join([f"{d} {b / 1e6:.0f} MB in {f} files" for d, (b, f) in datasets.items()]
                                           + ([f"saas {m.get('saas_rows')} rows, {int(m.get('saas_bytes', 0)) / 1e6:.0f} MB on disk (DB_SCALE {m.get('db_scale')})"]
                                              if pg_peers else [])) + ".",
    f"Machine: {m.get('cores')} cores ({m.get('cpu', '?')}), {m.get('ram')} RAM, Linux {m.get('kernel')}; "
    f"load average at start {m.get('load_start', '?')} and end {m.get('load_end', '?')}; {m.get('date')}.",
    "Versions: " + ", ".join(f"{k} {m[k]}" for k in ("rk", "restic", "borg", "tar", "zstd", "openssl", "postgres")
                             if k in m) + ".",
    f"Rows where restorekit is behind a peer: {behind}.",
]
text = "\n".join(md) + "\n\n" + "\n\n".join(n for n in notes if n) + "\n"
print(text)
with open(f"{out}/latest.md", "w") as f:
    f.write(text)
with open(f"{out}/latest.csv", "w", newline="") as f:
    csv.writer(f).writerows(csv_rows)
