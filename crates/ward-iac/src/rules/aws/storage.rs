//! Messaging, file, stream and analytics services, and KMS keys: encryption at rest and in
//! transit, key rotation.

use ward_core::Severity;

use super::{text, unless_set, unless_true};
use crate::model::Node;
use crate::rules::{rule, Check};

rule! {
    /// Flags SQS queues with no server-side encryption (neither a KMS key nor SQS-managed
    /// encryption).
    ///
    /// Why: messages often carry personal data and tokens and may sit in the queue for days.
    SQS_UNENCRYPTED {
        id: "aws-sqs-unencrypted",
        title: "SQS queue is not encrypted",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_sqs_queue"],
            check: |_, r, h| {
                let kms = r.props.get("kms_master_key_id").is_some_and(|n| !n.is_empty());
                let managed = r.props.get("sqs_managed_sse_enabled").is_some_and(|n| n.is_true() || n.is_dynamic());
                if !kms && !managed {
                    h.at(0);
                }
            },
        },
        remediation: "Set `kms_master_key_id` (`KmsMasterKeyId`) to a KMS key, or at least `sqs_managed_sse_enabled = true`.",
        references: &["https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html"],
        aliases: &["CKV_AWS_27", "W48"],
        fail: &[("main.tf", "resource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}\n")],
        pass: &[("template.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      KmsMasterKeyId: alias/aws/sqs\n")],
    }
}

rule! {
    /// Flags SNS topics without a KMS key for server-side encryption.
    ///
    /// Why: published messages are stored unencrypted until delivered.
    SNS_UNENCRYPTED {
        id: "aws-sns-unencrypted",
        title: "SNS topic is not encrypted",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_sns_topic"], check: |_, r, h| unless_set(r, h, &["kms_master_key_id"]) },
        remediation: "Set `kms_master_key_id` (`KmsMasterKeyId`) to a KMS key.",
        references: &["https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html"],
        aliases: &["CKV_AWS_26", "W47"],
        fail: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: alerts\n")],
        pass: &[("main.tf", "resource \"aws_sns_topic\" \"t\" {\n  kms_master_key_id = \"alias/aws/sns\"\n}\n")],
    }
}

rule! {
    /// Flags EFS file systems that are not encrypted.
    ///
    /// Why: shared files and their backups are stored unencrypted; encryption cannot be
    /// added to an existing file system.
    EFS_UNENCRYPTED {
        id: "aws-efs-unencrypted",
        title: "EFS file system is not encrypted",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_efs_file_system"], check: |_, r, h| unless_true(r, h, &["encrypted"]) },
        remediation: "Set `encrypted = true` (`Encrypted: true`) with a KMS key.",
        references: &["https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html"],
        aliases: &["CKV_AWS_42"],
        fail: &[("main.tf", "resource \"aws_efs_file_system\" \"f\" {\n  creation_token = \"f\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_efs_file_system\" \"f\" {\n  encrypted = true\n}\n")],
    }
}

rule! {
    /// Flags Kinesis streams without KMS server-side encryption.
    ///
    /// Why: records are stored unencrypted for the retention period.
    KINESIS_UNENCRYPTED {
        id: "aws-kinesis-unencrypted",
        title: "Kinesis stream is not encrypted",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_kinesis_stream"],
            check: |_, r, h| {
                let kms = text(r, &["encryption_type", "stream_encryption.encryption_type"]).is_some_and(|(t, _)| t == "kms")
                    || r.props.first_of(&["encryption_type", "stream_encryption.encryption_type"]).is_some_and(Node::is_dynamic);
                if !kms {
                    h.at(0);
                }
            },
        },
        remediation: "Set `encryption_type = \"KMS\"` with a `kms_key_id` (`StreamEncryption`).",
        references: &["https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html"],
        aliases: &["CKV_AWS_43"],
        fail: &[("main.tf", "resource \"aws_kinesis_stream\" \"s\" {\n  shard_count = 1\n}\n")],
        pass: &[("template.yaml", "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      StreamEncryption:\n        EncryptionType: KMS\n        KeyId: alias/aws/kinesis\n")],
    }
}

