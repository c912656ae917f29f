//! S3 buckets: public ACLs, encryption, versioning, access logging and the public access
//! block. A bucket's setting may be inline (CloudFormation, Terraform AWS provider < 4) or a
//! separate Terraform resource that refers to the bucket (`aws_s3_bucket_versioning` …);
//! both count.

use ward_core::Severity;

use super::text;
use crate::model::{Node, Resource};
use crate::rules::{rule, AwsContext, Check, Hits};

const PUBLIC_READ: &[&str] = &[
    "public-read",
    "authenticated-read",
    "publicread",
    "authenticatedread",
];
const PUBLIC_WRITE: &[&str] = &["public-read-write", "publicreadwrite"];

fn acl(r: &Resource, hits: &mut Hits, wanted: &[&str]) {
    if let Some((acl, line)) = text(r, &["acl", "access_control"]) {
        if wanted.contains(&acl.as_str()) {
            hits.detail(line, format!("the canned ACL is `{acl}`"));
        }
    }
}

rule! {
    /// Flags S3 buckets whose canned ACL lets everyone (or every AWS account) read them:
    /// `public-read`/`PublicRead` or `authenticated-read`/`AuthenticatedRead`.
    ///
    /// Why: anything in the bucket can be listed and downloaded by anyone; most data leaks
    /// from S3 start with a public-read ACL.
    S3_PUBLIC_READ_ACL {
        id: "aws-s3-public-read-acl",
        title: "S3 bucket ACL allows public read access",
        severity: Severity::High,
        check: Check::Aws { kinds: &["aws_s3_bucket", "aws_s3_bucket_acl"], check: |_, r, h| acl(r, h, PUBLIC_READ) },
        remediation: "Use the `private` ACL (or none, with Object Ownership `BucketOwnerEnforced`) and serve public content through CloudFront with an origin access control.",
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl"],
        aliases: &["CKV_AWS_20", "W31"],
        fail: &[
            ("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n"),
            ("template.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n"),
        ],
        pass: &[("main.tf", "resource \"aws_s3_bucket_acl\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  acl    = \"private\"\n}\n")],
    }
}

rule! {
    /// Flags S3 buckets whose canned ACL lets everyone write to them (`public-read-write`).
    ///
    /// Why: anyone can upload, overwrite or delete objects: the bucket can host malware,
    /// serve tampered content or run up the owner's bill.
    S3_PUBLIC_WRITE_ACL {
        id: "aws-s3-public-write-acl",
        title: "S3 bucket ACL allows public write access",
        severity: Severity::Critical,
        check: Check::Aws { kinds: &["aws_s3_bucket", "aws_s3_bucket_acl"], check: |_, r, h| acl(r, h, PUBLIC_WRITE) },
        remediation: "Use the `private` ACL; grant write access to specific IAM principals in a bucket policy instead.",
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl"],
        aliases: &["CKV_AWS_57", "F14"],
        fail: &[("template.json", "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"AccessControl\": \"PublicReadWrite\"}}}}")],
        pass: &[("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"private\"\n}\n")],
    }
}

/// The default-encryption algorithm of a bucket, inline or from a separate resource:
/// `Some(algorithm)` when configured, `None` when not.
fn encryption(ctx: &AwsContext<'_>, r: &Resource) -> Option<String> {
    let inline = r.props.first_of(&[
        "server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm",
        "bucket_encryption.server_side_encryption_configuration.server_side_encryption_by_default.sse_algorithm",
    ]);
    let separate = || {
        ctx.referencing(r, &["aws_s3_bucket_server_side_encryption_configuration"])
            .find_map(|c| {
                c.props
                    .path("rule.apply_server_side_encryption_by_default.sse_algorithm")
                    .cloned()
            })
    };
    let node = inline.cloned().or_else(separate)?;
    Some(
        node.as_str()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| "aws:kms".into()),
    )
}

rule! {
    /// Flags S3 buckets with no default server-side encryption configured.
    ///
    /// Why: encryption at rest protects data on disks and backups, and a configured default
    /// states the intent in code. (S3 has applied SSE-S3 to new objects since January 2023;
    /// an explicit configuration keeps older buckets and stricter policies consistent.)
    S3_UNENCRYPTED {
        id: "aws-s3-encryption-disabled",
        title: "S3 bucket has no default encryption",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_s3_bucket"],
            check: |ctx, r, h| {
                if encryption(ctx, r).is_none() {
                    h.at(0);
                }
            },
        },
        remediation: "Configure default encryption: `BucketEncryption` (CloudFormation) or an `aws_s3_bucket_server_side_encryption_configuration` resource, with `aws:kms` and a customer managed key where possible.",
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html"],
        aliases: &["CKV_AWS_19", "W41"],
        fail: &[("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\n")],
        pass: &[
            ("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"e\" {\n  bucket = aws_s3_bucket.b.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"AES256\"\n    }\n  }\n}\n"),
            ("template.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault:\n              SSEAlgorithm: AES256\n"),
        ],
    }
}

