//! Trivy JSON reports (`trivy image|fs|repo|k8s --format json`): schema v2 (`SchemaVersion`,
//! `Results` with `Vulnerabilities`, `Misconfigurations`, `Secrets`, `Licenses`), the legacy
//! list of targets (before v0.20), and the Kubernetes shapes (`ClusterName` with `Resources`, or
//! with `Vulnerabilities` and `Misconfigurations` per resource). <https://github.com/aquasecurity/trivy>
//!
//! Vulnerabilities in operating-system packages of an image are `container` findings, those in
//! language packages `dependency` findings. Trivy's `Status` (the vendor's word on the
//! vulnerability) sets the status and whether it is verified. Trivy masks found secrets
//! itself; a `Match` that still holds a value is masked here.

use std::collections::BTreeMap;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use ward_core::{
    Category, CloudLocation, Confidence, FileLocation, Finding, ImageLocation, PackageLocation,
    Secret, Severity, Status,
};

use super::trivy_common::{
    apply_status, avd_id, is_os_type, k8s_resource, os_name, split_target, trivy_cvss,
    type_ecosystem, VendorCvss,
};
use crate::util::{first_item, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// Trivy, every JSON shape.
pub(crate) struct Trivy;

const TOOL: &str = "Trivy";

/// A schema v2 report, or a Kubernetes report; both are objects.
#[derive(Deserialize, Default)]
struct Report {
    #[serde(rename = "CreatedAt")]
    created_at: Option<String>,
    #[serde(rename = "ArtifactName")]
    artifact_name: Option<String>,
    #[serde(rename = "ArtifactType")]
    artifact_type: Option<String>,
    #[serde(rename = "Metadata")]
    metadata: Option<Metadata>,
    #[serde(rename = "Results")]
    results: Option<Vec<TargetResult>>,
    // Kubernetes
    #[serde(rename = "ClusterName")]
    cluster_name: Option<String>,
    #[serde(rename = "Resources")]
    resources: Option<Vec<Resource>>,
    #[serde(rename = "Vulnerabilities")]
    vulnerabilities: Option<Vec<Resource>>,
    #[serde(rename = "Misconfigurations")]
    misconfigurations: Option<Vec<Resource>>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(rename = "OS")]
    os: Option<Os>,
    #[serde(rename = "ImageID")]
    image_id: Option<String>,
    #[serde(rename = "RepoTags")]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "RepoDigests")]
    repo_digests: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Os {
    #[serde(rename = "Family")]
    family: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "Namespace")]
    namespace: Option<String>,
    #[serde(rename = "Kind")]
    kind: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Metadata")]
    metadata: Option<Metadata>,
    #[serde(rename = "Results")]
    results: Option<Vec<TargetResult>>,
}

#[derive(Deserialize)]
struct TargetResult {
    #[serde(rename = "Target")]
    target: Option<String>,
    #[serde(rename = "Class")]
    class: Option<String>,
    #[serde(rename = "Type")]
    ty: Option<String>,
    #[serde(rename = "Vulnerabilities")]
    vulnerabilities: Option<Vec<Vulnerability>>,
    #[serde(rename = "Misconfigurations")]
    misconfigurations: Option<Vec<Misconfiguration>>,
    #[serde(rename = "Secrets")]
    secrets: Option<Vec<SecretEntry>>,
    #[serde(rename = "Licenses")]
    licenses: Option<Vec<License>>,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(rename = "VulnerabilityID")]
    id: Option<String>,
    #[serde(rename = "VendorIDs")]
    vendor_ids: Option<Vec<String>>,
    #[serde(rename = "PkgName")]
    pkg_name: Option<String>,
    #[serde(rename = "PkgPath")]
    pkg_path: Option<String>,
    #[serde(rename = "PkgIdentifier")]
    pkg_identifier: Option<PkgIdentifier>,
    #[serde(rename = "InstalledVersion")]
    installed_version: Option<String>,
    #[serde(rename = "FixedVersion")]
    fixed_version: Option<String>,
    #[serde(rename = "Status")]
    status: Option<String>,
    #[serde(rename = "Layer")]
    layer: Option<Layer>,
    #[serde(rename = "SeveritySource")]
    severity_source: Option<String>,
    #[serde(rename = "PrimaryURL")]
    primary_url: Option<String>,
    #[serde(rename = "Title")]
    title: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "Severity")]
    severity: Option<String>,
    #[serde(rename = "CweIDs")]
    cwe_ids: Option<Vec<String>>,
    #[serde(rename = "CVSS")]
    cvss: Option<BTreeMap<String, VendorCvss>>,
    #[serde(rename = "References")]
    references: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct PkgIdentifier {
    #[serde(rename = "PURL")]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct Layer {
    #[serde(rename = "Digest")]
    digest: Option<String>,
    #[serde(rename = "DiffID")]
    diff_id: Option<String>,
}