rule! {
    /// Flags Secrets Manager secrets encrypted with the default AWS managed key rather than
    /// a customer managed KMS key.
    ///
    /// Why: with the default key every principal allowed to call `GetSecretValue` can read
    /// the secret; a customer managed key adds a key policy to control and audit.
    SECRETS_MANAGER_NO_CMK {
        id: "aws-secretsmanager-no-cmk",
        title: "Secrets Manager secret is not encrypted with a customer managed key",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_secretsmanager_secret"], check: |_, r, h| unless_set(r, h, &["kms_key_id"]) },
        remediation: "Set `kms_key_id` (`KmsKeyId`) to a customer managed KMS key.",
        references: &["https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"],
        aliases: &["CKV_AWS_149"],
        fail: &[("main.tf", "resource \"aws_secretsmanager_secret\" \"s\" {\n  name = \"db\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_secretsmanager_secret\" \"s\" {\n  kms_key_id = aws_kms_key.k.arn\n}\n")],
    }
}

rule! {
    /// Flags SageMaker notebook instances without a KMS key for their storage volume.
    ///
    /// Why: notebooks hold training data, credentials and results on their volume.
    SAGEMAKER_NOTEBOOK_UNENCRYPTED {
        id: "aws-sagemaker-notebook-unencrypted",
        title: "SageMaker notebook storage is not encrypted with a KMS key",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_sagemaker_notebook_instance"], check: |_, r, h| unless_set(r, h, &["kms_key_id"]) },
        remediation: "Set `kms_key_id` (`KmsKeyId`).",
        references: &["https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest-nbi.html"],
        aliases: &["CKV_AWS_22"],
        fail: &[("main.tf", "resource \"aws_sagemaker_notebook_instance\" \"n\" {\n  instance_type = \"ml.t2.medium\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_sagemaker_notebook_instance\" \"n\" {\n  kms_key_id = aws_kms_key.k.arn\n}\n")],
    }
}

rule! {
    /// Flags SageMaker notebook instances with direct internet access.
    ///
    /// Why: the notebook can reach, and be used to exfiltrate to, anywhere on the internet,
    /// bypassing the VPC's controls.
    SAGEMAKER_DIRECT_INTERNET {
        id: "aws-sagemaker-direct-internet",
        title: "SageMaker notebook has direct internet access",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_sagemaker_notebook_instance"],
            check: |_, r, h| match text(r, &["direct_internet_access"]) {
                Some((v, _)) if v == "disabled" => {}
                Some((_, line)) => h.at(line),
                None if r.props.get("direct_internet_access").is_some_and(Node::is_dynamic) => {}
                None => h.at(0),
            },
        },
        remediation: "Set `direct_internet_access = \"Disabled\"` and give the notebook a subnet with controlled egress.",
        references: &["https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html"],
        aliases: &["CKV_AWS_122"],
        fail: &[("template.yaml", "Resources:\n  N:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t2.medium\n      DirectInternetAccess: Enabled\n")],
        pass: &[("main.tf", "resource \"aws_sagemaker_notebook_instance\" \"n\" {\n  direct_internet_access = \"Disabled\"\n}\n")],
    }
}

rule! {
    /// Flags Athena workgroups whose query results are not encrypted.
    ///
    /// Why: query results in S3 are copies of the queried data.
    ATHENA_UNENCRYPTED {
        id: "aws-athena-results-unencrypted",
        title: "Athena workgroup query results are not encrypted",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_athena_workgroup"],
            check: |_, r, h| {
                unless_set(r, h, &[
                    "configuration.result_configuration.encryption_configuration",
                    "work_group_configuration.result_configuration.encryption_configuration",
                ]);
            },
        },
        remediation: "Configure `result_configuration { encryption_configuration { encryption_option = \"SSE_KMS\" } }` and enforce it for the workgroup.",
        references: &["https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html"],
        aliases: &["CKV_AWS_82"],
        fail: &[("main.tf", "resource \"aws_athena_workgroup\" \"w\" {\n  name = \"w\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_athena_workgroup\" \"w\" {\n  configuration {\n    result_configuration {\n      encryption_configuration {\n        encryption_option = \"SSE_KMS\"\n      }\n    }\n  }\n}\n")],
    }
}

