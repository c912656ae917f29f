//! AWS rules, one file per service family, and the property helpers they share.
//!
//! Property names are matched ignoring case and underscores (`model::key_eq`), so a path
//! such as `storage_encrypted` reads CloudFormation's `StorageEncrypted` as well. A value
//! set by an expression or intrinsic function (known only at deploy time) never fails a
//! rule: ward reports what the code states.

use crate::model::Resource;
use crate::rules::{Hits, Rule};

mod api_gateway;
mod compute;
mod containers;
mod databases;
mod iam;
mod lambda;
mod logging;
mod network;
mod s3;
mod storage;

/// Every AWS rule.
pub(crate) static RULES: &[&Rule] = &[
    &s3::S3_PUBLIC_READ_ACL,
    &s3::S3_PUBLIC_WRITE_ACL,
    &s3::S3_UNENCRYPTED,
    &s3::S3_NOT_KMS_ENCRYPTED,
    &s3::S3_VERSIONING_DISABLED,
    &s3::S3_ACCESS_LOGGING_DISABLED,
    &s3::S3_BLOCK_PUBLIC_ACLS_OFF,
    &s3::S3_BLOCK_PUBLIC_POLICY_OFF,
    &s3::S3_IGNORE_PUBLIC_ACLS_OFF,
    &s3::S3_RESTRICT_PUBLIC_BUCKETS_OFF,
    &network::SG_OPEN_SSH,
    &network::SG_OPEN_RDP,
    &network::SG_OPEN_ALL_PORTS,
    &network::SG_OPEN_ADMIN_PORTS,
    &network::SG_OPEN_HTTP,
    &network::SG_RULE_NO_DESCRIPTION,
    &network::SG_UNRESTRICTED_EGRESS,
    &network::NACL_OPEN_ADMIN_PORT,
    &network::VPC_FLOW_LOGS_DISABLED,
    &network::SUBNET_PUBLIC_IP_ON_LAUNCH,
    &network::ELB_HTTP_LISTENER,
    &network::ELB_ACCESS_LOGS_DISABLED,
    &network::ALB_INVALID_HEADERS_KEPT,
    &network::LB_OUTDATED_TLS_POLICY,
    &network::CLOUDFRONT_HTTP_ALLOWED,
    &network::CLOUDFRONT_OUTDATED_TLS,
    &compute::EBS_UNENCRYPTED,
    &compute::EC2_BLOCK_DEVICE_UNENCRYPTED,
    &compute::EC2_IMDSV1_ENABLED,
    &compute::EC2_USER_DATA_SECRETS,
    &compute::EC2_PUBLIC_IP,
    &compute::EC2_DETAILED_MONITORING_DISABLED,
    &compute::EC2_NOT_EBS_OPTIMIZED,
    &iam::IAM_ADMIN_POLICY,
    &iam::IAM_WILDCARD_ACTION,
    &iam::IAM_WILDCARD_RESOURCE,
    &iam::IAM_PRIVILEGE_ESCALATION,
    &iam::IAM_WILDCARD_PRINCIPAL,
    &iam::IAM_ASSUME_ROLE_ANY_PRINCIPAL,
    &iam::IAM_POLICY_ON_USER,
    &iam::IAM_ACCESS_KEY,
    &iam::IAM_WEAK_PASSWORD_POLICY,
    &databases::RDS_UNENCRYPTED,
    &databases::RDS_CLUSTER_UNENCRYPTED,
    &databases::RDS_PUBLIC,
    &databases::RDS_BACKUP_DISABLED,
    &databases::RDS_IAM_AUTH_DISABLED,
    &databases::RDS_MULTI_AZ_DISABLED,
    &databases::RDS_DELETION_PROTECTION_DISABLED,
    &databases::RDS_ENHANCED_MONITORING_DISABLED,
    &databases::RDS_LOGS_DISABLED,
    &databases::NEPTUNE_UNENCRYPTED,
    &databases::NEPTUNE_LOGGING_DISABLED,
    &databases::NEPTUNE_IAM_AUTH_DISABLED,
    &databases::DOCDB_UNENCRYPTED,
    &databases::DYNAMODB_NO_CMK,
    &databases::DYNAMODB_PITR_DISABLED,
    &databases::ELASTICACHE_AT_REST_UNENCRYPTED,
    &databases::ELASTICACHE_IN_TRANSIT_UNENCRYPTED,
    &databases::REDSHIFT_UNENCRYPTED,
    &databases::REDSHIFT_PUBLIC,
    &databases::DAX_UNENCRYPTED,
    &databases::ELASTICSEARCH_UNENCRYPTED,
    &databases::ELASTICSEARCH_NODE_TO_NODE_UNENCRYPTED,
    &databases::ELASTICSEARCH_NOT_IN_VPC,
    &databases::ELASTICSEARCH_HTTPS_NOT_ENFORCED,
    &databases::ELASTICSEARCH_LOGGING_DISABLED,
    &storage::SQS_UNENCRYPTED,
    &storage::SNS_UNENCRYPTED,
    &storage::EFS_UNENCRYPTED,
    &storage::KINESIS_UNENCRYPTED,
    &storage::SECRETS_MANAGER_NO_CMK,
    &storage::SAGEMAKER_NOTEBOOK_UNENCRYPTED,
    &storage::SAGEMAKER_DIRECT_INTERNET,
    &storage::ATHENA_UNENCRYPTED,
    &storage::CODEBUILD_ARTIFACTS_UNENCRYPTED,
    &storage::MSK_PLAINTEXT,
    &storage::KMS_ROTATION_DISABLED,
    &logging::CLOUDTRAIL_UNENCRYPTED,
    &logging::CLOUDTRAIL_LOG_VALIDATION_DISABLED,
    &logging::CLOUDTRAIL_SINGLE_REGION,
    &logging::CLOUDTRAIL_LOGGING_OFF,
    &logging::LOG_GROUP_UNENCRYPTED,
    &logging::LOG_GROUP_NO_RETENTION,
    &logging::GUARDDUTY_DISABLED,
    &lambda::LAMBDA_NO_DLQ,
    &lambda::LAMBDA_NOT_IN_VPC,
    &lambda::LAMBDA_ENV_SECRETS,
    &lambda::LAMBDA_ENV_NOT_CMK_ENCRYPTED,
    &lambda::LAMBDA_NO_CONCURRENCY_LIMIT,
    &lambda::LAMBDA_TRACING_DISABLED,
    &lambda::LAMBDA_DEPRECATED_RUNTIME,
    &lambda::LAMBDA_NO_CODE_SIGNING,
    &lambda::LAMBDA_PUBLIC_PERMISSION,
    &lambda::LAMBDA_URL_NO_AUTH,
    &api_gateway::APIGW_METHOD_NO_AUTH,
    &api_gateway::APIGW_STAGE_NO_ACCESS_LOGS,
    &api_gateway::APIGW_STAGE_NO_XRAY,
    &api_gateway::APIGWV2_ROUTE_NO_AUTH,
    &containers::ECR_SCAN_ON_PUSH_DISABLED,
    &containers::ECR_MUTABLE_TAGS,
    &containers::ECR_NO_CMK,
    &containers::EKS_PUBLIC_ENDPOINT,
    &containers::EKS_PUBLIC_ENDPOINT_OPEN,
    &containers::EKS_SECRETS_UNENCRYPTED,
    &containers::EKS_CONTROL_PLANE_LOGGING_DISABLED,
    &containers::ECS_TASK_PRIVILEGED,
    &containers::ECS_TASK_SECRETS_IN_ENV,
];