#[derive(Deserialize)]
struct Misconfiguration {
    #[serde(rename = "Type")]
    ty: Option<String>,
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "AVDID")]
    avd_id: Option<String>,
    #[serde(rename = "Title")]
    title: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "Resolution")]
    resolution: Option<String>,
    #[serde(rename = "Severity")]
    severity: Option<String>,
    #[serde(rename = "PrimaryURL")]
    primary_url: Option<String>,
    #[serde(rename = "References")]
    references: Option<Vec<String>>,
    #[serde(rename = "Status")]
    status: Option<String>,
    #[serde(rename = "CauseMetadata")]
    cause: Option<Cause>,
}

#[derive(Deserialize)]
struct Cause {
    #[serde(rename = "Resource")]
    resource: Option<String>,
    #[serde(rename = "StartLine")]
    start_line: Option<u32>,
    #[serde(rename = "EndLine")]
    end_line: Option<u32>,
    #[serde(rename = "Code")]
    code: Option<Code>,
}

#[derive(Deserialize)]
struct Code {
    #[serde(rename = "Lines")]
    lines: Option<Vec<CodeLine>>,
}

#[derive(Deserialize)]
struct CodeLine {
    #[serde(rename = "Content")]
    content: Option<String>,
    #[serde(rename = "IsCause")]
    is_cause: Option<bool>,
}

#[derive(Deserialize)]
struct SecretEntry {
    #[serde(rename = "RuleID")]
    rule_id: Option<String>,
    #[serde(rename = "Category")]
    category: Option<String>,
    #[serde(rename = "Severity")]
    severity: Option<String>,
    #[serde(rename = "Title")]
    title: Option<String>,
    #[serde(rename = "StartLine")]
    start_line: Option<u32>,
    #[serde(rename = "EndLine")]
    end_line: Option<u32>,
    #[serde(rename = "Code")]
    code: Option<Code>,
    #[serde(rename = "Match")]
    matched: Option<String>,
    #[serde(rename = "Layer")]
    layer: Option<Layer>,
}

#[derive(Deserialize)]
struct License {
    #[serde(rename = "Severity")]
    severity: Option<String>,
    #[serde(rename = "Category")]
    category: Option<String>,
    #[serde(rename = "PkgName")]
    pkg_name: Option<String>,
    #[serde(rename = "FilePath")]
    file_path: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Confidence")]
    confidence: Option<f64>,
    #[serde(rename = "Link")]
    link: Option<String>,
}

impl Parser for Trivy {
    fn id(&self) -> &'static str {
        "trivy"
    }

    fn name(&self) -> &'static str {
        "Trivy"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Trivy Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(json) = input.json() else {
            return false;
        };
        if let Some(object) = json.as_object() {
            let has = |k: &str| object.contains_key(k);
            let schema_v2 = has("SchemaVersion")
                && has("ArtifactName")
                && (has("Results") || has("ArtifactType"));
            let kubernetes = has("ClusterName")
                && (has("Resources") || has("Vulnerabilities") || has("Misconfigurations"));
            return schema_v2 || kubernetes;
        }
        // Legacy: a list of targets.
        let Some(first) = first_item(json).and_then(|f| f.as_object()) else {
            return false;
        };
        let vulns_look_right = match first.get("Vulnerabilities") {
            Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::Array(items)) => items
                .first()
                .is_none_or(|v| v.get("PkgName").is_some() || v.get("VulnerabilityID").is_some()),
            _ => false,
        };
        first.contains_key("Target") && first.contains_key("Type") && vulns_look_right
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let mut findings = Vec::new();
        let mut parsed = self.parse_each(input, &mut |batch| findings.extend(batch))?;
        parsed.findings = findings;
        Ok(parsed)
    }

    fn parse_each(
        &self,
        input: &Input<'_>,
        each: &mut dyn FnMut(Vec<Finding>),
    ) -> Result<Parsed, Error> {
        let bytes = input.bytes();
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        let mut deserializer = serde_json::Deserializer::from_slice(
            bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes),
        );
        let outcome = Document {
            parsed: &mut parsed,
            each,
        }
        .deserialize(&mut deserializer)
        .and_then(|outcome| deserializer.end().map(|()| outcome));
        match outcome {
            Ok(Ok(())) => Ok(parsed),
            Ok(Err(e)) => Err(e),
            // Read again with the plain wire types: that error names the field path.
            Err(e) => Err(match first_byte(bytes) {
                Some(b'[') => de::json::<Vec<TargetResult>>(bytes).err(),
                Some(b'n') => de::json::<()>(bytes).err(),
                _ => de::json::<Report>(bytes).err(),
            }
            .unwrap_or_else(|| de::json_error(&e))),
        }
    }
}

