#!/usr/bin/env python3
"""Checks a directory written by RunCommandHunt.EvidenceGenerator against its truth.json.

Usage: python3 check_evidence.py DIR [--format csv|jsonl|laapi] [--gzip] [--truth PATH]
(--truth defaults to DIR/truth.json)

Checks that every table is sorted and well-formed, that each Run Command in truth.json left exactly the rows it
describes (AzureActivity events, the script write inside Started..End, the PowerShellCommand rows in order),
that nothing else looks like a Run Command, recomputes every fingerprint and uniqueness, and runs a small
reference hunt (same machine, both vocabularies, no fan-out) whose result must equal the truth.
Exits 1 and prints each failure when anything is off.
"""
import csv, gzip, hashlib, io, json, re, sys
from collections import Counter, defaultdict
from datetime import datetime, timezone

ISO7 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")
RC_REGEX = re.compile(r"\-File\s(script[0-9]{1,9}\.ps1)")  # the seeds' extract(), case-sensitive
RC_OP = "microsoft.compute/virtualmachines/runcommand/action"
DYNAMIC = {"Authorization_d", "Properties_d", "AdditionalFields"}
LONGS = {"FileSize", "InitiatingProcessId", "ReportId", "InitiatingProcessFileSize", "InitiatingProcessLogonId",
         "InitiatingProcessParentId", "ProcessId", "LogonId", "RemotePort", "LocalPort", "RequestSourcePort"}
failures = []


def fail(msg):
    failures.append(msg)


def ticks(s):
    """ISO 8601 with up to 7 fractional digits -> integer 100 ns ticks (exact, no float)."""
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$", s)
    if not m:
        raise ValueError("bad datetime " + repr(s))
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    frac = (m.group(2) or "").ljust(7, "0")
    return int(base.timestamp()) * 10_000_000 + int(frac)


def opener(path, gz):
    return gzip.open(path, "rt", encoding="utf-8", newline="") if gz else open(path, encoding="utf-8", newline="")


def load(directory, table, fmt, gz):
    ext = {"csv": ".csv", "jsonl": ".jsonl", "laapi": ".json"}[fmt] + (".gz" if gz else "")
    path = f"{directory}/{table}{ext}"
    rows = []
    with opener(path, gz) as f:
        if fmt == "csv":
            raw = f.read()
            if "\r\n" not in raw:
                fail(f"{path}: rows are not CRLF-terminated (RFC 4180)")
            for i, r in enumerate(csv.DictReader(io.StringIO(raw, newline=""))):
                r["_line"] = i + 2
                for k in LONGS & r.keys():
                    r[k] = int(r[k]) if r[k] != "" else None
                rows.append(r)
        elif fmt == "jsonl":
            for i, line in enumerate(f):
                r = json.loads(line)
                r["_line"] = i + 1
                for k in DYNAMIC & r.keys():  # nested JSON in JSON Lines; back to text for uniform checks
                    r[k] = "" if r[k] is None else json.dumps(r[k], separators=(",", ":"), ensure_ascii=False)
                for k, v in list(r.items()):
                    if v is None and k not in LONGS:
                        r[k] = ""
                rows.append(r)
        else:
            doc = json.load(f)
            t = doc["tables"][0]
            if t["name"] != "PrimaryResult":
                fail(f"{path}: table name {t['name']}")
            cols = [c["name"] for c in t["columns"]]
            for i, values in enumerate(t["rows"]):
                r = dict(zip(cols, values))
                r["_line"] = i + 1
                for k, v in list(r.items()):
                    if v is None and k not in LONGS:
                        r[k] = ""
                rows.append(r)
    # well-formedness
    prev = None
    for r in rows:
        tg = r["TimeGenerated"]
        if fmt != "laapi" and not ISO7.match(tg):
            fail(f"{path}:{r['_line']} TimeGenerated '{tg}' is not ISO 8601 with 7 digits")
        r["_t"] = ticks(tg)
        if prev is not None and r["_t"] < prev:
            fail(f"{path}:{r['_line']} not sorted by TimeGenerated")
        prev = r["_t"]
        if r.get("Type") != table:
            fail(f"{path}:{r['_line']} Type '{r.get('Type')}'")
        for k in ("Authorization", "Authorization_d", "Properties", "Properties_d", "Claims", "HTTPRequest", "AdditionalFields"):
            if k in r and r[k] not in ("", None):
                try:
                    json.loads(r[k])
                except ValueError:
                    fail(f"{path}:{r['_line']} column {k} is not JSON: {r[k][:80]!r}")
    return path, rows


