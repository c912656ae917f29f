#!/usr/bin/env python3
"""Drives a ward server with DefectDojo's generated Python client (PyPI
`defectdojo-api-generated`, written from DefectDojo's OpenAPI document, not by ward):
an import-scan, a reimport-scan of the same report, a reimport by test id, and a refused
scan type. The client's pydantic models validate every reply.

usage: WARD_URL=http://127.0.0.1:PORT WARD_KEY=ward_... defectdojo_client.py REPORT
Prints one JSON object with what it saw; exits non-zero on any mismatch.
"""
import datetime
import json
import os
import sys

from defectdojo_api_generated import DefectDojo
from defectdojo_api_generated.exceptions import ApiException
from defectdojo_api_generated.models.import_scan import ImportScan
from defectdojo_api_generated.models.re_import_scan import ReImportScan


def check(condition, message):
    if not condition:
        print(f"mismatch: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    report = sys.argv[1]
    dojo = DefectDojo(base_url=os.environ["WARD_URL"], token=os.environ["WARD_KEY"])

    imported = dojo.import_scan_api.create(
        scan_type="Trivy Scan",
        file=report,
        product_name="python-client",
        engagement_name="ci",
        product_type_name="platform",
        auto_create_context=True,
        minimum_severity="Info",
        active=True,
        verified=False,
        close_old_findings=False,
        tags=["ci", "nightly"],
        scan_date=datetime.date(2024, 3, 1),
        test_title="image scan",
        version="1.0.0",
        branch_tag="main",
        commit_hash="0123abcd",
        build_id="77",
    )
    check(isinstance(imported, ImportScan), f"import-scan reply is {type(imported)}")
    check(isinstance(imported.test_id, int) and imported.test == imported.test_id, "test ids")
    check(isinstance(imported.engagement_id, int), "engagement_id")
    check(isinstance(imported.product_id, int), "product_id")
    check(imported.scan_type == "Trivy Scan", "scan_type echoed")
    check(imported.tags == ["ci", "nightly"], f"tags echoed: {imported.tags}")
    after = imported.statistics.after
    check(after.total.total == 8 and after.low.total == 8, f"after: {after}")
    check(imported.statistics.before is None, "no `before` on import-scan")

    reimported = dojo.reimport_scan_api.create(
        scan_type="Trivy Scan",
        file=report,
        product_name="python-client",
        engagement_name="ci",
        test_title="image scan",
    )
    check(isinstance(reimported, ReImportScan), f"reimport-scan reply is {type(reimported)}")
    check(reimported.test_id == imported.test_id, "reimport lands in the imported test")
    check(reimported.statistics.before == reimported.statistics.after, "nothing changed")
    check(reimported.close_old_findings is True, "reimport closes old findings by default")

    by_id = dojo.reimport_scan_api.create(
        scan_type="Trivy Scan", file=report, test=imported.test_id
    )
    check(by_id.test_id == imported.test_id, "reimport by test id")

    try:
        dojo.import_scan_api.create(
            scan_type="No Such Scan",
            file=report,
            product_name="python-client",
            engagement_name="ci",
        )
        check(False, "an unknown scan type was accepted")
    except ApiException as error:
        body = json.loads(error.body)
        check(error.status == 400, f"status {error.status}")
        check(body == {"scan_type": ['"No Such Scan" is not a valid choice.']}, f"body {body}")

    print(json.dumps({
        "test_id": imported.test_id,
        "engagement_id": imported.engagement_id,
        "product_id": imported.product_id,
        "after_total": after.total.total,
        "reimport_test_id": reimported.test_id,
    }))


if __name__ == "__main__":
    main()