/// Hands the findings made so far to the caller, each with the report's scan time.
fn flush(parsed: &mut Parsed, each: &mut dyn FnMut(Vec<Finding>)) {
    if parsed.findings.is_empty() {
        return;
    }
    let mut batch = std::mem::take(&mut parsed.findings);
    if let Some(time) = &parsed.scan_time {
        for f in &mut batch {
            f.scan_time = Some(time.clone());
        }
    }
    each(batch);
}

/// A whole Trivy document, read so that each target result becomes findings as soon as it has
/// been read, and those go to the caller: neither the wire form nor the findings of a large
/// report need exist all at once.
struct Document<'p> {
    parsed: &'p mut Parsed,
    each: &'p mut dyn FnMut(Vec<Finding>),
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    /// The outer error is the JSON's; the inner one says the document is not a Trivy report.
    type Value = Result<(), Error>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = Result<(), Error>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a Trivy report (an object, a list of targets, or null)")
    }

    // An empty legacy report is the bare `null`.
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(()))
    }

    // The legacy report: a list of targets.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let context = Context {
            legacy: true,
            ..Context::default()
        };
        Results {
            context: &context,
            at: "",
            parsed: self.parsed,
            each: self.each,
        }
        .visit_seq(seq)?;
        Ok(Ok(()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut report = Report::default();
        let mut streamed = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'_, str>>()? {
            match key.as_ref() {
                "CreatedAt" => {
                    report.created_at = map.next_value()?;
                    self.parsed.scan_time = non_empty(report.created_at.as_deref());
                }
                "ArtifactName" => report.artifact_name = map.next_value()?,
                "ArtifactType" => report.artifact_type = map.next_value()?,
                "Metadata" => report.metadata = map.next_value()?,
                "ClusterName" => report.cluster_name = map.next_value()?,
                "Resources" => report.resources = map.next_value()?,
                "Vulnerabilities" => report.vulnerabilities = map.next_value()?,
                "Misconfigurations" => report.misconfigurations = map.next_value()?,
                // Trivy writes the artifact before the results, so the results can be turned
                // into findings as they are read; in any other order they wait for the end.
                "Results" if header_complete(&report) => {
                    let context = artifact_context(&report);
                    map.next_value_seed(Results {
                        context: &context,
                        at: "Results",
                        parsed: self.parsed,
                        each: self.each,
                    })?;
                    streamed = true;
                }
                "Results" => report.results = map.next_value()?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let outcome = report_findings(report, streamed, self.parsed);
        flush(self.parsed, self.each);
        Ok(outcome)
    }
}

/// Whether everything the findings inherit from the artifact has been read.
fn header_complete(report: &Report) -> bool {
    match report.artifact_type.as_deref() {
        Some(t) if t.eq_ignore_ascii_case("container_image") => {
            report.artifact_name.is_some() && report.metadata.is_some()
        }
        Some(_) => true,
        None => false,
    }
}

/// A `Results` array (or a legacy report), read one target at a time; each target's findings
/// go to the caller as one batch.
struct Results<'c, 'p> {
    context: &'c Context,
    at: &'c str,
    parsed: &'p mut Parsed,
    each: &'p mut dyn FnMut(Vec<Finding>),
}

impl<'de> DeserializeSeed<'de> for Results<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Results<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of Trivy target results")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(result) = seq.next_element::<TargetResult>()? {
            let at = format!("{}[{index}]", self.at);
            target_findings(result, self.context, &at, self.parsed);
            flush(self.parsed, self.each);
            index += 1;
        }
        Ok(())
    }
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// What the findings of a schema v2 report inherit from its artifact.
fn artifact_context(report: &Report) -> Context {
    let is_image = report
        .artifact_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("container_image"));
    Context {
        image: match (&report.metadata, is_image) {
            (Some(metadata), true) => {
                image_from_metadata(report.artifact_name.as_deref(), metadata)
            }
            (None, true) => {
                image_from_metadata(report.artifact_name.as_deref(), &Metadata::default())
            }
            (_, false) => None,
        },
        resource: None,
        legacy: false,
    }
}

/// What a result's findings inherit from the report and the resource around it.
#[derive(Default)]
struct Context {
    /// The scanned image, when the artifact is one.
    image: Option<ImageLocation>,
    /// The Kubernetes resource the result belongs to.
    resource: Option<CloudLocation>,
    /// A legacy (pre schema v2) report: OS targets name their image.
    legacy: bool,
}

