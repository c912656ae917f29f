//! Databases and search: RDS, Aurora, Neptune, DocumentDB, DynamoDB, ElastiCache,
//! Redshift, DAX and Elasticsearch/OpenSearch: encryption, public access, backups,
//! authentication, logging.

use ward_core::Severity;

use super::{if_true, unless_set, unless_true};
use crate::model::{Node, Resource};
use crate::rules::{rule, Check, Hits};

/// Encryption at rest for RDS instances, unless the instance is a read replica (it inherits
/// the source's encryption).
fn rds_encrypted(r: &Resource, h: &mut Hits) {
    if r.props
        .first_of(&["replicate_source_db", "source_db_instance_identifier"])
        .is_some()
    {
        return;
    }
    unless_true(r, h, &["storage_encrypted"]);
}

rule! {
    /// Flags RDS database instances without storage encryption.
    ///
    /// Why: the database files, automated backups, snapshots and read replicas are all
    /// unencrypted, and encryption cannot be turned on later without a migration.
    RDS_UNENCRYPTED {
        id: "aws-rds-unencrypted",
        title: "RDS instance storage is not encrypted",
        severity: Severity::High,
        check: Check::Aws { kinds: &["aws_db_instance"], check: |_, r, h| rds_encrypted(r, h) },
        remediation: "Set `storage_encrypted = true` (`StorageEncrypted: true`) with a KMS key; migrate existing instances through an encrypted snapshot copy.",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html"],
        aliases: &["CKV_AWS_16", "F26"],
        fail: &[
            ("main.tf", "resource \"aws_db_instance\" \"d\" {\n  engine            = \"mysql\"\n  storage_encrypted = false\n}\n"),
            ("template.yaml", "Resources:\n  D:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: MySQL\n"),
        ],
        pass: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  engine            = \"mysql\"\n  storage_encrypted = true\n}\n")],
    }
}

rule! {
    /// Flags RDS/Aurora clusters without storage encryption.
    ///
    /// Why: as for instances, all cluster data, backups and snapshots stay unencrypted, and
    /// the setting cannot be changed after creation.
    RDS_CLUSTER_UNENCRYPTED {
        id: "aws-rds-cluster-unencrypted",
        title: "RDS cluster storage is not encrypted",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_rds_cluster"],
            check: |_, r, h| {
                if r.props.first_of(&["replication_source_identifier", "snapshot_identifier"]).is_none() {
                    unless_true(r, h, &["storage_encrypted"]);
                }
            },
        },
        remediation: "Set `storage_encrypted = true` (`StorageEncrypted: true`) with a KMS key.",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html"],
        aliases: &["CKV_AWS_96", "F27"],
        fail: &[("main.tf", "resource \"aws_rds_cluster\" \"c\" {\n  engine = \"aurora-mysql\"\n}\n")],
        pass: &[("template.yaml", "Resources:\n  C:\n    Type: AWS::RDS::DBCluster\n    Properties:\n      Engine: aurora-mysql\n      StorageEncrypted: true\n")],
    }
}

rule! {
    /// Flags RDS instances that are publicly accessible.
    ///
    /// Why: the database gets a public DNS name and address; only its security group stands
    /// between it and internet-wide password guessing and exploits.
    RDS_PUBLIC {
        id: "aws-rds-public",
        title: "RDS instance is publicly accessible",
        severity: Severity::Critical,
        check: Check::Aws { kinds: &["aws_db_instance", "aws_rds_cluster_instance"], check: |_, r, h| if_true(r, h, &["publicly_accessible"]) },
        remediation: "Set `publicly_accessible = false` and reach the database from inside the VPC (application subnets, a bastion or Session Manager port forwarding).",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding"],
        aliases: &["CKV_AWS_17", "F22"],
        fail: &[("template.yaml", "Resources:\n  D:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      PubliclyAccessible: true\n")],
        pass: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  publicly_accessible = false\n}\n")],
    }
}

rule! {
    /// Flags RDS instances and clusters with automated backups turned off
    /// (`backup_retention_period = 0`).
    ///
    /// Why: without backups, data lost to a bug, a deletion or ransomware cannot be
    /// restored, and point-in-time recovery is impossible.
    RDS_BACKUP_DISABLED {
        id: "aws-rds-backup-disabled",
        title: "RDS automated backups are disabled",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_db_instance", "aws_rds_cluster"],
            check: |_, r, h| {
                if let Some(n) = r.props.get("backup_retention_period").filter(|n| n.as_i64() == Some(0)) {
                    h.at(n.line);
                }
            },
        },
        remediation: "Set `backup_retention_period` to at least 7 days.",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html"],
        aliases: &["CKV_AWS_133"],
        fail: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  backup_retention_period = 0\n}\n")],
        pass: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  backup_retention_period = 7\n}\n")],
    }
}

