//! IAM: policies granting everything, wildcards in actions, resources and principals,
//! privilege escalation, policies on users, access keys, the account password policy.
//!
//! Policy documents are read wherever they appear: identity policies (`aws_iam_policy`,
//! `aws_iam_*_policy`, inline role/user/group `Policies`), trust policies
//! (`assume_role_policy`), resource policies (bucket, queue, topic, repository, key and
//! domain policies) and `data "aws_iam_policy_document"`; as maps (CloudFormation,
//! `jsonencode`) or JSON strings (heredocs, plans).
//! Policy grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>.

use ward_core::Severity;

use crate::model::{Node, Resource, Value};
use crate::rules::{rule, Check, Hits};

#[cfg(test)]
mod tests {
    use super::action_matches;

    #[test]
    fn action_patterns_match_like_iam() {
        assert!(action_matches("lambda:*", "lambda:UpdateFunctionCode"));
        assert!(action_matches("iam:Put*Policy", "iam:putrolepolicy"));
        assert!(action_matches("*", "iam:passrole"));
        assert!(!action_matches("s3:*", "iam:passrole"));
        assert!(!action_matches("iam:Get*", "iam:passrole"));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Attached to a user, group or role: what they may do.
    Identity,
    /// Who may assume a role.
    Trust,
    /// Attached to a resource: who may use it.
    Resource,
    /// A `data "aws_iam_policy_document"`: used for either.
    Either,
}

struct Statement {
    allow: bool,
    actions: Vec<String>,
    not_action: bool,
    resources: Vec<String>,
    any_principal: bool,
    condition: bool,
    line: u32,
}

impl Statement {
    fn of(node: &Node, data_source: bool) -> Statement {
        let strings = |keys: &[&str]| -> Vec<String> {
            node.first_of(keys)
                .map(|n| n.strings().into_iter().map(str::to_string).collect())
                .unwrap_or_default()
        };
        let any_principal = if data_source {
            node.get("principals")
                .into_iter()
                .flat_map(Node::items)
                .any(|p| {
                    let kind = p.get("type").and_then(Node::as_str).unwrap_or("");
                    (kind == "*" || kind.eq_ignore_ascii_case("AWS"))
                        && p.get("identifiers").is_some_and(|i| i.has_str("*"))
                })
        } else {
            node.get("principal").is_some_and(|p| {
                p.as_str() == Some("*") || p.get("AWS").is_some_and(|a| a.has_str("*"))
            })
        };
        Statement {
            allow: node
                .get("effect")
                .and_then(Node::as_str)
                .is_none_or(|e| e.eq_ignore_ascii_case("allow")),
            actions: strings(&["action", "actions", "not_action", "not_actions"]),
            not_action: node.first_of(&["not_action", "not_actions"]).is_some(),
            resources: strings(&["resource", "resources"]),
            any_principal,
            condition: node.first_of(&["condition"]).is_some_and(|c| !c.is_empty()),
            line: node.line,
        }
    }

    fn resource_is_any(&self) -> bool {
        self.resources.iter().any(|r| r == "*")
    }

