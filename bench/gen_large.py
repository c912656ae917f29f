#!/usr/bin/env python3
"""Makes a large Trivy or SARIF report by replicating the findings of a corpus report.

Each copy gets a distinct package name (Trivy) or file path (SARIF), so no two copies are the
same issue and nothing is merged away: the finding count grows with the file. The output is
written item by item, so making a 1 GB file needs little memory.

usage: gen_large.py trivy|sarif SOURCE OUT SIZE_MB
       gen_large.py trivy|sarif SOURCE OUT --findings N [--first-copy K]

The second form writes exactly N findings, from copy K on (default 0): reports made with
overlapping copy ranges share exactly the findings of the shared copies, which is how
bench/server.sh makes a report that is nine tenths already stored.
"""
import copy
import json
import sys


def trivy_items(doc, i):
    for result in doc["Results"]:
        if not result.get("Vulnerabilities"):
            continue
        result = copy.deepcopy(result)
        result["Target"] = f'{result["Target"]}#{i}'
        for vuln in result["Vulnerabilities"]:
            vuln["PkgName"] = f'{vuln["PkgName"]}-{i}'
        yield result


def sarif_items(doc, i):
    for result in doc["runs"][0].get("results", []):
        result = copy.deepcopy(result)
        for loc in result.get("locations", []):
            artifact = loc.get("physicalLocation", {}).get("artifactLocation")
            if artifact and "uri" in artifact:
                artifact["uri"] = f'copy{i}/{artifact["uri"]}'
        yield result


def count_items(items, doc, n_findings, first_copy, findings_of):
    """Copies from `first_copy` on, the last one cut so that there are `n_findings` findings."""
    left = n_findings
    i = first_copy
    while left > 0:
        for item in items(doc, i):
            n = findings_of(item)
            if n == 0:
                continue
            if n > left:
                item = cut(item, left)
                n = left
            yield item
            left -= n
            if left == 0:
                return
        i += 1


def cut(item, n):
    if "Vulnerabilities" in item:
        return dict(item, Vulnerabilities=item["Vulnerabilities"][:n])
    return item


def findings_of(item):
    return len(item.get("Vulnerabilities") or []) if "Target" in item else 1


def main():
    kind, source, out = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(source, encoding="utf-8") as f:
        doc = json.load(f)
    if sys.argv[4] == "--findings":
        n_findings = int(sys.argv[5])
        first_copy = int(sys.argv[7]) if len(sys.argv) > 7 and sys.argv[6] == "--first-copy" else 0
        write_counted(kind, doc, out, n_findings, first_copy)
        return
    size_mb = int(sys.argv[4])
    if kind == "trivy":
        items, head, key = trivy_items, dict(doc, Results=[]), '"Results": []'
    else:
        items, key = sarif_items, '"results": []'
        head = dict(doc, runs=[dict(doc["runs"][0], results=[])])
    prefix, suffix = json.dumps(head, indent=2).split(key)
    one_copy = sum(len(json.dumps(x, indent=2)) + 2 for x in items(doc, 0))
    copies = size_mb * 1_000_000 // one_copy + 1
    with open(out, "w", encoding="utf-8") as f:
        f.write(prefix + key[:-1] + "\n")
        first = True
        for i in range(copies):
            for item in items(doc, i):
                f.write(("" if first else ",\n") + json.dumps(item, indent=2))
                first = False
        f.write("\n]" + suffix)


def write_counted(kind, doc, out, n_findings, first_copy):
    if kind == "trivy":
        items, head, key = trivy_items, dict(doc, Results=[]), '"Results": []'
    else:
        items, key = sarif_items, '"results": []'
        head = dict(doc, runs=[dict(doc["runs"][0], results=[])])
    prefix, suffix = json.dumps(head, indent=2).split(key)
    with open(out, "w", encoding="utf-8") as f:
        f.write(prefix + key[:-1] + "\n")
        first = True
        for item in count_items(items, doc, n_findings, first_copy, findings_of):
            f.write(("" if first else ",\n") + json.dumps(item))
            first = False
        f.write("\n]" + suffix)


if __name__ == "__main__":
    main()