fn supports_iam_auth(r: &Resource) -> bool {
    r.props
        .get("engine")
        .and_then(Node::as_str)
        .is_none_or(|e| {
            let e = e.to_ascii_lowercase();
            e.contains("mysql") || e.contains("postgres") || e.contains("mariadb") || e == "aurora"
        })
}

rule! {
    /// Flags MySQL, MariaDB and PostgreSQL instances and clusters without IAM database
    /// authentication.
    ///
    /// Why: IAM authentication replaces long-lived database passwords with short-lived
    /// tokens tied to IAM principals, audited in CloudTrail.
    RDS_IAM_AUTH_DISABLED {
        id: "aws-rds-iam-auth-disabled",
        title: "RDS IAM database authentication is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_db_instance", "aws_rds_cluster"],
            check: |_, r, h| {
                if supports_iam_auth(r) {
                    unless_true(r, h, &["iam_database_authentication_enabled", "enable_iam_database_authentication"]);
                }
            },
        },
        remediation: "Set `iam_database_authentication_enabled = true` and connect with `rds generate-db-auth-token`.",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html"],
        aliases: &["CKV_AWS_161", "CKV_AWS_162"],
        fail: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  engine = \"postgres\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  engine = \"sqlserver-ex\"\n}\n")],
    }
}

rule! {
    /// Flags RDS instances that run in a single availability zone.
    ///
    /// Why: an AZ outage or a host failure takes the database down until it is restored;
    /// Multi-AZ fails over automatically (an availability concern).
    RDS_MULTI_AZ_DISABLED {
        id: "aws-rds-multi-az-disabled",
        title: "RDS instance is not Multi-AZ",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_db_instance"], check: |_, r, h| unless_true(r, h, &["multi_az"]) },
        remediation: "Set `multi_az = true` (`MultiAZ: true`) for production databases.",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html"],
        aliases: &["CKV_AWS_157"],
        fail: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  multi_az = false\n}\n")],
        pass: &[("template.yaml", "Resources:\n  D:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MultiAZ: true\n")],
    }
}

rule! {
    /// Flags RDS instances and RDS, Neptune and DocumentDB clusters without deletion
    /// protection.
    ///
    /// Why: one mistaken `terraform destroy` or stack deletion removes the database.
    RDS_DELETION_PROTECTION_DISABLED {
        id: "aws-rds-deletion-protection-disabled",
        title: "RDS deletion protection is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_db_instance", "aws_rds_cluster", "aws_neptune_cluster", "aws_docdb_cluster"],
            check: |_, r, h| unless_true(r, h, &["deletion_protection"]),
        },
        remediation: "Set `deletion_protection = true` (`DeletionProtection: true`).",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection"],
        aliases: &["CKV_AWS_293", "CKV_AWS_139", "CKV2_AWS_58"],
        fail: &[("main.tf", "resource \"aws_rds_cluster\" \"c\" {\n  engine = \"aurora\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_rds_cluster\" \"c\" {\n  deletion_protection = true\n}\n")],
    }
}

rule! {
    /// Flags RDS instances without enhanced monitoring (`monitoring_interval` 0 or unset).
    ///
    /// Why: operating-system metrics (processes, memory, I/O) are what tells a runaway query
    /// or a compromised instance apart from normal load.
    RDS_ENHANCED_MONITORING_DISABLED {
        id: "aws-rds-enhanced-monitoring-disabled",
        title: "RDS enhanced monitoring is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_db_instance"],
            check: |_, r, h| match r.props.get("monitoring_interval") {
                Some(n) if n.is_dynamic() || n.as_i64().is_some_and(|i| i > 0) => {}
                other => h.on(other),
            },
        },
        remediation: "Set `monitoring_interval` (e.g. 60) and a `monitoring_role_arn`.",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.html"],
        aliases: &["CKV_AWS_118"],
        fail: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  monitoring_interval = 0\n}\n")],
        pass: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  monitoring_interval = 60\n}\n")],
    }
}