def fingerprint(commands):
    text = json.dumps(sorted(c.upper() for c in commands), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def command_of(row):
    af = row.get("AdditionalFields") or ""
    if not af:
        return ""
    v = json.loads(af)
    return v.get("Command", "") if isinstance(v, dict) else ""


def main(argv):
    directory = argv[1]
    fmt = argv[argv.index("--format") + 1] if "--format" in argv else "csv"
    gz = "--gzip" in argv
    truth_path = argv[argv.index("--truth") + 1] if "--truth" in argv else f"{directory}/truth.json"
    truth = json.load(open(truth_path, encoding="utf-8"))
    aa_path, aa = load(directory, "AzureActivity", fmt, gz)
    dfe_path, dfe = load(directory, "DeviceFileEvents", fmt, gz)
    de_path, de = load(directory, "DeviceEvents", fmt, gz)

    for name, path, rows in (("AzureActivity", aa_path, aa), ("DeviceFileEvents", dfe_path, dfe), ("DeviceEvents", de_path, de)):
        if truth["tables"][name]["rows"] != len(rows):
            fail(f"{path}: {len(rows)} rows, truth says {truth['tables'][name]['rows']}")

    aa_by_corr = defaultdict(list)
    for r in aa:
        aa_by_corr[r["CorrelationId"]].append(r)
    dfe_by_device = defaultdict(list)
    for r in dfe:
        dfe_by_device[r["DeviceName"]].append(r)
    de_by_key = defaultdict(list)
    for r in de:
        de_by_key[(r["DeviceName"], r["InitiatingProcessCommandLine"])].append(r)

    ops = truth["runCommands"]
    claimed_files, claimed_de = set(), set()
    last_end = {}
    for op in ops:
        cid = op["correlationId"]
        where = f"Run Command {op['index']} ({cid}, {op['virtualMachineName']})"
        events = sorted(aa_by_corr.get(cid, []), key=lambda r: r["_t"])
        if [e["ActivityStatusValue"] for e in events] != op["activityStatusValues"]:
            fail(f"{where}: AzureActivity statuses {[e['ActivityStatusValue'] for e in events]} != {op['activityStatusValues']}")
            continue
        if len({(e["Authorization"], e["Caller"]) for e in events}) != 1:
            fail(f"{where}: events differ in Authorization or Caller (would split the seeds' groups)")
        if any(e["OperationNameValue"] != op["operationNameValue"] for e in events):
            fail(f"{where}: OperationNameValue differs")
        if any(e["CallerIpAddress"] != op["callerIpAddress"] for e in events[:-1]) or events[-1]["CallerIpAddress"] != "":
            fail(f"{where}: CallerIpAddress should be on the request events and empty on the completion event")
        start, end = ticks(op["startTime"]), ticks(op["endTime"])
        if events[0]["_t"] != start or events[-1]["_t"] != end:
            fail(f"{where}: start/end do not match the events")
        scope = json.loads(events[0]["Authorization"])["scope"]
        parts = scope.split("/")
        if parts[-1] != op["virtualMachineName"] or parts[2] != op["subscriptionId"] or "virtualMachines" not in scope:
            fail(f"{where}: scope {scope} does not name the VM/subscription")
        if op["deviceName"].split(".")[0].lower() != op["virtualMachineName"].lower():
            fail(f"{where}: DeviceName {op['deviceName']} is not the VM's host name")
        vm = op["virtualMachineName"].lower()
        if vm in last_end and last_end[vm] >= start:
            fail(f"{where}: overlaps the previous Run Command on the same VM")
        last_end[vm] = end

        ext_rows = [r for r in dfe_by_device[op["deviceName"]]
                    if r["InitiatingProcessFileName"] == "RunCommandExtension.exe" and start <= r["_t"] <= end]
        scripts = [r for r in ext_rows if r["FileName"].endswith(".ps1")]
        if not op["wroteScript"]:
            if ext_rows:
                fail(f"{where}: wrote nothing per truth, but RunCommandExtension.exe rows exist in its window")
            continue
        if len(scripts) != 1 or scripts[0]["FileName"] != op["scriptFileName"]:
            fail(f"{where}: expected one {op['scriptFileName']} write inside Started..End, found {[r['FileName'] for r in scripts]}")
            continue
        s = scripts[0]
        claimed_files.add((s["DeviceName"], s["_line"]))
        if s["_t"] != ticks(op["fileCreatedTime"]) or s["FileSize"] != op["fileSize"] or s["SHA256"] != op["fileSha256"]:
            fail(f"{where}: script row time/size/hash differ from truth")
        if s["ActionType"] != "FileCreated" or not s["FolderPath"].endswith("\\Downloads\\" + op["scriptFileName"]):
            fail(f"{where}: script row ActionType/FolderPath wrong: {s['ActionType']} {s['FolderPath']}")
        if s["InitiatingProcessAccountName"].lower() != "system" or s["InitiatingProcessAccountDomain"].lower() != "nt authority":
            fail(f"{where}: script not written by SYSTEM")
        m = RC_REGEX.search(op["initiatingProcessCommandLine"])
        if not m or m.group(1) != op["scriptFileName"]:
            fail(f"{where}: the seeds' regex does not extract {op['scriptFileName']} from {op['initiatingProcessCommandLine']!r}")
        rows = sorted(de_by_key[(op["deviceName"], op["initiatingProcessCommandLine"])], key=lambda r: r["_t"])
        rows = [r for r in rows if r["InitiatingProcessId"] == op["powershellProcessId"]]
        for r in rows:
            claimed_de.add(r["_line"])
        ps = [r for r in rows if r["ActionType"] == "PowerShellCommand"]
        cmds = [command_of(r) for r in ps]
        if not cmds or cmds[0] != op["scriptFileName"] or cmds[1:] != op["commands"]:
            fail(f"{where}: PowerShellCommand rows {cmds} != [{op['scriptFileName']}] + {op['commands']}")
            continue
        if len(rows) - len(ps) != op["deviceEventsWithoutCommand"]:
            fail(f"{where}: {len(rows) - len(ps)} other rows of the script process, truth says {op['deviceEventsWithoutCommand']}")
        if not (ticks(op["fileCreatedTime"]) < ps[0]["_t"] and ps[-1]["_t"] <= end):
            fail(f"{where}: PowerShell rows not between the file write and the end")
        if len({r["_t"] for r in ps}) != len(ps):
            fail(f"{where}: two PowerShellCommand rows share a timestamp (list order would be undefined)")
        if ps[1]["_t"] != ticks(op["powershellExecStart"]) or ps[-1]["_t"] != ticks(op["powershellExecEnd"]):
            fail(f"{where}: powershellExecStart/End differ")
        if fingerprint(op["commands"]) != op["scriptFingerprintHash"]:
            fail(f"{where}: fingerprint mismatch")

    # uniqueness, recomputed
    counts = Counter(op["scriptFingerprintHash"] for op in ops if op["succeeded"])
    for op in ops:
        if op["wroteScript"] and op["unique"] != (op["succeeded"] and counts[op["scriptFingerprintHash"]] == 1):
            fail(f"Run Command {op['index']}: unique flag wrong")
    unique = {u["correlationId"] for u in truth["uniqueScripts"]}
    if unique != {op["correlationId"] for op in ops if op.get("unique")}:
        fail("uniqueScripts does not list exactly the unique Run Commands")

    # nothing else looks like Run Command
    truth_corr = {op["correlationId"] for op in ops}
    for r in aa:
        if r["OperationNameValue"].lower() == RC_OP and r["CorrelationId"] not in truth_corr:
            fail(f"{aa_path}:{r['_line']} a Run Command event not in truth")
    for r in dfe:
        if r["InitiatingProcessFileName"] == "RunCommandExtension.exe" and r["FileName"].endswith(".ps1") \
                and (r["DeviceName"], r["_line"]) not in claimed_files:
            fail(f"{dfe_path}:{r['_line']} a script write not in truth")
    for r in de:
        if RC_REGEX.search(r["InitiatingProcessCommandLine"] or "") and r["_line"] not in claimed_de:
            fail(f"{de_path}:{r['_line']} a Run Command-looking PowerShell row not in truth: {r['InitiatingProcessCommandLine']}")

    # reference hunt: same machine, both vocabularies, no fan-out
    ext_by_host = defaultdict(list)
    for f in dfe:
        if f["InitiatingProcessFileName"].lower() == "runcommandextension.exe" and f["FileName"].endswith(".ps1"):
            ext_by_host[f["DeviceName"].split(".")[0].lower()].append(f)
    ps_by_script = defaultdict(list)
    for r in de:
        m = RC_REGEX.search(r["InitiatingProcessCommandLine"] or "")
        if m and r["ActionType"] == "PowerShellCommand":
            ps_by_script[(r["DeviceName"], m.group(1))].append(r)
    found = {}
    groups = defaultdict(list)
    for r in aa:
        if r["OperationNameValue"].lower() == RC_OP and "virtualmachines" in r["Authorization"].lower():
            groups[(r["CorrelationId"], r["Authorization"], r["Caller"])].append(r)
    for (cid, auth, caller), evs in groups.items():
        if not ({e["ActivityStatusValue"].lower() for e in evs} & {"succeeded", "success"}):
            continue
        start, end = min(e["_t"] for e in evs), max(e["_t"] for e in evs)
        vm = json.loads(auth)["scope"].split("/")[-1].lower()
        for f in ext_by_host[vm]:
            if start <= f["_t"] <= end:
                cmds = [command_of(r) for r in sorted(ps_by_script[(f["DeviceName"], f["FileName"])], key=lambda r: r["_t"])
                        if f["_t"] <= r["_t"] <= end]
                found[cid] = (f["FileName"], [c for c in cmds if c and c != f["FileName"]])
    expected = {op["correlationId"]: (op["scriptFileName"], op["commands"]) for op in ops if op["succeeded"]}
    differing = sorted(k for k in set(found) | set(expected) if found.get(k) != expected.get(k))
    if differing:
        fail(f"reference hunt differs from truth for {len(differing)} Run Commands, e.g. {differing[:3]}")
    hunt_counts = Counter(fingerprint(c) for _, c in found.values())
    hunt_unique = {cid for cid, (_, c) in found.items() if hunt_counts[fingerprint(c)] == 1}
    if hunt_unique != unique:
        fail(f"reference hunt's unique scripts {sorted(hunt_unique)} != truth {sorted(unique)}")

    rc_rows = len([r for r in aa if r["CorrelationId"] in truth_corr]) + len(claimed_files) * 3 + len(claimed_de)
    total = len(aa) + len(dfe) + len(de)
    print(f"{directory}: AzureActivity {len(aa)}, DeviceFileEvents {len(dfe)}, DeviceEvents {len(de)} rows; "
          f"{len(ops)} Run Commands ({sum(o['succeeded'] for o in ops)} succeeded), {len(unique)} unique; "
          f"Run Command rows {rc_rows} of {total} ({100.0 * rc_rows / total:.1f}%)")
    if failures:
        for f in failures[:50]:
            print("FAIL: " + f)
        print(f"{len(failures)} failure(s)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