    /// Whether an allowed action pattern (`lambda:*`, `iam:Put*`) covers one of `wanted`.
    fn has_action(&self, wanted: &[&str]) -> bool {
        !self.not_action
            && self
                .actions
                .iter()
                .any(|a| wanted.iter().any(|w| action_matches(a, w)))
    }
}

/// Whether an IAM action pattern (with `*` and `?` wildcards, any case) matches an action.
fn action_matches(pattern: &str, action: &str) -> bool {
    let p: Vec<u8> = pattern.bytes().map(|b| b.to_ascii_lowercase()).collect();
    let a: Vec<u8> = action.bytes().map(|b| b.to_ascii_lowercase()).collect();
    // Iterative wildcard matching with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while j < a.len() {
        match p.get(i) {
            Some(b'*') => {
                star = Some(i);
                mark = j;
                i += 1;
            }
            Some(c) if *c == b'?' || Some(c) == a.get(j) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some(s) => {
                    i = s + 1;
                    mark += 1;
                    j = mark;
                }
                None => return false,
            },
        }
    }
    p.get(i..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

/// The policy documents of a resource, with their purpose.
fn documents(r: &Resource) -> Vec<(Purpose, Node)> {
    let p = &r.props;
    let mut out: Vec<(Purpose, Node)> = Vec::new();
    let mut push = |purpose, node: Option<&Node>| {
        if let Some(doc) = node.and_then(parse_document) {
            out.push((purpose, doc));
        }
    };
    match r.kind.as_str() {
        "aws_iam_policy"
        | "aws_iam_role_policy"
        | "aws_iam_user_policy"
        | "aws_iam_group_policy" => {
            push(
                Purpose::Identity,
                p.first_of(&["policy", "policy_document"]),
            );
        }
        "aws_iam_role" | "aws_iam_user" | "aws_iam_group" => {
            push(
                Purpose::Trust,
                p.first_of(&["assume_role_policy", "assume_role_policy_document"]),
            );
            for inline in p
                .first_of(&["inline_policy", "policies"])
                .into_iter()
                .flat_map(Node::items)
            {
                push(
                    Purpose::Identity,
                    inline.first_of(&["policy", "policy_document"]),
                );
            }
        }
        "data.aws_iam_policy_document" => out.push((Purpose::Either, p.clone())),
        _ => push(
            Purpose::Resource,
            p.first_of(&[
                "policy",
                "policy_document",
                "access_policies",
                "key_policy",
                "policy_text",
            ]),
        ),
    }
    out
}

/// A policy document as a node: maps as they are, JSON strings parsed.
fn parse_document(node: &Node) -> Option<Node> {
    match &node.value {
        Value::Map(_) => Some(node.clone()),
        Value::Str(text) => {
            let json: serde_json::Value = serde_json::from_str(text).ok()?;
            Some(from_json(&json, node.line))
        }
        _ => None,
    }
}

fn from_json(value: &serde_json::Value, line: u32) -> Node {
    let value = match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().map(|v| from_json(v, line)).collect())
        }
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json(v, line)))
                .collect(),
        ),
    };
    Node::new(value, line)
}

/// The statements of a resource's documents whose purpose passes `filter`.
fn statements(r: &Resource, filter: fn(Purpose) -> bool) -> Vec<Statement> {
    let mut out = Vec::new();
    for (purpose, doc) in documents(r) {
        if !filter(purpose) {
            continue;
        }
        let data_source = purpose == Purpose::Either;
        for s in doc.get("statement").into_iter().flat_map(Node::items) {
            out.push(Statement::of(s, data_source));
        }
    }
    out
}

fn identity(p: Purpose) -> bool {
    matches!(p, Purpose::Identity | Purpose::Either)
}

const POLICY_KINDS: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",
    "aws_iam_user",
    "aws_iam_group",
    "data.aws_iam_policy_document",
];

const RESOURCE_POLICY_KINDS: &[&str] = &[
    "data.aws_iam_policy_document",
    "aws_s3_bucket",
    "aws_s3_bucket_policy",
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
    "aws_ecr_repository_policy",
    "aws_elasticsearch_domain",
    "aws_elasticsearch_domain_policy",
    "aws_opensearch_domain",
    "aws_opensearch_domain_policy",
    "aws_kms_key",
    "aws_glacier_vault",
    "aws_secretsmanager_secret_policy",
];

fn each(
    r: &Resource,
    hits: &mut Hits,
    filter: fn(Purpose) -> bool,
    bad: impl Fn(&Statement) -> bool,
) {
    for s in statements(r, filter) {
        if bad(&s) {
            hits.at(s.line);
        }
    }
}

fn is_admin(s: &Statement) -> bool {
    s.allow
        && !s.not_action
        && s.actions.iter().any(|a| a == "*" || a == "*:*")
        && s.resource_is_any()
}

rule! {
    /// Flags policies that allow every action on every resource (`"Action": "*"`,
    /// `"Resource": "*"`): full administrator access.
    ///
    /// Why: whoever holds the policy can do anything in the account, including erasing
    /// logs and creating new administrators; least privilege starts by never doing this.
    IAM_ADMIN_POLICY {
        id: "aws-iam-admin-policy",
        title: "IAM policy grants full administrator access",
        severity: Severity::Critical,
        check: Check::Aws { kinds: POLICY_KINDS, check: |_, r, h| each(r, h, identity, is_admin) },
        remediation: "List the actions and resources the principal needs; use AWS managed job-function policies or IAM Access Analyzer policy generation as a starting point.",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
        aliases: &["CKV_AWS_1", "CKV_AWS_62", "CKV_AWS_63", "F4"],
        fail: &[
            ("main.tf", "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }]\n  })\n}\n"),
            ("template.yaml", "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: '*'\n            Resource: '*'\n"),
        ],
        pass: &[("main.tf", "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::b/*\" }]\n  })\n}\n")],
    }
}