rule! {
    /// Flags RDS instances and clusters that export no logs to CloudWatch
    /// (`enabled_cloudwatch_logs_exports` empty).
    ///
    /// Why: error, audit and slow-query logs are needed to detect and investigate misuse of
    /// the database.
    RDS_LOGS_DISABLED {
        id: "aws-rds-logs-disabled",
        title: "RDS log exports to CloudWatch are not enabled",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_db_instance", "aws_rds_cluster"], check: |_, r, h| unless_set(r, h, &["enabled_cloudwatch_logs_exports"]) },
        remediation: "List the engine's logs in `enabled_cloudwatch_logs_exports` (`EnableCloudwatchLogsExports`), e.g. `[\"audit\", \"error\", \"slowquery\"]`.",
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html"],
        aliases: &["CKV_AWS_129", "CKV_AWS_324"],
        fail: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  engine = \"mysql\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_db_instance\" \"d\" {\n  enabled_cloudwatch_logs_exports = [\"error\", \"audit\"]\n}\n")],
    }
}

rule! {
    /// Flags Neptune clusters without storage encryption.
    ///
    /// Why: graph data, backups and snapshots stay unencrypted; the setting is fixed at
    /// creation.
    NEPTUNE_UNENCRYPTED {
        id: "aws-neptune-unencrypted",
        title: "Neptune cluster storage is not encrypted",
        severity: Severity::High,
        check: Check::Aws { kinds: &["aws_neptune_cluster"], check: |_, r, h| unless_true(r, h, &["storage_encrypted"]) },
        remediation: "Set `storage_encrypted = true` (`StorageEncrypted: true`) with a KMS key.",
        references: &["https://docs.aws.amazon.com/neptune/latest/userguide/encrypt.html"],
        aliases: &["CKV_AWS_44"],
        fail: &[("main.tf", "resource \"aws_neptune_cluster\" \"n\" {\n  storage_encrypted = false\n}\n")],
        pass: &[("main.tf", "resource \"aws_neptune_cluster\" \"n\" {\n  storage_encrypted = true\n}\n")],
    }
}

rule! {
    /// Flags Neptune clusters that export no audit logs to CloudWatch
    /// (`enable_cloudwatch_logs_exports` without `audit`).
    ///
    /// Why: the audit log is the only record of which queries read or changed the graph.
    NEPTUNE_LOGGING_DISABLED {
        id: "aws-neptune-audit-logs-disabled",
        title: "Neptune audit logs are not exported",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_neptune_cluster"],
            check: |_, r, h| match r.props.first_of(&["enable_cloudwatch_logs_exports"]) {
                Some(n) if n.is_dynamic() || n.has_str("audit") => {}
                other => h.on(other),
            },
        },
        remediation: "Set `enable_cloudwatch_logs_exports = [\"audit\"]` (`EnableCloudwatchLogsExports`) and the `neptune_enable_audit_log` parameter.",
        references: &["https://docs.aws.amazon.com/neptune/latest/userguide/cloudwatch-logs.html"],
        aliases: &["CKV_AWS_101"],
        fail: &[("main.tf", "resource \"aws_neptune_cluster\" \"n\" {\n  engine = \"neptune\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_neptune_cluster\" \"n\" {\n  enable_cloudwatch_logs_exports = [\"audit\"]\n}\n")],
    }
}

rule! {
    /// Flags Neptune clusters without IAM database authentication.
    ///
    /// Why: without it, anyone who can reach the endpoint on the network can query the
    /// graph; IAM authentication ties every connection to a signed, audited principal.
    NEPTUNE_IAM_AUTH_DISABLED {
        id: "aws-neptune-iam-auth-disabled",
        title: "Neptune IAM database authentication is not enabled",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_neptune_cluster"], check: |_, r, h| unless_true(r, h, &["iam_database_authentication_enabled", "iam_auth_enabled"]) },
        remediation: "Set `iam_database_authentication_enabled = true` (`IamAuthEnabled: true`).",
        references: &["https://docs.aws.amazon.com/neptune/latest/userguide/iam-auth.html"],
        aliases: &["CKV_AWS_359"],
        fail: &[("main.tf", "resource \"aws_neptune_cluster\" \"n\" {\n  iam_database_authentication_enabled = false\n}\n")],
        pass: &[("template.yaml", "Resources:\n  N:\n    Type: AWS::Neptune::DBCluster\n    Properties:\n      IamAuthEnabled: true\n")],
    }
}

