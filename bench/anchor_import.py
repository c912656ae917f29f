#!/usr/bin/env python3
"""Anchor for the import benchmark: the same work in CPython with its C JSON parser.

Reads a Trivy or SARIF report, and builds one flat dict per finding with the fields ward keeps
(title, severity, ids, package or file location), which is the least any importer does.

usage: anchor_import.py trivy|sarif FILE
"""
import json
import sys


def trivy(doc):
    for result in doc.get("Results") or []:
        for v in result.get("Vulnerabilities") or []:
            yield {
                "title": v.get("Title") or v.get("VulnerabilityID"),
                "severity": (v.get("Severity") or "").lower(),
                "id": v.get("VulnerabilityID"),
                "package": v.get("PkgName"),
                "version": v.get("InstalledVersion"),
                "fixed": v.get("FixedVersion"),
                "target": result.get("Target"),
                "references": v.get("References") or [],
            }


def sarif(doc):
    for run in doc.get("runs") or []:
        for r in run.get("results") or []:
            loc = ((r.get("locations") or [{}])[0]).get("physicalLocation", {})
            yield {
                "title": (r.get("message") or {}).get("text"),
                "severity": r.get("level"),
                "rule": r.get("ruleId"),
                "path": loc.get("artifactLocation", {}).get("uri"),
                "line": loc.get("region", {}).get("startLine"),
            }


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        doc = json.load(f)
    findings = list((trivy if kind == "trivy" else sarif)(doc))
    print(len(findings), file=sys.stderr)


if __name__ == "__main__":
    main()