rule! {
    /// Flags S3 buckets whose default encryption is not KMS (`aws:kms`).
    ///
    /// Why: with S3-managed keys anyone allowed to read an object reads it decrypted; a KMS
    /// key adds a second, separately audited permission and lets keys be revoked.
    S3_NOT_KMS_ENCRYPTED {
        id: "aws-s3-not-kms-encrypted",
        title: "S3 bucket is not encrypted with a KMS key by default",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_s3_bucket"],
            check: |ctx, r, h| {
                if !encryption(ctx, r).is_some_and(|a| a.starts_with("aws:kms")) {
                    h.at(0);
                }
            },
        },
        remediation: "Set the default encryption algorithm to `aws:kms` with a customer managed key.",
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html"],
        aliases: &["CKV_AWS_145"],
        fail: &[("template.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault:\n              SSEAlgorithm: AES256\n")],
        pass: &[("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  server_side_encryption_configuration {\n    rule {\n      apply_server_side_encryption_by_default {\n        sse_algorithm     = \"aws:kms\"\n        kms_master_key_id = aws_kms_key.k.arn\n      }\n    }\n  }\n}\n")],
    }
}

fn versioning_enabled(ctx: &AwsContext<'_>, r: &Resource) -> bool {
    let inline = r
        .props
        .path("versioning.enabled")
        .is_some_and(|n| n.is_true() || n.is_dynamic())
        || r.props
            .path("versioning_configuration.status")
            .is_some_and(|n| {
                n.is_dynamic()
                    || n.as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("enabled"))
            });
    inline
        || ctx.referencing(r, &["aws_s3_bucket_versioning"]).any(|v| {
            v.props
                .path("versioning_configuration.status")
                .is_some_and(|n| {
                    n.is_dynamic()
                        || n.as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case("enabled"))
                })
        })
}

rule! {
    /// Flags S3 buckets without versioning.
    ///
    /// Why: without versions, an overwrite or delete (by mistake, a bug or ransomware) is
    /// final; versioning also makes object lock and replication possible.
    S3_VERSIONING_DISABLED {
        id: "aws-s3-versioning-disabled",
        title: "S3 bucket versioning is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_s3_bucket"],
            check: |ctx, r, h| {
                if !versioning_enabled(ctx, r) {
                    h.on(r.props.first_of(&["versioning", "versioning_configuration"]));
                }
            },
        },
        remediation: "Enable versioning: `VersioningConfiguration: {Status: Enabled}` or an `aws_s3_bucket_versioning` resource with `status = \"Enabled\"`, and a lifecycle rule to expire old versions.",
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"],
        aliases: &["CKV_AWS_21"],
        fail: &[("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  versioning {\n    enabled = false\n  }\n}\n")],
        pass: &[
            ("main.tf", "resource \"aws_s3_bucket\" \"b\" {}\nresource \"aws_s3_bucket_versioning\" \"v\" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n"),
            ("template.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: Enabled\n"),
        ],
    }
}

rule! {
    /// Flags S3 buckets without server access logging.
    ///
    /// Why: access logs are the record of who read or changed what; without them an
    /// incident cannot be investigated.
    S3_ACCESS_LOGGING_DISABLED {
        id: "aws-s3-access-logging-disabled",
        title: "S3 bucket access logging is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_s3_bucket"],
            check: |ctx, r, h| {
                let inline = r.props.first_of(&["logging.target_bucket", "logging_configuration"]).is_some_and(|n| !n.is_empty());
                if !inline && !ctx.is_referenced_by(r, &["aws_s3_bucket_logging"]) {
                    h.at(0);
                }
            },
        },
        remediation: "Send access logs to a dedicated bucket: `LoggingConfiguration` (CloudFormation) or an `aws_s3_bucket_logging` resource.",
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html"],
        aliases: &["CKV_AWS_18", "W35"],
        fail: &[("template.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n")],
        pass: &[("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  logging {\n    target_bucket = aws_s3_bucket.logs.id\n  }\n}\n")],
    }
}