rule! {
    /// Flags identity policies that allow every action of a service (`s3:*`, `iam:*`) or
    /// every action on specific resources.
    ///
    /// Why: service wildcards grant destructive and administrative actions (deleting
    /// buckets, changing policies) along with the few that were needed, and silently grow
    /// as AWS adds actions.
    IAM_WILDCARD_ACTION {
        id: "aws-iam-wildcard-action",
        title: "IAM policy allows all actions of a service",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: POLICY_KINDS,
            check: |_, r, h| {
                each(r, h, identity, |s| {
                    s.allow && !is_admin(s) && !s.not_action && s.actions.iter().any(|a| a == "*" || a.ends_with(":*"))
                })
            },
        },
        remediation: "Replace `service:*` with the specific actions required.",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"],
        aliases: &["CKV_AWS_49", "W11"],
        fail: &[("main.tf", "resource \"aws_iam_role_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:*\"], \"Resource\": \"arn:aws:s3:::b\"}]}\nEOF\n}\n")],
        pass: &[("main.tf", "resource \"aws_iam_role_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::b/*\"}]}\nEOF\n}\n")],
    }
}

/// Read actions that still expose data, so on `*` they count like writes.
const SENSITIVE_READS: &[&str] = &[
    "s3:getobject",
    "secretsmanager:getsecretvalue",
    "ssm:getparameter",
    "ssm:getparameters",
    "ssm:getparametersbypath",
    "kms:decrypt",
    "dynamodb:getitem",
    "ecr:getauthorizationtoken",
];

fn restrictable(action: &str) -> bool {
    let lower = action.to_ascii_lowercase();
    let verb = lower.split(':').nth(1).unwrap_or(&lower);
    lower.contains('*')
        || SENSITIVE_READS.contains(&lower.as_str())
        || !(verb.starts_with("describe") || verb.starts_with("list") || verb.starts_with("get"))
}

rule! {
    /// Flags identity policies that allow write, permission-management or data-reading
    /// actions (or action wildcards) on every resource (`"Resource": "*"`).
    ///
    /// Why: `Resource: "*"` extends the grant to every bucket, table, key and role in the
    /// account, today's and tomorrow's: credentials exposure, data exfiltration and
    /// unconstrained writes all follow from it.
    IAM_WILDCARD_RESOURCE {
        id: "aws-iam-wildcard-resource",
        title: "IAM policy allows sensitive actions on all resources",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: POLICY_KINDS,
            check: |_, r, h| {
                each(r, h, identity, |s| s.allow && !is_admin(s) && s.resource_is_any() && s.actions.iter().any(|a| restrictable(a)))
            },
        },
        remediation: "Name the resources (ARNs) the actions apply to; keep `*` only for actions that do not support resource-level permissions.",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"],
        aliases: &["CKV_AWS_355", "CKV_AWS_356", "CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_287", "CKV_AWS_288", "CKV_AWS_289", "CKV_AWS_290", "W12"],
        fail: &[("template.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: [s3:GetObject, s3:DeleteObject]\n            Resource: '*'\n")],
        pass: &[("template.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: [ec2:DescribeInstances]\n            Resource: '*'\n")],
    }
}

/// Actions that let a principal grant itself more permissions.
const ESCALATION: &[&str] = &[
    "iam:*",
    "iam:passrole",
    "iam:createpolicyversion",
    "iam:setdefaultpolicyversion",
    "iam:attachuserpolicy",
    "iam:attachrolepolicy",
    "iam:attachgrouppolicy",
    "iam:putuserpolicy",
    "iam:putrolepolicy",
    "iam:putgrouppolicy",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:updateloginprofile",
    "iam:updateassumerolepolicy",
    "iam:addusertogroup",
    "lambda:updatefunctioncode",
    "glue:updatedevendpoint",
    "cloudformation:createstack",
];