fn report_findings(report: Report, streamed: bool, parsed: &mut Parsed) -> Result<(), Error> {
    parsed.scan_time = non_empty(report.created_at.as_deref());
    let kubernetes = report.cluster_name.is_some()
        && (report.resources.is_some()
            || report.vulnerabilities.is_some()
            || report.misconfigurations.is_some());
    if kubernetes {
        let cluster = report.cluster_name.as_deref();
        let groups = [
            ("Vulnerabilities", report.vulnerabilities),
            ("Misconfigurations", report.misconfigurations),
            ("Resources", report.resources),
        ];
        for (name, resources) in groups {
            for (i, resource) in resources.into_iter().flatten().enumerate() {
                let metadata = resource.metadata.unwrap_or_default();
                let context = Context {
                    image: image_from_metadata(None, &metadata),
                    resource: k8s_resource(
                        resource.namespace.as_deref(),
                        resource.kind.as_deref(),
                        resource.name.as_deref(),
                        cluster,
                    ),
                    legacy: false,
                };
                for (j, result) in resource.results.into_iter().flatten().enumerate() {
                    target_findings(
                        result,
                        &context,
                        &format!("{name}[{i}].Results[{j}]"),
                        parsed,
                    );
                }
            }
        }
        return Ok(());
    }
    if !streamed && report.results.is_none() && report.artifact_name.is_none() {
        return Err(Error::WrongFormat {
            format: "trivy",
            reason: "the object has neither `Results` nor `ClusterName`".into(),
        });
    }
    let context = artifact_context(&report);
    for (i, result) in report.results.into_iter().flatten().enumerate() {
        target_findings(result, &context, &format!("Results[{i}]"), parsed);
    }
    Ok(())
}

fn image_from_metadata(name: Option<&str>, metadata: &Metadata) -> Option<ImageLocation> {
    let name = non_empty(name).or_else(|| {
        metadata
            .repo_tags
            .iter()
            .flatten()
            .find_map(|t| non_empty(Some(t)))
    })?;
    let digest = metadata
        .repo_digests
        .iter()
        .flatten()
        .find_map(|d| non_empty(d.rsplit_once('@').map(|(_, digest)| digest)))
        .or_else(|| non_empty(metadata.image_id.as_deref()));
    let os = metadata
        .os
        .as_ref()
        .and_then(|os| os_name(os.family.as_deref(), os.name.as_deref()));
    Some(ImageLocation {
        name,
        digest,
        layer: None,
        os,
    })
}

fn severity(label: Option<&str>) -> Severity {
    label
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Info)
}

fn target_findings(result: TargetResult, context: &Context, at: &str, parsed: &mut Parsed) {
    let target = non_empty(result.target.as_deref()).unwrap_or_default();
    let class = result.class.as_deref().unwrap_or("");
    let ty = result.ty.as_deref().unwrap_or("");
    for (i, vuln) in result.vulnerabilities.into_iter().flatten().enumerate() {
        match vulnerability(vuln, &target, class, ty, context) {
            Some(f) => parsed.findings.push(f),
            None => parsed.warnings.push(format!(
                "{at}.Vulnerabilities[{i}]: no vulnerability id or package name; skipped"
            )),
        }
    }
    for misconf in result.misconfigurations.into_iter().flatten() {
        if let Some(f) = misconfiguration(misconf, &target, context) {
            parsed.findings.push(f);
        }
    }
    for secret in result.secrets.into_iter().flatten() {
        parsed
            .findings
            .push(secret_finding(secret, &target, context));
    }
    for license in result.licenses.into_iter().flatten() {
        parsed
            .findings
            .push(license_finding(license, &target, context));
    }
}