rule! {
    /// Flags CodeBuild projects that turn artifact encryption off.
    ///
    /// Why: build artifacts (binaries, packages, sometimes configuration) are stored in S3
    /// unencrypted.
    CODEBUILD_ARTIFACTS_UNENCRYPTED {
        id: "aws-codebuild-artifacts-unencrypted",
        title: "CodeBuild project artifacts are not encrypted",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_codebuild_project"],
            check: |_, r, h| {
                for a in r.props.first_of(&["artifacts"]).into_iter().flat_map(Node::items) {
                    if let Some(d) = a.get("encryption_disabled").filter(|d| d.is_true()) {
                        h.at(d.line);
                    }
                }
            },
        },
        remediation: "Remove `encryption_disabled = true` from the artifacts (`EncryptionDisabled`).",
        references: &["https://docs.aws.amazon.com/codebuild/latest/userguide/security-encryption.html"],
        aliases: &["CKV_AWS_78"],
        fail: &[("main.tf", "resource \"aws_codebuild_project\" \"p\" {\n  artifacts {\n    type                = \"S3\"\n    encryption_disabled = true\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_codebuild_project\" \"p\" {\n  artifacts {\n    type = \"S3\"\n  }\n}\n")],
    }
}

rule! {
    /// Flags MSK clusters that accept plaintext connections from clients
    /// (`client_broker` `PLAINTEXT` or `TLS_PLAINTEXT`) or between brokers.
    ///
    /// Why: event data and credentials cross the network unencrypted.
    MSK_PLAINTEXT {
        id: "aws-msk-plaintext",
        title: "MSK cluster allows unencrypted traffic",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_msk_cluster"],
            check: |_, r, h| {
                let transit = r.props.path("encryption_info.encryption_in_transit");
                let client = transit.and_then(|t| t.get("client_broker")).and_then(Node::as_str);
                let in_cluster = transit.and_then(|t| t.get("in_cluster"));
                if client.is_some_and(|c| c.to_ascii_uppercase().contains("PLAINTEXT")) || in_cluster.is_some_and(Node::is_false) {
                    h.on(transit);
                }
            },
        },
        remediation: "Set `encryption_in_transit { client_broker = \"TLS\", in_cluster = true }`.",
        references: &["https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html"],
        aliases: &["CKV_AWS_81"],
        fail: &[("main.tf", "resource \"aws_msk_cluster\" \"k\" {\n  encryption_info {\n    encryption_in_transit {\n      client_broker = \"TLS_PLAINTEXT\"\n    }\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_msk_cluster\" \"k\" {\n  encryption_info {\n    encryption_in_transit {\n      client_broker = \"TLS\"\n      in_cluster    = true\n    }\n  }\n}\n")],
    }
}

rule! {
    /// Flags symmetric KMS keys without automatic rotation.
    ///
    /// Why: rotation limits how much data one key version protects and how long a leaked
    /// key version stays useful; it is free and transparent to users of the key.
    KMS_ROTATION_DISABLED {
        id: "aws-kms-rotation-disabled",
        title: "KMS key rotation is not enabled",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_kms_key"],
            check: |_, r, h| {
                let symmetric = text(r, &["customer_master_key_spec", "key_spec"]).is_none_or(|(s, _)| s == "symmetric_default");
                if symmetric {
                    unless_true(r, h, &["enable_key_rotation"]);
                }
            },
        },
        remediation: "Set `enable_key_rotation = true` (`EnableKeyRotation: true`).",
        references: &["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
        aliases: &["CKV_AWS_7", "F19"],
        fail: &[
            ("main.tf", "resource \"aws_kms_key\" \"k\" {\n  description = \"logs\"\n}\n"),
            ("template.yaml", "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: {}\n      EnableKeyRotation: false\n"),
        ],
        pass: &[("main.tf", "resource \"aws_kms_key\" \"k\" {\n  enable_key_rotation = true\n}\n")],
    }
}