rule! {
    /// Flags identity policies that allow privilege-escalation actions (`iam:PassRole`,
    /// `iam:CreatePolicyVersion`, `iam:Attach*Policy`, `iam:Put*Policy`,
    /// `iam:CreateAccessKey`, `iam:*` …) on all resources.
    ///
    /// Why: with any of these a principal can give itself (or a role it controls) any
    /// permission, so the policy is effectively administrator access.
    IAM_PRIVILEGE_ESCALATION {
        id: "aws-iam-privilege-escalation",
        title: "IAM policy allows privilege escalation",
        severity: Severity::High,
        check: Check::Aws {
            kinds: POLICY_KINDS,
            check: |_, r, h| each(r, h, identity, |s| s.allow && !is_admin(s) && s.resource_is_any() && s.has_action(ESCALATION)),
        },
        remediation: "Remove the IAM write actions or restrict them to specific roles and policies by ARN, with a permissions boundary.",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"],
        aliases: &["CKV_AWS_110", "CKV_AWS_286"],
        fail: &[("main.tf", "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"iam:PassRole\"]\n    resources = [\"*\"]\n  }\n}\n")],
        pass: &[("main.tf", "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"iam:PassRole\"]\n    resources = [\"arn:aws:iam::123456789012:role/app\"]\n  }\n}\n")],
    }
}

rule! {
    /// Flags resource policies (bucket, queue, topic, repository, key, search domain
    /// policies) that allow any principal (`"Principal": "*"` or `{"AWS": "*"}`) without a
    /// condition.
    ///
    /// Why: everyone on the internet, or every AWS account, gets the allowed actions on the
    /// resource.
    IAM_WILDCARD_PRINCIPAL {
        id: "aws-iam-wildcard-principal",
        title: "Resource policy allows any principal",
        severity: Severity::High,
        check: Check::Aws {
            kinds: RESOURCE_POLICY_KINDS,
            check: |_, r, h| {
                each(r, h, |p| matches!(p, Purpose::Resource | Purpose::Either), |s| s.allow && s.any_principal && !s.condition)
            },
        },
        remediation: "Name the accounts, roles or services allowed, or add a condition (`aws:SourceArn`, `aws:PrincipalOrgID`, `aws:SourceVpce`).",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"],
        aliases: &["CKV_AWS_283", "CKV_AWS_70", "CKV_AWS_72", "F16", "F18"],
        fail: &[
            ("main.tf", "resource \"aws_s3_bucket_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Principal = \"*\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::b/*\" }]\n  })\n}\n"),
            ("main.tf", "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"es:*\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"*\"]\n    }\n    resources = [\"*\"]\n  }\n}\n"),
        ],
        pass: &[("template.yaml", "Resources:\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: b\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n            Condition:\n              StringEquals:\n                aws:SourceVpce: vpce-1\n")],
    }
}