fn vulnerability(
    v: Vulnerability,
    target: &str,
    class: &str,
    ty: &str,
    context: &Context,
) -> Option<Finding> {
    let id = non_empty(v.id.as_deref())?;
    let name = non_empty(v.pkg_name.as_deref())?;
    let version = non_empty(v.installed_version.as_deref());
    let os_package = match class {
        "os-pkgs" => true,
        "lang-pkgs" => false,
        _ => is_os_type(ty),
    };
    let category = if os_package {
        Category::Container
    } else {
        Category::Dependency
    };
    let title = match &version {
        Some(version) => format!("{id} {name} {version}"),
        None => format!("{id} {name}"),
    };
    let mut f = Finding::new(TOOL, category, title);
    f.severity = severity(v.severity.as_deref());
    f.tool_severity = non_empty(v.severity.as_deref());
    f.rule_id = Some(id.clone());
    f.add_id(&id);
    for vendor_id in v.vendor_ids.iter().flatten() {
        f.add_id(vendor_id);
    }
    for cwe in v.cwe_ids.iter().flatten() {
        f.add_cwe(cwe);
    }
    f.cvss = trivy_cvss(v.cvss.as_ref(), v.severity_source.as_deref());
    let fixed = non_empty(v.fixed_version.as_deref());
    f.location.package = Some(PackageLocation {
        name,
        version,
        ecosystem: type_ecosystem(ty).map(str::to_string),
        purl: v
            .pkg_identifier
            .as_ref()
            .and_then(|p| non_empty(p.purl.as_deref())),
        fixed_version: fixed.clone(),
    });
    // The file the package was found in: its own path, else a lockfile target.
    let language_named_target = matches!(
        ty,
        "jar" | "python-pkg" | "node-pkg" | "gemspec" | "conda-pkg" | "composer-vendor"
    );
    let file = non_empty(v.pkg_path.as_deref()).or_else(|| {
        (!os_package && !language_named_target && !target.is_empty()).then(|| target.to_string())
    });
    f.location.file = file.map(|path| FileLocation::new(path, None));
    f.location.image = image_for(context, target, os_package, v.layer.as_ref());
    f.location.cloud = context.resource.clone();
    let mut description = Vec::new();
    if let Some(title) = non_empty(v.title.as_deref()) {
        description.push(title);
    }
    if let Some(text) = non_empty(v.description.as_deref()) {
        if description.first() != Some(&text) {
            description.push(text);
        }
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }
    if let Some(fixed) = fixed {
        f.remediation = Some(format!("Upgrade to version {fixed}."));
    }
    if let Some(url) = v.primary_url.as_deref() {
        f.add_reference(url);
    }
    for url in v.references.iter().flatten() {
        f.add_reference(url);
    }
    apply_status(&mut f, v.status.as_deref());
    Some(f)
}

/// The image a finding is in: the scanned image, or the one an OS target names (Kubernetes and
/// legacy reports), with the layer.
fn image_for(
    context: &Context,
    target: &str,
    os_package: bool,
    layer: Option<&Layer>,
) -> Option<ImageLocation> {
    let mut image = context.image.clone();
    if os_package && (context.legacy || context.resource.is_some()) {
        let (name, os) = split_target(target);
        if os.is_some() {
            let previous = image.take().unwrap_or_default();
            image = Some(ImageLocation {
                name: name.to_string(),
                os: os.map(str::to_string).or(previous.os),
                digest: previous.digest,
                layer: None,
            });
        }
    }
    let mut image = image?;
    image.layer = layer
        .and_then(|l| non_empty(l.digest.as_deref()).or_else(|| non_empty(l.diff_id.as_deref())));
    Some(image)
}

fn misconfiguration(m: Misconfiguration, target: &str, context: &Context) -> Option<Finding> {
    let status = m.status.as_deref().map(str::to_ascii_uppercase);
    // `--include-non-failures` lists passed checks too: they are not findings.
    if status.as_deref() == Some("PASS") {
        return None;
    }
    let id = non_empty(m.id.as_deref());
    let check_title = non_empty(m.title.as_deref());
    let title = match (&id, &check_title) {
        (Some(id), Some(t)) => format!("{id} - {t}"),
        (Some(id), None) => id.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => "Misconfiguration".to_string(),
    };
    let mut f = Finding::new(TOOL, Category::Iac, title);
    f.severity = severity(m.severity.as_deref());
    f.tool_severity = non_empty(m.severity.as_deref());
    f.rule_id = id.clone();
    if let Some(avd) = non_empty(m.avd_id.as_deref()).or_else(|| id.as_deref().map(avd_id)) {
        if avd.starts_with("AVD-") {
            f.add_id(&avd);
        }
    }
    let cause = m.cause.as_ref();
    let snippet = cause.and_then(|c| code_snippet(c.code.as_ref()));
    if let Some(resource) = &context.resource {
        // A live Kubernetes resource: the target only names it again.
        f.location.cloud = Some(resource.clone());
        f.evidence = snippet;
    } else if !target.is_empty() {
        f.location.file = Some(FileLocation {
            end_line: cause.and_then(|c| c.end_line).filter(|l| *l > 0),
            snippet,
            ..FileLocation::new(target, cause.and_then(|c| c.start_line))
        });
    }
    f.location.image = context.image.clone();
    let mut description = Vec::new();
    for part in [m.description.as_deref(), m.message.as_deref()] {
        if let Some(text) = non_empty(part) {
            description.push(text);
        }
    }
    if let Some(resource) = cause.and_then(|c| non_empty(c.resource.as_deref())) {
        description.push(format!("Resource: {resource}"));
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }
    f.remediation = non_empty(m.resolution.as_deref());
    if let Some(url) = m.primary_url.as_deref() {
        f.add_reference(url);
    }
    for url in m.references.iter().flatten() {
        f.add_reference(url);
    }
    if status.as_deref() == Some("EXCEPTION") {
        f.status = Status::Accepted;
    }
    f.tags = non_empty(m.ty.as_deref()).into_iter().collect();
    Some(f)
}