rule! {
    /// Flags DocumentDB clusters without storage encryption.
    ///
    /// Why: documents, backups and snapshots stay unencrypted; the setting is fixed at
    /// creation.
    DOCDB_UNENCRYPTED {
        id: "aws-docdb-unencrypted",
        title: "DocumentDB cluster storage is not encrypted",
        severity: Severity::High,
        check: Check::Aws { kinds: &["aws_docdb_cluster"], check: |_, r, h| unless_true(r, h, &["storage_encrypted"]) },
        remediation: "Set `storage_encrypted = true` (`StorageEncrypted: true`) with a KMS key.",
        references: &["https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html"],
        aliases: &["CKV_AWS_74"],
        fail: &[("template.yaml", "Resources:\n  D:\n    Type: AWS::DocDB::DBCluster\n    Properties:\n      MasterUsername: admin\n")],
        pass: &[("main.tf", "resource \"aws_docdb_cluster\" \"d\" {\n  storage_encrypted = true\n}\n")],
    }
}

rule! {
    /// Flags DynamoDB tables encrypted only with the AWS-owned key (server-side encryption
    /// with a KMS key not enabled).
    ///
    /// Why: with an AWS-owned key, access to the data cannot be restricted or audited through
    /// KMS, and the key cannot be revoked.
    DYNAMODB_NO_CMK {
        id: "aws-dynamodb-not-kms-encrypted",
        title: "DynamoDB table is not encrypted with a KMS key",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_dynamodb_table"],
            check: |_, r, h| unless_true(r, h, &["server_side_encryption.enabled", "sse_specification.sse_enabled"]),
        },
        remediation: "Enable `server_side_encryption { enabled = true, kms_key_arn = … }` (`SSESpecification: {SSEEnabled: true}`).",
        references: &["https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html"],
        aliases: &["CKV_AWS_119"],
        fail: &[("main.tf", "resource \"aws_dynamodb_table\" \"t\" {\n  name = \"t\"\n}\n")],
        pass: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      SSESpecification:\n        SSEEnabled: true\n")],
    }
}

rule! {
    /// Flags DynamoDB tables without point-in-time recovery.
    ///
    /// Why: without it, overwritten or deleted items cannot be recovered to a moment before
    /// the mistake or attack.
    DYNAMODB_PITR_DISABLED {
        id: "aws-dynamodb-pitr-disabled",
        title: "DynamoDB point-in-time recovery is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_dynamodb_table"],
            check: |_, r, h| unless_true(r, h, &["point_in_time_recovery.enabled", "point_in_time_recovery_specification.point_in_time_recovery_enabled"]),
        },
        remediation: "Enable `point_in_time_recovery { enabled = true }` (`PointInTimeRecoverySpecification`).",
        references: &["https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"],
        aliases: &["CKV_AWS_28"],
        fail: &[("main.tf", "resource \"aws_dynamodb_table\" \"t\" {\n  name = \"t\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_dynamodb_table\" \"t\" {\n  point_in_time_recovery {\n    enabled = true\n  }\n}\n")],
    }
}

rule! {
    /// Flags ElastiCache replication groups without encryption at rest.
    ///
    /// Why: cached data (often sessions and tokens) and backups are stored unencrypted.
    ELASTICACHE_AT_REST_UNENCRYPTED {
        id: "aws-elasticache-at-rest-unencrypted",
        title: "ElastiCache data is not encrypted at rest",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_elasticache_replication_group"], check: |_, r, h| unless_true(r, h, &["at_rest_encryption_enabled"]) },
        remediation: "Set `at_rest_encryption_enabled = true` (`AtRestEncryptionEnabled: true`).",
        references: &["https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/at-rest-encryption.html"],
        aliases: &["CKV_AWS_29"],
        fail: &[("main.tf", "resource \"aws_elasticache_replication_group\" \"r\" {\n  at_rest_encryption_enabled = false\n}\n")],
        pass: &[("main.tf", "resource \"aws_elasticache_replication_group\" \"r\" {\n  at_rest_encryption_enabled = true\n}\n")],
    }
}

rule! {
    /// Flags ElastiCache replication groups without encryption in transit.
    ///
    /// Why: commands and cached data, including AUTH tokens, cross the network in clear.
    ELASTICACHE_IN_TRANSIT_UNENCRYPTED {
        id: "aws-elasticache-in-transit-unencrypted",
        title: "ElastiCache data is not encrypted in transit",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_elasticache_replication_group"], check: |_, r, h| unless_true(r, h, &["transit_encryption_enabled"]) },
        remediation: "Set `transit_encryption_enabled = true` (`TransitEncryptionEnabled: true`) and connect with TLS.",
        references: &["https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/in-transit-encryption.html"],
        aliases: &["CKV_AWS_30"],
        fail: &[("template.yaml", "Resources:\n  R:\n    Type: AWS::ElastiCache::ReplicationGroup\n    Properties:\n      ReplicationGroupDescription: r\n")],
        pass: &[("main.tf", "resource \"aws_elasticache_replication_group\" \"r\" {\n  transit_encryption_enabled = true\n}\n")],
    }
}

