//! Container services: ECR repositories, EKS clusters, ECS task definitions.

use ward_core::Severity;

use super::{is_world, text, unless_set};
use crate::model::Node;
use crate::rules::secrets::{is_literal_value, is_secret_name};
use crate::rules::{rule, Check};
use crate::yaml::{self, Tags};

rule! {
    /// Flags ECR repositories that do not scan images on push.
    ///
    /// Why: images with known vulnerabilities are stored and deployed without anyone
    /// being told.
    ECR_SCAN_ON_PUSH_DISABLED {
        id: "aws-ecr-scan-on-push-disabled",
        title: "ECR image scanning on push is not enabled",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_ecr_repository"],
            check: |_, r, h| match r.props.path("image_scanning_configuration.scan_on_push") {
                Some(n) if n.is_true() || n.is_dynamic() => {}
                other => h.on(other),
            },
        },
        remediation: "Set `image_scanning_configuration { scan_on_push = true }` (`ImageScanningConfiguration: {ScanOnPush: true}`), or enable enhanced scanning for the registry.",
        references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"],
        aliases: &["CKV_AWS_163"],
        fail: &[("main.tf", "resource \"aws_ecr_repository\" \"r\" {\n  name = \"app\"\n}\n")],
        pass: &[("template.yaml", "Resources:\n  R:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: IMMUTABLE\n      ImageScanningConfiguration:\n        ScanOnPush: true\n")],
    }
}

rule! {
    /// Flags ECR repositories whose tags can be overwritten (`MUTABLE`, the default).
    ///
    /// Why: whoever can push can replace what `app:1.4.2` means, so a deployment may run an
    /// image nobody reviewed.
    ECR_MUTABLE_TAGS {
        id: "aws-ecr-mutable-tags",
        title: "ECR repository allows tags to be overwritten",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_ecr_repository"],
            check: |_, r, h| match text(r, &["image_tag_mutability"]) {
                Some((m, _)) if m.starts_with("immutable") => {}
                Some((_, line)) => h.at(line),
                None if r.props.get("image_tag_mutability").is_some_and(Node::is_dynamic) => {}
                None => h.at(0),
            },
        },
        remediation: "Set `image_tag_mutability = \"IMMUTABLE\"` and deploy by digest.",
        references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"],
        aliases: &["CKV_AWS_51"],
        fail: &[("main.tf", "resource \"aws_ecr_repository\" \"r\" {\n  image_tag_mutability = \"MUTABLE\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_ecr_repository\" \"r\" {\n  image_tag_mutability = \"IMMUTABLE\"\n}\n")],
    }
}

rule! {
    /// Flags ECR repositories encrypted with S3-managed keys rather than KMS.
    ///
    /// Why: a KMS key adds an auditable, revocable permission in front of the image layers.
    ECR_NO_CMK {
        id: "aws-ecr-not-kms-encrypted",
        title: "ECR repository is not encrypted with a KMS key",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_ecr_repository"],
            check: |_, r, h| match text(r, &["encryption_configuration.encryption_type"]) {
                Some((t, _)) if t == "kms" => {}
                Some((_, line)) => h.at(line),
                None => h.at(0),
            },
        },
        remediation: "Set `encryption_configuration { encryption_type = \"KMS\", kms_key = … }`.",
        references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html"],
        aliases: &["CKV_AWS_136"],
        fail: &[("main.tf", "resource \"aws_ecr_repository\" \"r\" {\n  name = \"app\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_ecr_repository\" \"r\" {\n  encryption_configuration {\n    encryption_type = \"KMS\"\n  }\n}\n")],
    }
}

fn vpc_config(r: &crate::model::Resource) -> Option<&Node> {
    r.props.first_of(&["vpc_config", "resources_vpc_config"])
}

fn public_endpoint(r: &crate::model::Resource) -> bool {
    vpc_config(r)
        .and_then(|v| v.get("endpoint_public_access"))
        .is_none_or(|n| n.is_true())
}