/// A hit unless the first present property is true; a missing property is a hit at the
/// resource. Deploy-time values pass.
pub(super) fn unless_true(r: &Resource, hits: &mut Hits, paths: &[&str]) {
    match r.props.first_of(paths) {
        Some(n) if n.is_true() || n.is_dynamic() => {}
        other => hits.on(other),
    }
}

/// A hit when the first present property is true.
pub(super) fn if_true(r: &Resource, hits: &mut Hits, paths: &[&str]) {
    if let Some(n) = r.props.first_of(paths).filter(|n| n.is_true()) {
        hits.at(n.line);
    }
}

/// A hit when none of the properties is set (missing, null, empty).
pub(super) fn unless_set(r: &Resource, hits: &mut Hits, paths: &[&str]) {
    if !paths
        .iter()
        .any(|p| r.props.path(p).is_some_and(|n| !n.is_empty()))
    {
        hits.at(0);
    }
}

/// The string at the first present property, lower-cased, unless set at deploy time.
pub(super) fn text(r: &Resource, paths: &[&str]) -> Option<(String, u32)> {
    let n = r.props.first_of(paths)?;
    n.as_str().map(|s| (s.to_ascii_lowercase(), n.line))
}

/// Whether a CIDR is the whole IPv4 or IPv6 internet.
pub(super) fn is_world(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0" | "0.0.0.0" | "*")
}
