//! Kubernetes manifests (multi-document YAML or JSON, `kind: List`, Helm's rendered output):
//! every object with an `apiVersion` and a `kind`, and the pod spec of workloads.
//!
//! Pod spec locations follow the API reference (<https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/>):
//! `spec` of a Pod, `spec.template.spec` of Deployments, StatefulSets, DaemonSets,
//! ReplicaSets, ReplicationControllers and Jobs, `spec.jobTemplate.spec.template.spec` of a
//! CronJob. Suppressions: the annotation `ward.dev/skip: rule1,rule2` on the object (or on
//! its pod template), and checkov's `checkov.io/skip1: CKV_K8S_20=reason`.

use std::sync::Arc;

use crate::model::{Node, Suppression};
use crate::parsers::cloudformation::last_line;

/// One Kubernetes object.
#[derive(Debug, Clone)]
pub struct KubeObject {
    /// `kind`, as written.
    pub kind: String,
    /// `metadata.name` (empty when missing).
    pub name: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// The file, relative to the scan root.
    pub file: Arc<str>,
    /// First and last line of the object.
    pub lines: (u32, u32),
    /// The whole object.
    pub doc: Node,
    /// Suppressed rules.
    pub suppressions: Vec<Suppression>,
}

impl KubeObject {
    /// The pod spec of a workload.
    pub fn pod_spec(&self) -> Option<&Node> {
        let path = match self.kind.as_str() {
            "Pod" => "spec",
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job" => "spec.template.spec",
            "CronJob" => "spec.jobTemplate.spec.template.spec",
            _ => return None,
        };
        self.doc.path(path)
    }

    /// The pod template's metadata (or the Pod's own).
    pub fn pod_metadata(&self) -> Option<&Node> {
        match self.kind.as_str() {
            "Pod" => self.doc.get("metadata"),
            "CronJob" => self.doc.path("spec.jobTemplate.spec.template.metadata"),
            _ => self.doc.path("spec.template.metadata"),
        }
    }

    /// Every container of the pod spec: init, regular and ephemeral.
    pub fn containers(&self) -> impl Iterator<Item = &Node> {
        let spec = self.pod_spec();
        ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .filter_map(move |key| spec.and_then(|s| s.get(key)))
            .flat_map(Node::items)
    }

    /// `Kind/namespace/name`, how findings name the object.
    pub fn id(&self) -> String {
        format!(
            "{}/{}/{}",
            self.kind,
            self.namespace.as_deref().unwrap_or("default"),
            self.name
        )
    }
}

/// Whether a document is a Kubernetes object.
pub(crate) fn is_object(doc: &Node) -> bool {
    doc.get("apiVersion").and_then(Node::as_str).is_some()
        && doc.get("kind").and_then(Node::as_str).is_some()
}

/// The objects of a document (the items of a `List`).
pub(crate) fn objects(doc: &Node, file: &Arc<str>, out: &mut Vec<KubeObject>) {
    let Some(kind) = doc.get("kind").and_then(Node::as_str) else {
        return;
    };
    if kind.ends_with("List") {
        for item in doc.get("items").into_iter().flat_map(Node::items) {
            if is_object(item) {
                objects(item, file, out);
            }
        }
        return;
    }
    let metadata = doc.get("metadata");
    let text = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let mut object = KubeObject {
        kind: kind.to_string(),
        name: text("name").unwrap_or_default(),
        namespace: text("namespace"),
        file: file.clone(),
        lines: (doc.line, last_line(doc)),
        doc: doc.clone(),
        suppressions: Vec::new(),
    };
    let mut suppressions = metadata.map(annotation_suppressions).unwrap_or_default();
    if let Some(pod) = object.pod_metadata() {
        suppressions.extend(annotation_suppressions(pod));
    }
    object.suppressions = suppressions;
    out.push(object);
}

fn annotation_suppressions(metadata: &Node) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (key, value) in metadata
        .get("annotations")
        .map(Node::entries)
        .unwrap_or_default()
    {
        let Some(value) = value.as_str() else {
            continue;
        };
        if key == "ward.dev/skip" {
            out.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(|r| Suppression {
                        rule: r.to_string(),
                        reason: String::new(),
                    }),
            );
        } else if key.starts_with("checkov.io/skip") {
            let (rule, reason) = value.split_once('=').unwrap_or((value, ""));
            out.push(Suppression {
                rule: rule.trim().to_string(),
                reason: reason.trim().to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Tags};

    fn parse(text: &str) -> Vec<KubeObject> {
        let mut out = Vec::new();
        for doc in yaml::parse(text, Tags::Ignore).expect("yaml") {
            objects(&doc, &Arc::from("k.yaml"), &mut out);
        }
        out
    }

    #[test]
    fn workloads_expose_their_pod_spec_and_containers() {
        let found = parse(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\n  annotations:\n    ward.dev/skip: k8s-privileged-container, k8s-host-network\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers: [{name: i, image: a}]\n          containers: [{name: c, image: b}]\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: x}\n  spec: {containers: [{name: c}]}\n",
        );
        assert_eq!(found.len(), 2);
        let cron = found.first().expect("cron");
        assert_eq!(cron.containers().count(), 2);
        assert_eq!(cron.suppressions.len(), 2);
        assert_eq!(found.get(1).map(KubeObject::id).as_deref(), Some("Pod/x/p"));
    }
}