rule! {
    /// Flags EKS clusters whose API server endpoint is public (the default).
    ///
    /// Why: the Kubernetes API, the cluster's control plane, is reachable from the
    /// internet; any credential or API-server bug is exposed to everyone.
    EKS_PUBLIC_ENDPOINT {
        id: "aws-eks-public-endpoint",
        title: "EKS cluster API endpoint is public",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_eks_cluster"],
            check: |_, r, h| {
                if public_endpoint(r) {
                    h.on(vpc_config(r));
                }
            },
        },
        remediation: "Set `endpoint_public_access = false` and `endpoint_private_access = true` (`ResourcesVpcConfig`), reaching the API through the VPC.",
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
        aliases: &["CKV_AWS_39"],
        fail: &[("main.tf", "resource \"aws_eks_cluster\" \"c\" {\n  vpc_config {\n    endpoint_private_access = true\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_eks_cluster\" \"c\" {\n  vpc_config {\n    endpoint_private_access = true\n    endpoint_public_access  = false\n  }\n}\n")],
    }
}

rule! {
    /// Flags EKS clusters whose public endpoint is open to every address (no
    /// `public_access_cidrs`, or `0.0.0.0/0`).
    ///
    /// Why: if the endpoint must be public, limiting it to known ranges removes most of the
    /// exposure.
    EKS_PUBLIC_ENDPOINT_OPEN {
        id: "aws-eks-public-endpoint-open",
        title: "EKS public endpoint is open to the internet",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_eks_cluster"],
            check: |_, r, h| {
                if !public_endpoint(r) {
                    return;
                }
                let cidrs = vpc_config(r).and_then(|v| v.get("public_access_cidrs"));
                match cidrs {
                    Some(c) if c.is_dynamic() => {}
                    Some(c) if !c.strings().into_iter().any(is_world) && !c.is_empty() => {}
                    other => h.on(other.or(vpc_config(r))),
                }
            },
        },
        remediation: "Restrict `public_access_cidrs` (`PublicAccessCidrs`) to your offices and CI, or make the endpoint private.",
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
        aliases: &["CKV_AWS_38"],
        fail: &[("template.yaml", "Resources:\n  C:\n    Type: AWS::EKS::Cluster\n    Properties:\n      ResourcesVpcConfig:\n        SubnetIds: [subnet-1]\n")],
        pass: &[("main.tf", "resource \"aws_eks_cluster\" \"c\" {\n  vpc_config {\n    public_access_cidrs = [\"203.0.113.0/24\"]\n  }\n}\n")],
    }
}

rule! {
    /// Flags EKS clusters without envelope encryption of Kubernetes secrets.
    ///
    /// Why: Secrets in etcd are only base64-encoded; a KMS key adds encryption under a key
    /// you control.
    EKS_SECRETS_UNENCRYPTED {
        id: "aws-eks-secrets-unencrypted",
        title: "EKS cluster does not encrypt Kubernetes secrets",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_eks_cluster"], check: |_, r, h| unless_set(r, h, &["encryption_config"]) },
        remediation: "Add `encryption_config { resources = [\"secrets\"], provider { key_arn = … } }` (`EncryptionConfig`).",
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html"],
        aliases: &["CKV_AWS_58"],
        fail: &[("main.tf", "resource \"aws_eks_cluster\" \"c\" {\n  name = \"c\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_eks_cluster\" \"c\" {\n  encryption_config {\n    resources = [\"secrets\"]\n    provider {\n      key_arn = aws_kms_key.k.arn\n    }\n  }\n}\n")],
    }
}

