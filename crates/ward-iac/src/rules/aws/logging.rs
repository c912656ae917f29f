//! Audit and threat logging: CloudTrail, CloudWatch log groups, GuardDuty.

use ward_core::Severity;

use super::{unless_set, unless_true};
use crate::rules::{rule, Check};

rule! {
    /// Flags CloudTrail trails whose log files are not encrypted with a KMS key.
    ///
    /// Why: the trail is the account's audit record; a KMS key restricts who can read it,
    /// separately from access to the bucket.
    CLOUDTRAIL_UNENCRYPTED {
        id: "aws-cloudtrail-unencrypted",
        title: "CloudTrail logs are not encrypted with a KMS key",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_cloudtrail"], check: |_, r, h| unless_set(r, h, &["kms_key_id"]) },
        remediation: "Set `kms_key_id` (`KMSKeyId`) to a customer managed key whose policy allows CloudTrail to encrypt.",
        references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html"],
        aliases: &["CKV_AWS_35"],
        fail: &[("main.tf", "resource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = \"trail\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_cloudtrail\" \"t\" {\n  kms_key_id = aws_kms_key.trail.arn\n}\n")],
    }
}

rule! {
    /// Flags CloudTrail trails without log file integrity validation.
    ///
    /// Why: without digest files nobody can prove the logs were not edited or deleted after
    /// an intrusion.
    CLOUDTRAIL_LOG_VALIDATION_DISABLED {
        id: "aws-cloudtrail-log-validation-disabled",
        title: "CloudTrail log file validation is not enabled",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_cloudtrail"], check: |_, r, h| unless_true(r, h, &["enable_log_file_validation"]) },
        remediation: "Set `enable_log_file_validation = true` (`EnableLogFileValidation: true`).",
        references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html"],
        aliases: &["CKV_AWS_36"],
        fail: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: trail\n")],
        pass: &[("main.tf", "resource \"aws_cloudtrail\" \"t\" {\n  enable_log_file_validation = true\n}\n")],
    }
}

rule! {
    /// Flags CloudTrail trails that record only their own region.
    ///
    /// Why: activity in other regions (a favourite place to run unauthorised instances)
    /// goes unrecorded.
    CLOUDTRAIL_SINGLE_REGION {
        id: "aws-cloudtrail-single-region",
        title: "CloudTrail trail is not multi-region",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_cloudtrail"], check: |_, r, h| unless_true(r, h, &["is_multi_region_trail"]) },
        remediation: "Set `is_multi_region_trail = true` (`IsMultiRegionTrail: true`).",
        references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html"],
        aliases: &["CKV_AWS_67"],
        fail: &[("main.tf", "resource \"aws_cloudtrail\" \"t\" {\n  is_multi_region_trail = false\n}\n")],
        pass: &[("main.tf", "resource \"aws_cloudtrail\" \"t\" {\n  is_multi_region_trail = true\n}\n")],
    }
}

rule! {
    /// Flags CloudTrail trails with logging turned off (`enable_logging = false`,
    /// `IsLogging: false`).
    ///
    /// Why: the trail exists but records nothing; API activity in the account is not
    /// audited.
    CLOUDTRAIL_LOGGING_OFF {
        id: "aws-cloudtrail-logging-off",
        title: "CloudTrail trail is not logging",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_cloudtrail"],
            check: |_, r, h| {
                if let Some(n) = r.props.first_of(&["enable_logging", "is_logging"]).filter(|n| n.is_false()) {
                    h.at(n.line);
                }
            },
        },
        remediation: "Turn logging on: `enable_logging = true` (`IsLogging: true`).",
        references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-turning-off-logging.html"],
        aliases: &[],
        fail: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: false\n      S3BucketName: trail\n")],
        pass: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: trail\n")],
    }
}

rule! {
    /// Flags CloudWatch log groups without a KMS key.
    ///
    /// Why: application logs often contain personal data and tokens; a KMS key limits who
    /// can read them beyond the CloudWatch Logs permissions.
    LOG_GROUP_UNENCRYPTED {
        id: "aws-log-group-unencrypted",
        title: "CloudWatch log group is not encrypted with a KMS key",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_cloudwatch_log_group"], check: |_, r, h| unless_set(r, h, &["kms_key_id"]) },
        remediation: "Set `kms_key_id` (`KmsKeyId`).",
        references: &["https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"],
        aliases: &["CKV_AWS_158"],
        fail: &[("main.tf", "resource \"aws_cloudwatch_log_group\" \"g\" {\n  name = \"app\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_cloudwatch_log_group\" \"g\" {\n  kms_key_id = aws_kms_key.logs.arn\n}\n")],
    }
}

rule! {
    /// Flags CloudWatch log groups kept forever (no retention period).
    ///
    /// Why: logs accumulate without bound, with the personal data in them, which conflicts
    /// with data-minimisation rules and grows cost.
    LOG_GROUP_NO_RETENTION {
        id: "aws-log-group-no-retention",
        title: "CloudWatch log group has no retention period",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_cloudwatch_log_group"], check: |_, r, h| unless_set(r, h, &["retention_in_days"]) },
        remediation: "Set `retention_in_days` (`RetentionInDays`) to what your policy requires (for example 365).",
        references: &["https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention"],
        aliases: &["CKV_AWS_66"],
        fail: &[("template.yaml", "Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: app\n")],
        pass: &[("main.tf", "resource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = 365\n}\n")],
    }
}

rule! {
    /// Flags GuardDuty detectors that are disabled.
    ///
    /// Why: GuardDuty is the account's threat detection; a disabled detector reports
    /// nothing.
    GUARDDUTY_DISABLED {
        id: "aws-guardduty-disabled",
        title: "GuardDuty detector is disabled",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_guardduty_detector"],
            check: |_, r, h| {
                if let Some(n) = r.props.first_of(&["enable"]).filter(|n| n.is_false()) {
                    h.at(n.line);
                }
            },
        },
        remediation: "Set `enable = true` (`Enable: true`).",
        references: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html"],
        aliases: &[],
        fail: &[("main.tf", "resource \"aws_guardduty_detector\" \"d\" {\n  enable = false\n}\n")],
        pass: &[("main.tf", "resource \"aws_guardduty_detector\" \"d\" {\n  enable = true\n}\n")],
    }
}