/// The public-access-block setting of a bucket: inline (CloudFormation) or from an
/// `aws_s3_bucket_public_access_block` that refers to it.
fn public_access_block(ctx: &AwsContext<'_>, r: &Resource, hits: &mut Hits, setting: &str) {
    let check = |node: Option<&Node>, hits: &mut Hits, fallback: u32| match node {
        Some(n) if n.is_true() || n.is_dynamic() => {}
        Some(n) => hits.at(n.line),
        None => hits.at(fallback),
    };
    if r.kind == "aws_s3_bucket_public_access_block" {
        check(r.props.get(setting), hits, 0);
        return;
    }
    if let Some(block) = r.props.get("public_access_block_configuration") {
        check(block.get(setting), hits, block.line);
        return;
    }
    if !ctx.is_referenced_by(r, &["aws_s3_bucket_public_access_block"]) {
        hits.detail(0, "no public access block applies to the bucket");
    }
}

macro_rules! public_access_rule {
    ($(#[doc = $doc:expr])* $name:ident, $id:literal, $setting:literal, $title:literal, $alias:literal) => {
        rule! {
            $(#[doc = $doc])*
            $name {
                id: $id,
                title: $title,
                severity: Severity::Medium,
                check: Check::Aws {
                    kinds: &["aws_s3_bucket", "aws_s3_bucket_public_access_block"],
                    check: |ctx, r, h| public_access_block(ctx, r, h, $setting),
                },
                remediation: "Turn on all four public access block settings: `PublicAccessBlockConfiguration` (CloudFormation) or an `aws_s3_bucket_public_access_block` resource with `block_public_acls`, `block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` set to true.",
                references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"],
                aliases: &[$alias, "CKV2_AWS_6"],
                fail: &[
                    ("template.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"),
                    ("main.tf", "resource \"aws_s3_bucket_public_access_block\" \"p\" {\n  bucket                  = aws_s3_bucket.b.id\n  block_public_acls       = false\n  block_public_policy     = false\n  ignore_public_acls      = false\n  restrict_public_buckets = false\n}\n"),
                ],
                pass: &[
                    ("template.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n        BlockPublicPolicy: true\n        IgnorePublicAcls: true\n        RestrictPublicBuckets: true\n"),
                    ("main.tf", "resource \"aws_s3_bucket\" \"b\" {}\nresource \"aws_s3_bucket_public_access_block\" \"p\" {\n  bucket                  = aws_s3_bucket.b.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n"),
                ],
            }
        }
    };
}

public_access_rule! {
    /// Flags S3 buckets where new public ACLs are not blocked (`BlockPublicAcls` off, or no
    /// public access block at all).
    ///
    /// Why: one `PutObjectAcl` call, by a person or a tool, can then make data public.
    S3_BLOCK_PUBLIC_ACLS_OFF, "aws-s3-block-public-acls-off", "block_public_acls",
    "S3 bucket does not block public ACLs", "CKV_AWS_53"
}

public_access_rule! {
    /// Flags S3 buckets where public bucket policies are not blocked (`BlockPublicPolicy`
    /// off, or no public access block at all).
    ///
    /// Why: a policy granting `Principal: "*"` would be accepted and open the bucket.
    S3_BLOCK_PUBLIC_POLICY_OFF, "aws-s3-block-public-policy-off", "block_public_policy",
    "S3 bucket does not block public bucket policies", "CKV_AWS_54"
}

public_access_rule! {
    /// Flags S3 buckets where existing public ACLs are honoured (`IgnorePublicAcls` off, or
    /// no public access block at all).
    ///
    /// Why: objects uploaded with a public ACL stay readable by anyone.
    S3_IGNORE_PUBLIC_ACLS_OFF, "aws-s3-ignore-public-acls-off", "ignore_public_acls",
    "S3 bucket does not ignore public ACLs", "CKV_AWS_55"
}

public_access_rule! {
    /// Flags S3 buckets where public policies still grant cross-account access
    /// (`RestrictPublicBuckets` off, or no public access block at all).
    ///
    /// Why: a public policy, once attached, lets any AWS account and anonymous users in.
    S3_RESTRICT_PUBLIC_BUCKETS_OFF, "aws-s3-restrict-public-buckets-off", "restrict_public_buckets",
    "S3 bucket does not restrict public bucket access", "CKV_AWS_56"
}