/// The lines Trivy marks as the cause, else all lines it quotes.
fn code_snippet(code: Option<&Code>) -> Option<String> {
    let lines = code?.lines.as_ref()?;
    let pick = |cause_only: bool| {
        lines
            .iter()
            .filter(|l| !cause_only || l.is_cause == Some(true))
            .filter_map(|l| l.content.as_deref())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let text = pick(true);
    let text = if text.trim().is_empty() {
        pick(false)
    } else {
        text
    };
    (!text.trim().is_empty()).then_some(text)
}

/// Trivy writes found secrets masked with `*`. A match that holds no mask still carries the
/// value: the part after the last `=` or `:` is taken for it.
fn unmasked_value(matched: &str) -> Option<String> {
    if matched.contains("***") {
        return None;
    }
    let value = matched
        .rsplit(['=', ':'])
        .next()
        .unwrap_or(matched)
        .trim()
        .trim_matches(['"', '\'', '`', ';', ','])
        .trim();
    (value.chars().count() >= 8).then(|| value.to_string())
}

fn secret_finding(s: SecretEntry, target: &str, context: &Context) -> Finding {
    let matched = s.matched.clone().unwrap_or_default();
    let clear = unmasked_value(&matched);
    let secret = clear.as_deref().map(Secret::from_clear);
    let redact = |text: &str| match (&secret, &clear) {
        (Some(secret), Some(clear)) => secret.redact(text, clear),
        _ => text.to_string(),
    };
    let what = non_empty(s.title.as_deref())
        .or_else(|| non_empty(s.rule_id.as_deref()))
        .unwrap_or_else(|| "secret".into());
    let title = format!("Secret detected in {target} - {what}");
    let mut f = Finding::new(TOOL, Category::Secret, redact(&title));
    f.severity = severity(s.severity.as_deref());
    f.tool_severity = non_empty(s.severity.as_deref());
    f.rule_id = non_empty(s.rule_id.as_deref());
    let snippet = non_empty(Some(&matched))
        .or_else(|| code_snippet(s.code.as_ref()))
        .map(|text| redact(&text));
    f.location.file = Some(FileLocation {
        end_line: s.end_line.filter(|l| *l > 0),
        snippet,
        ..FileLocation::new(target, s.start_line)
    });
    if let Some(mut image) = context.image.clone() {
        image.layer = s.layer.as_ref().and_then(|l| {
            non_empty(l.digest.as_deref()).or_else(|| non_empty(l.diff_id.as_deref()))
        });
        f.location.image = Some(image);
    }
    f.location.cloud = context.resource.clone();
    if let Some(category) = non_empty(s.category.as_deref()) {
        f.description = Some(redact(&format!("{what} ({category})")));
        f.tags = vec![category];
    }
    f.secret = secret;
    f
}

fn license_finding(l: License, target: &str, context: &Context) -> Finding {
    let name = non_empty(l.name.as_deref()).unwrap_or_else(|| "unknown".into());
    let package = non_empty(l.pkg_name.as_deref());
    let subject = package
        .clone()
        .or_else(|| non_empty(l.file_path.as_deref()))
        .unwrap_or_else(|| target.to_string());
    let mut f = Finding::new(
        TOOL,
        Category::License,
        format!("License {name} in {subject}"),
    );
    f.severity = severity(l.severity.as_deref());
    f.tool_severity = non_empty(l.severity.as_deref());
    f.rule_id = Some(name.clone());
    f.confidence = l.confidence.map(|c| {
        if c >= 0.9 {
            Confidence::High
        } else if c >= 0.5 {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    });
    f.location.package = package.map(|name| PackageLocation {
        name,
        ..PackageLocation::default()
    });
    let path = non_empty(l.file_path.as_deref()).or_else(|| non_empty(Some(target)));
    f.location.file = path.map(|p| FileLocation::new(p, None));
    f.location.image = context.image.clone();
    f.location.cloud = context.resource.clone();
    if let Some(category) = non_empty(l.category.as_deref()) {
        f.description = Some(format!("License category: {category}"));
        f.tags = vec![category];
    }
    if let Some(link) = l.link.as_deref() {
        f.add_reference(link);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::CvssVersion;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Trivy.detect(&input), "not detected: {json}");
        Trivy.parse(&input).unwrap()
    }

    const V2: &str = r#"{"SchemaVersion":2,"CreatedAt":"2024-01-01T00:00:00Z","ArtifactName":"alpine:3.9","ArtifactType":"container_image",
      "Metadata":{"OS":{"Family":"alpine","Name":"3.9.4"},"ImageID":"sha256:img","RepoDigests":["alpine@sha256:abc"]},
      "Results":[
        {"Target":"alpine:3.9 (alpine 3.9.4)","Class":"os-pkgs","Type":"alpine","Vulnerabilities":[
          {"VulnerabilityID":"CVE-2020-28196","VendorIDs":["DSA-1-1"],"PkgName":"krb5-libs","InstalledVersion":"1.15.5-r0","FixedVersion":"1.15.5-r1",
           "Status":"fixed","Layer":{"DiffID":"sha256:layer"},"SeveritySource":"ghsa","Severity":"HIGH","CweIDs":["CWE-674"],
           "CVSS":{"nvd":{"V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","V3Score":9.8},
                   "ghsa":{"V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H","V3Score":7.5}}}]},
        {"Target":"app/requirements.txt","Class":"lang-pkgs","Type":"pip","Vulnerabilities":[
          {"VulnerabilityID":"CVE-2021-1","PkgName":"Django","InstalledVersion":"3.2.9","Severity":"UNKNOWN","Status":"not_affected",
           "PkgIdentifier":{"PURL":"pkg:pypi/django@3.2.9"}}]},
        {"Target":"Dockerfile","Class":"config","Type":"dockerfile","Misconfigurations":[
          {"Type":"Dockerfile Security Check","ID":"DS002","Title":"Image user should not be 'root'","Severity":"HIGH","Status":"FAIL",
           "CauseMetadata":{"StartLine":3,"EndLine":4,"Code":{"Lines":[{"Number":3,"Content":"USER root","IsCause":true}]}}},
          {"ID":"DS001","Title":"passes","Severity":"LOW","Status":"PASS"}]},
        {"Target":"app/.env","Class":"secret","Secrets":[
          {"RuleID":"aws-secret","Category":"AWS","Severity":"CRITICAL","Title":"AWS Secret","StartLine":1,"EndLine":1,
           "Match":"AWS_SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
          {"RuleID":"github-pat","Category":"GitHub","Severity":"CRITICAL","Title":"GitHub PAT","StartLine":2,"Match":"GITHUB_PAT=*****"}]},
        {"Target":"OS Packages","Class":"license","Licenses":[
          {"Severity":"HIGH","Category":"restricted","PkgName":"musl","FilePath":"","Name":"GPL-2.0","Confidence":1}]}
      ]}"#;

    #[test]
    fn schema_v2_all_classes() {
        let parsed = check(V2);
        assert_eq!(parsed.findings.len(), 6);
        assert_eq!(parsed.scan_time.as_deref(), Some("2024-01-01T00:00:00Z"));
        let os = &parsed.findings[0];
        assert_eq!(os.title, "CVE-2020-28196 krb5-libs 1.15.5-r0");
        assert_eq!(os.category, Category::Container);
        assert_eq!((os.severity, os.verified), (Severity::High, true));
        assert_eq!(os.cwe(), Some(674));
        let pkg = os.location.package.as_ref().unwrap();
        assert_eq!(pkg.ecosystem.as_deref(), Some("apk"));
        assert_eq!(pkg.fixed_version.as_deref(), Some("1.15.5-r1"));
        let image = os.location.image.as_ref().unwrap();
        assert_eq!(image.name, "alpine:3.9");
        assert_eq!(image.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(image.layer.as_deref(), Some("sha256:layer"));
        assert_eq!(image.os.as_deref(), Some("alpine 3.9.4"));
        // The severity source's rating comes first.
        let v3 = os
            .cvss
            .iter()
            .find(|c| c.version == CvssVersion::V3_1)
            .unwrap();
        assert_eq!((v3.score, v3.source.as_deref()), (Some(7.5), Some("ghsa")));
        assert!(os.location.file.is_none());

        let lang = &parsed.findings[1];
        assert_eq!(lang.category, Category::Dependency);
        assert_eq!(
            (lang.severity, lang.status),
            (Severity::Info, Status::Mitigated)
        );
        assert_eq!(
            lang.location.file.as_ref().unwrap().path,
            "app/requirements.txt"
        );
        assert_eq!(
            lang.location.package.as_ref().unwrap().purl.as_deref(),
            Some("pkg:pypi/django@3.2.9")
        );

        let misconf = &parsed.findings[2];
        assert_eq!(misconf.title, "DS002 - Image user should not be 'root'");
        assert_eq!(misconf.category, Category::Iac);
        assert_eq!(misconf.identifiers[0].value, "AVD-DS-0002");
        let file = misconf.location.file.as_ref().unwrap();
        assert_eq!((file.start_line, file.end_line), (Some(3), Some(4)));
        assert_eq!(file.snippet.as_deref(), Some("USER root"));

        let secret = &parsed.findings[3];
        assert_eq!(secret.title, "Secret detected in app/.env - AWS Secret");
        assert_eq!(secret.secret.as_ref().unwrap().masked, "wJal****");
        let masked = &parsed.findings[4];
        assert!(masked.secret.is_none());
        assert_eq!(
            masked.location.file.as_ref().unwrap().snippet.as_deref(),
            Some("GITHUB_PAT=*****")
        );
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(
            !json.contains("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "{json}"
        );

        let license = &parsed.findings[5];
        assert_eq!(license.category, Category::License);
        assert_eq!(license.title, "License GPL-2.0 in musl");
    }

    #[test]
    fn kubernetes_and_legacy() {
        let parsed = check(
            r#"{"ClusterName":"prod","Vulnerabilities":[{"Namespace":"default","Kind":"Deployment","Name":"redis","Results":[
                 {"Target":"redis:6 (debian 10.4)","Class":"os-pkgs","Type":"debian","Vulnerabilities":[
                   {"VulnerabilityID":"CVE-2020-27350","PkgName":"apt","InstalledVersion":"1.8.2.1","Severity":"MEDIUM"}]}]}],
               "Misconfigurations":[{"Namespace":"default","Kind":"Deployment","Name":"redis","Results":[
                 {"Target":"Deployment/redis","Class":"config","Type":"kubernetes","Misconfigurations":[
                   {"ID":"KSV001","Title":"Process can elevate its own privileges","Severity":"MEDIUM","Status":"FAIL"}]}]}]}"#,
        );
        let vuln = &parsed.findings[0];
        assert_eq!(vuln.title, "CVE-2020-27350 apt 1.8.2.1");
        let image = vuln.location.image.as_ref().unwrap();
        assert_eq!(
            (image.name.as_str(), image.os.as_deref()),
            ("redis:6", Some("debian 10.4"))
        );
        let cloud = parsed.findings[1].location.cloud.as_ref().unwrap();
        assert_eq!(cloud.resource_id, "default/Deployment/redis");
        assert_eq!(cloud.account.as_deref(), Some("prod"));

        let legacy = check(
            r#"[{"Target":"php-app/composer.lock","Type":"composer","Vulnerabilities":[{"PkgName":"x"}]},
                {"Target":"ci (alpine 3.7.1)","Type":"alpine","Vulnerabilities":[
                  {"VulnerabilityID":"CVE-2018-16840","PkgName":"curl","InstalledVersion":"7.61.0-r0","Severity":"HIGH"}]}]"#,
        );
        assert_eq!(legacy.findings.len(), 1);
        assert_eq!(legacy.warnings.len(), 1);
        assert_eq!(legacy.findings[0].category, Category::Container);
        assert_eq!(
            legacy.findings[0].location.image.as_ref().unwrap().name,
            "ci"
        );
        assert!(Trivy
            .parse(&Input::new(b"null"))
            .unwrap()
            .findings
            .is_empty());
    }

    #[test]
    fn statuses() {
        let entry = |status: &str| {
            format!(
                r#"{{"VulnerabilityID":"CVE-1","PkgName":"p","InstalledVersion":"1","Severity":"LOW","Status":"{status}"}}"#
            )
        };
        let statuses = [
            "unknown",
            "not_affected",
            "affected",
            "under_investigation",
            "will_not_fix",
        ];
        let vulns: Vec<String> = statuses.iter().map(|s| entry(s)).collect();
        let parsed = check(&format!(
            r#"{{"SchemaVersion":2,"ArtifactName":".","ArtifactType":"filesystem","Results":[{{"Target":"x","Class":"os-pkgs","Type":"debian","Vulnerabilities":[{}]}}]}}"#,
            vulns.join(",")
        ));
        let got: Vec<(Status, bool)> = parsed
            .findings
            .iter()
            .map(|f| (f.status, f.verified))
            .collect();
        assert_eq!(
            got,
            [
                (Status::Open, false),
                (Status::Mitigated, true),
                (Status::Open, true),
                (Status::Open, false),
                (Status::Open, true)
            ]
        );
    }

    #[test]
    fn not_trivy() {
        for json in [
            r#"{"SchemaVersion":2}"#,
            r#"[{"Target":"x"}]"#,
            r#"{"matches":[]}"#,
        ] {
            assert!(!Trivy.detect(&Input::new(json.as_bytes())), "{json}");
        }
    }
}