rule! {
    /// Flags Redshift clusters that are not encrypted.
    ///
    /// Why: the warehouse usually holds the organisation's most complete copy of its data;
    /// unencrypted, so are its snapshots.
    REDSHIFT_UNENCRYPTED {
        id: "aws-redshift-unencrypted",
        title: "Redshift cluster is not encrypted",
        severity: Severity::High,
        check: Check::Aws { kinds: &["aws_redshift_cluster"], check: |_, r, h| unless_true(r, h, &["encrypted"]) },
        remediation: "Set `encrypted = true` (`Encrypted: true`) with a KMS key.",
        references: &["https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html"],
        aliases: &["CKV_AWS_64"],
        fail: &[("main.tf", "resource \"aws_redshift_cluster\" \"r\" {\n  node_type = \"dc2.large\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_redshift_cluster\" \"r\" {\n  encrypted = true\n}\n")],
    }
}

rule! {
    /// Flags Redshift clusters that are publicly accessible.
    ///
    /// Why: the cluster endpoint gets a public address, reachable by anyone the security
    /// group lets in.
    REDSHIFT_PUBLIC {
        id: "aws-redshift-public",
        title: "Redshift cluster is publicly accessible",
        severity: Severity::High,
        check: Check::Aws { kinds: &["aws_redshift_cluster"], check: |_, r, h| if_true(r, h, &["publicly_accessible"]) },
        remediation: "Set `publicly_accessible = false` and reach the cluster from inside the VPC.",
        references: &["https://docs.aws.amazon.com/redshift/latest/mgmt/managing-clusters-vpc.html"],
        aliases: &["CKV_AWS_87"],
        fail: &[("template.yaml", "Resources:\n  R:\n    Type: AWS::Redshift::Cluster\n    Properties:\n      PubliclyAccessible: true\n")],
        pass: &[("main.tf", "resource \"aws_redshift_cluster\" \"r\" {\n  publicly_accessible = false\n}\n")],
    }
}

rule! {
    /// Flags DAX clusters without server-side encryption.
    ///
    /// Why: cached DynamoDB items are stored unencrypted on the cluster nodes.
    DAX_UNENCRYPTED {
        id: "aws-dax-unencrypted",
        title: "DAX cluster is not encrypted at rest",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_dax_cluster"], check: |_, r, h| unless_true(r, h, &["server_side_encryption.enabled", "sse_specification.sse_enabled"]) },
        remediation: "Enable `server_side_encryption { enabled = true }` (`SSESpecification: {SSEEnabled: true}`).",
        references: &["https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionAtRest.html"],
        aliases: &["CKV_AWS_47"],
        fail: &[("main.tf", "resource \"aws_dax_cluster\" \"d\" {\n  node_type = \"dax.r4.large\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_dax_cluster\" \"d\" {\n  server_side_encryption {\n    enabled = true\n  }\n}\n")],
    }
}

const SEARCH_KINDS: &[&str] = &["aws_elasticsearch_domain", "aws_opensearch_domain"];

rule! {
    /// Flags Elasticsearch/OpenSearch domains without encryption at rest.
    ///
    /// Why: indexed data (frequently logs full of personal data and tokens) is stored
    /// unencrypted, as are snapshots.
    ELASTICSEARCH_UNENCRYPTED {
        id: "aws-elasticsearch-unencrypted",
        title: "Elasticsearch/OpenSearch domain is not encrypted at rest",
        severity: Severity::High,
        check: Check::Aws { kinds: SEARCH_KINDS, check: |_, r, h| unless_true(r, h, &["encrypt_at_rest.enabled", "encryption_at_rest_options.enabled"]) },
        remediation: "Enable `encrypt_at_rest { enabled = true }` (`EncryptionAtRestOptions: {Enabled: true}`).",
        references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html"],
        aliases: &["CKV_AWS_5"],
        fail: &[("main.tf", "resource \"aws_elasticsearch_domain\" \"d\" {\n  domain_name = \"d\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_opensearch_domain\" \"d\" {\n  encrypt_at_rest {\n    enabled = true\n  }\n}\n")],
    }
}