rule! {
    /// Flags role trust policies that let any principal assume the role (`"Principal":
    /// "*"` or `{"AWS": "*"}` without a condition).
    ///
    /// Why: any AWS account in the world can assume the role and act with its permissions.
    IAM_ASSUME_ROLE_ANY_PRINCIPAL {
        id: "aws-iam-assume-role-any-principal",
        title: "IAM role can be assumed by any principal",
        severity: Severity::Critical,
        check: Check::Aws {
            kinds: &["aws_iam_role"],
            check: |_, r, h| each(r, h, |p| p == Purpose::Trust, |s| s.allow && s.any_principal && !s.condition),
        },
        remediation: "Name the trusted accounts, roles or services in the trust policy; for third parties add an `sts:ExternalId` condition.",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-trust-policy"],
        aliases: &["CKV_AWS_60", "CKV_AWS_61"],
        fail: &[("template.yaml", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: '*'\n            Action: sts:AssumeRole\n")],
        pass: &[("template.yaml", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n")],
    }
}

rule! {
    /// Flags policies attached directly to IAM users (inline user policies, user policy
    /// attachments, `Users` of a CloudFormation policy, `Policies` of a user).
    ///
    /// Why: permissions spread over individual users are hard to review and linger when
    /// people change jobs; groups and roles keep them in one place.
    IAM_POLICY_ON_USER {
        id: "aws-iam-policy-on-user",
        title: "IAM policy is attached directly to a user",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_iam_user_policy", "aws_iam_user_policy_attachment", "aws_iam_policy_attachment", "aws_iam_policy", "aws_iam_user"],
            check: |_, r, h| match r.kind.as_str() {
                "aws_iam_user_policy" | "aws_iam_user_policy_attachment" => h.at(0),
                "aws_iam_user" => {
                    if let Some(p) = r.props.first_of(&["policies", "managed_policy_arns"]).filter(|p| !p.is_empty()) {
                        h.at(p.line);
                    }
                }
                _ => {
                    if let Some(u) = r.props.get("users").filter(|u| !u.is_empty()) {
                        h.at(u.line);
                    }
                }
            },
        },
        remediation: "Attach policies to groups or roles and make users members of groups (or use IAM Identity Center).",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#use-groups-for-permissions"],
        aliases: &["CKV_AWS_40", "F10"],
        fail: &[("template.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      PolicyDocument: {Statement: []}\n      Users: [alice]\n")],
        pass: &[("template.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      PolicyDocument: {Statement: []}\n      Groups: [developers]\n")],
    }
}

rule! {
    /// Flags IAM access keys created in infrastructure code.
    ///
    /// Why: access keys are long-lived credentials; created by Terraform or CloudFormation
    /// their secret lands in state files and stack outputs, readable by anyone with access
    /// to those.
    IAM_ACCESS_KEY {
        id: "aws-iam-access-key",
        title: "IAM access key is created in code",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_iam_access_key"], check: |_, _, h| h.at(0) },
        remediation: "Use roles (instance profiles, IRSA, OIDC federation for CI) instead of access keys; if a key is unavoidable, create and rotate it outside the infrastructure code.",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles"],
        aliases: &[],
        fail: &[("main.tf", "resource \"aws_iam_access_key\" \"k\" {\n  user = aws_iam_user.u.name\n}\n")],
        pass: &[("main.tf", "resource \"aws_iam_user\" \"u\" {\n  name = \"u\"\n}\n")],
    }
}

rule! {
    /// Flags account password policies weaker than the CIS AWS benchmark: minimum length
    /// below 14, a character class not required, reuse prevention below 24, or no maximum
    /// age (90 days).
    ///
    /// Why: console passwords are the most attacked credential in an account.
    IAM_WEAK_PASSWORD_POLICY {
        id: "aws-iam-weak-password-policy",
        title: "IAM account password policy is weak",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_iam_account_password_policy"],
            check: |_, r, h| {
                let p = &r.props;
                let number = |k: &str| p.get(k).and_then(Node::as_i64);
                let mut problems = Vec::new();
                if number("minimum_password_length").is_none_or(|n| n < 14) {
                    problems.push("minimum length below 14");
                }
                for k in ["require_symbols", "require_numbers", "require_uppercase_characters", "require_lowercase_characters"] {
                    if !p.get(k).is_some_and(Node::is_true) {
                        problems.push(k);
                    }
                }
                if number("password_reuse_prevention").is_none_or(|n| n < 24) {
                    problems.push("reuse prevention below 24");
                }
                if number("max_password_age").is_none_or(|n| n > 90) {
                    problems.push("no expiry within 90 days");
                }
                if !problems.is_empty() {
                    h.detail(0, format!("weak settings: {}", problems.join(", ")));
                }
            },
        },
        remediation: "Require at least 14 characters with all character classes, prevent reuse of the last 24 passwords and expire them within 90 days; prefer SSO.",
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"],
        aliases: &["CKV_AWS_9", "CKV_AWS_10", "CKV_AWS_11", "CKV_AWS_12", "CKV_AWS_13", "CKV_AWS_14", "CKV_AWS_15"],
        fail: &[("main.tf", "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 8\n}\n")],
        pass: &[("main.tf", "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length        = 14\n  require_symbols                = true\n  require_numbers                = true\n  require_uppercase_characters   = true\n  require_lowercase_characters   = true\n  password_reuse_prevention      = 24\n  max_password_age               = 90\n}\n")],
    }
}