rule! {
    /// Flags EKS clusters that do not send all control-plane log types (api, audit,
    /// authenticator, controllerManager, scheduler) to CloudWatch.
    ///
    /// Why: the audit log is the record of every request to the Kubernetes API.
    EKS_CONTROL_PLANE_LOGGING_DISABLED {
        id: "aws-eks-control-plane-logging-disabled",
        title: "EKS control plane logging is incomplete",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_eks_cluster"],
            check: |_, r, h| {
                let types: Vec<String> = match r.props.first_of(&["enabled_cluster_log_types", "logging.cluster_logging.enabled_types"]) {
                    Some(n) if n.is_dynamic() => return,
                    Some(n) => n
                        .items()
                        .filter_map(|i| i.as_str().or_else(|| i.get("type").and_then(Node::as_str)))
                        .map(str::to_ascii_lowercase)
                        .collect(),
                    None => Vec::new(),
                };
                let missing: Vec<&str> = ["api", "audit", "authenticator", "controllermanager", "scheduler"]
                    .into_iter()
                    .filter(|t| !types.iter().any(|x| x == t))
                    .collect();
                if !missing.is_empty() {
                    h.detail(0, format!("log types not enabled: {}", missing.join(", ")));
                }
            },
        },
        remediation: "Set `enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"]`.",
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"],
        aliases: &["CKV_AWS_37"],
        fail: &[("main.tf", "resource \"aws_eks_cluster\" \"c\" {\n  enabled_cluster_log_types = [\"api\"]\n}\n")],
        pass: &[("main.tf", "resource \"aws_eks_cluster\" \"c\" {\n  enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"]\n}\n")],
    }
}

/// The container definitions of a task definition: a list (CloudFormation, `jsonencode`) or
/// a JSON string (Terraform heredoc, plans).
fn containers(r: &crate::model::Resource) -> Vec<Node> {
    let Some(defs) = r.props.get("container_definitions") else {
        return Vec::new();
    };
    let parsed;
    let defs = match defs.as_str() {
        Some(json) => match yaml::parse(json, Tags::Ignore)
            .ok()
            .and_then(|d| d.into_iter().next())
        {
            Some(mut doc) => {
                relocate(&mut doc, defs.line);
                parsed = doc;
                &parsed
            }
            None => return Vec::new(),
        },
        None => defs,
    };
    defs.items().cloned().collect()
}

/// Gives every node of an embedded document the line of the attribute holding it.
fn relocate(node: &mut Node, line: u32) {
    node.line = line;
    match &mut node.value {
        crate::model::Value::List(items) => items.iter_mut().for_each(|n| relocate(n, line)),
        crate::model::Value::Map(entries) => {
            entries.iter_mut().for_each(|(_, n)| relocate(n, line))
        }
        _ => {}
    }
}

rule! {
    /// Flags ECS task definitions with a privileged container.
    ///
    /// Why: a privileged container has every capability and all host devices; escaping to
    /// the host is trivial.
    ECS_TASK_PRIVILEGED {
        id: "aws-ecs-task-privileged",
        title: "ECS task definition runs a privileged container",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_ecs_task_definition"],
            check: |_, r, h| {
                for c in containers(r) {
                    if let Some(p) = c.get("privileged").filter(|p| p.is_true()) {
                        h.at(p.line);
                    }
                }
            },
        },
        remediation: "Remove `privileged: true`; add only the Linux capabilities the container needs.",
        references: &["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security"],
        aliases: &["CKV_AWS_334"],
        fail: &[("main.tf", "resource \"aws_ecs_task_definition\" \"t\" {\n  container_definitions = jsonencode([{ name = \"app\", image = \"app:1\", privileged = true }])\n}\n")],
        pass: &[("main.tf", "resource \"aws_ecs_task_definition\" \"t\" {\n  container_definitions = <<EOF\n[{\"name\": \"app\", \"image\": \"app:1\", \"privileged\": false}]\nEOF\n}\n")],
    }
}

rule! {
    /// Flags ECS container definitions with credentials in plain `environment` variables.
    ///
    /// Why: the values are visible to anyone who can describe the task definition and stay
    /// in every revision.
    ECS_TASK_SECRETS_IN_ENV {
        id: "aws-ecs-task-secrets-in-env",
        title: "ECS task definition holds a plaintext secret in an environment variable",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_ecs_task_definition"],
            check: |_, r, h| {
                for c in containers(r) {
                    for e in c.get("environment").into_iter().flat_map(Node::items) {
                        let name = e.get("name").and_then(Node::as_str).unwrap_or("");
                        if is_secret_name(name) && e.get("value").is_some_and(is_literal_value) {
                            h.detail(e.line, format!("the variable `{name}` holds a literal credential"));
                        }
                    }
                }
            },
        },
        remediation: "Pass secrets with the container definition's `secrets` (from Secrets Manager or SSM Parameter Store) instead of `environment`.",
        references: &["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html"],
        aliases: &["CKV_AWS_97"],
        fail: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Environment:\n            - Name: DB_PASSWORD\n              Value: hunter2-hunter2\n")],
        pass: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Secrets:\n            - Name: DB_PASSWORD\n              ValueFrom: arn:aws:secretsmanager:x\n")],
    }
}