rule! {
    /// Flags Elasticsearch/OpenSearch domains without node-to-node encryption.
    ///
    /// Why: traffic between the cluster's nodes, which carries every document, is
    /// unencrypted inside the VPC.
    ELASTICSEARCH_NODE_TO_NODE_UNENCRYPTED {
        id: "aws-elasticsearch-node-to-node-unencrypted",
        title: "Elasticsearch/OpenSearch node-to-node encryption is not enabled",
        severity: Severity::Medium,
        check: Check::Aws { kinds: SEARCH_KINDS, check: |_, r, h| unless_true(r, h, &["node_to_node_encryption.enabled", "node_to_node_encryption_options.enabled"]) },
        remediation: "Enable `node_to_node_encryption { enabled = true }` (`NodeToNodeEncryptionOptions`).",
        references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ntn.html"],
        aliases: &["CKV_AWS_6"],
        fail: &[("template.yaml", "Resources:\n  D:\n    Type: AWS::OpenSearchService::Domain\n    Properties:\n      EngineVersion: OpenSearch_2.11\n")],
        pass: &[("main.tf", "resource \"aws_elasticsearch_domain\" \"d\" {\n  node_to_node_encryption {\n    enabled = true\n  }\n}\n")],
    }
}

rule! {
    /// Flags Elasticsearch/OpenSearch domains outside a VPC (no `vpc_options`).
    ///
    /// Why: the domain gets a public endpoint; only its access policy protects the data.
    ELASTICSEARCH_NOT_IN_VPC {
        id: "aws-elasticsearch-not-in-vpc",
        title: "Elasticsearch/OpenSearch domain is not in a VPC",
        severity: Severity::Medium,
        check: Check::Aws { kinds: SEARCH_KINDS, check: |_, r, h| unless_set(r, h, &["vpc_options"]) },
        remediation: "Place the domain in private subnets with `vpc_options` (`VPCOptions`).",
        references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html"],
        aliases: &["CKV_AWS_137"],
        fail: &[("main.tf", "resource \"aws_elasticsearch_domain\" \"d\" {\n  domain_name = \"d\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_elasticsearch_domain\" \"d\" {\n  vpc_options {\n    subnet_ids = [\"subnet-1\"]\n  }\n}\n")],
    }
}

rule! {
    /// Flags Elasticsearch/OpenSearch domains that do not enforce HTTPS.
    ///
    /// Why: clients may send queries and credentials over plain HTTP.
    ELASTICSEARCH_HTTPS_NOT_ENFORCED {
        id: "aws-elasticsearch-https-not-enforced",
        title: "Elasticsearch/OpenSearch domain does not enforce HTTPS",
        severity: Severity::Medium,
        check: Check::Aws { kinds: SEARCH_KINDS, check: |_, r, h| unless_true(r, h, &["domain_endpoint_options.enforce_https"]) },
        remediation: "Set `domain_endpoint_options { enforce_https = true, tls_security_policy = \"Policy-Min-TLS-1-2-2019-07\" }`.",
        references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/infrastructure-security.html"],
        aliases: &["CKV_AWS_83"],
        fail: &[("main.tf", "resource \"aws_opensearch_domain\" \"d\" {\n  domain_name = \"d\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_opensearch_domain\" \"d\" {\n  domain_endpoint_options {\n    enforce_https = true\n  }\n}\n")],
    }
}

rule! {
    /// Flags Elasticsearch/OpenSearch domains that publish no logs to CloudWatch.
    ///
    /// Why: slow and error logs and the audit log are needed to see abuse of the domain.
    ELASTICSEARCH_LOGGING_DISABLED {
        id: "aws-elasticsearch-logging-disabled",
        title: "Elasticsearch/OpenSearch domain logging is not enabled",
        severity: Severity::Low,
        check: Check::Aws { kinds: SEARCH_KINDS, check: |_, r, h| unless_set(r, h, &["log_publishing_options"]) },
        remediation: "Add `log_publishing_options` (`LogPublishingOptions`) for the application, slow and audit logs.",
        references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/createdomain-configure-slow-logs.html"],
        aliases: &["CKV_AWS_84", "CKV_AWS_317"],
        fail: &[("main.tf", "resource \"aws_elasticsearch_domain\" \"d\" {\n  domain_name = \"d\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_elasticsearch_domain\" \"d\" {\n  log_publishing_options {\n    log_type                 = \"INDEX_SLOW_LOGS\"\n    cloudwatch_log_group_arn = \"arn:aws:logs:x\"\n  }\n}\n")],
    }
}
