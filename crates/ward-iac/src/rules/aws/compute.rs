//! EC2: EBS encryption, instance metadata service, user data secrets, public addresses,
//! monitoring.

use ward_core::Severity;

use super::{if_true, unless_true};
use crate::model::Node;
use crate::rules::secrets::script_has_secret;
use crate::rules::{rule, Check};

rule! {
    /// Flags EBS volumes that are not encrypted.
    ///
    /// Why: unencrypted volumes, and every snapshot taken from them, expose their data to
    /// anyone who can read the snapshot or the underlying storage.
    EBS_UNENCRYPTED {
        id: "aws-ebs-unencrypted",
        title: "EBS volume is not encrypted",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_ebs_volume"], check: |_, r, h| unless_true(r, h, &["encrypted"]) },
        remediation: "Set `encrypted = true` (`Encrypted: true`) with a KMS key, or turn on EBS encryption by default for the account.",
        references: &["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
        aliases: &["CKV_AWS_3", "F1"],
        fail: &[
            ("main.tf", "resource \"aws_ebs_volume\" \"v\" {\n  size = 1\n}\n"),
            ("template.yaml", "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties:\n      Size: 1\n      Encrypted: false\n"),
        ],
        pass: &[("main.tf", "resource \"aws_ebs_volume\" \"v\" {\n  size      = 1\n  encrypted = true\n}\n")],
    }
}

rule! {
    /// Flags EC2 instances, launch templates and launch configurations whose root or
    /// attached block devices are not encrypted.
    ///
    /// Why: the root volume holds the operating system, application files and often
    /// credentials; unencrypted, it leaks through snapshots and AMIs.
    EC2_BLOCK_DEVICE_UNENCRYPTED {
        id: "aws-ec2-block-device-unencrypted",
        title: "EC2 instance block device is not encrypted",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_instance", "aws_launch_configuration", "aws_launch_template"],
            check: |_, r, h| {
                let data = r.props.get("launch_template_data").unwrap_or(&r.props);
                let mut devices: Vec<&Node> = Vec::new();
                for key in ["root_block_device", "ebs_block_device", "block_device_mappings"] {
                    devices.extend(data.get(key).into_iter().flat_map(Node::items));
                }
                if devices.is_empty() && r.kind == "aws_instance" {
                    h.detail(0, "the root volume is not declared encrypted");
                }
                for device in devices {
                    let encrypted = device.get("ebs").unwrap_or(device).get("encrypted");
                    if !encrypted.is_some_and(|e| e.is_true() || e.is_dynamic()) {
                        h.at(device.line);
                    }
                }
            },
        },
        remediation: "Declare the root (and every EBS) block device with `encrypted = true`, or enable EBS encryption by default for the account.",
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/RootDeviceStorage.html"],
        aliases: &["CKV_AWS_8"],
        fail: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  ami = \"ami-1\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  ami = \"ami-1\"\n  root_block_device {\n    encrypted = true\n  }\n}\n")],
    }
}

rule! {
    /// Flags instances and launch templates that allow IMDSv1 (metadata tokens not
    /// required).
    ///
    /// Why: with IMDSv1, a server-side request forgery in any application on the instance
    /// can read the instance role's credentials from `169.254.169.254`.
    EC2_IMDSV1_ENABLED {
        id: "aws-ec2-imdsv1-enabled",
        title: "Instance metadata service v1 is enabled",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_instance", "aws_launch_template", "aws_launch_configuration"],
            check: |_, r, h| {
                let data = r.props.get("launch_template_data").unwrap_or(&r.props);
                let options = data.get("metadata_options");
                if options.and_then(|o| o.get("http_endpoint")).and_then(Node::as_str).is_some_and(|e| e.eq_ignore_ascii_case("disabled")) {
                    return;
                }
                match options.and_then(|o| o.get("http_tokens")) {
                    Some(t) if t.is_dynamic() || t.as_str().is_some_and(|s| s.eq_ignore_ascii_case("required")) => {}
                    Some(t) => h.at(t.line),
                    None => h.at(options.map(|o| o.line).unwrap_or(0)),
                }
            },
        },
        remediation: "Require session tokens: `metadata_options { http_tokens = \"required\" }` (`MetadataOptions: {HttpTokens: required}`).",
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html"],
        aliases: &["CKV_AWS_79"],
        fail: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  metadata_options {\n    http_tokens = \"optional\"\n  }\n}\n")],
        pass: &[("template.yaml", "Resources:\n  T:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        MetadataOptions:\n          HttpTokens: required\n")],
    }
}

rule! {
    /// Flags instances and launch templates whose user data contains credentials: an AWS
    /// access key id, or a literal value assigned to a variable named like a password,
    /// secret, token or key.
    ///
    /// Why: user data is readable by anyone who can describe the instance, by every process
    /// on it through the metadata service, and stays in the template's history.
    EC2_USER_DATA_SECRETS {
        id: "aws-ec2-user-data-secrets",
        title: "EC2 user data contains plaintext credentials",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_instance", "aws_launch_template", "aws_launch_configuration"],
            check: |_, r, h| {
                let data = r.props.get("launch_template_data").unwrap_or(&r.props);
                let Some(user_data) = data.first_of(&["user_data", "user_data_base64"]) else {
                    return;
                };
                let mut strings = Vec::new();
                user_data.walk_strings(&mut strings);
                let script: String = strings.iter().map(|(s, _)| *s).collect::<Vec<_>>().join("\n");
                if script_has_secret(&script) {
                    h.at(user_data.line);
                }
            },
        },
        remediation: "Keep credentials out of user data: give the instance an IAM role, and read other secrets at boot from Secrets Manager or SSM Parameter Store.",
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html"],
        aliases: &["CKV_AWS_46"],
        fail: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  user_data = <<EOF\n#!/bin/sh\nexport DB_PASSWORD=correct-horse-battery\nEOF\n}\n")],
        pass: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  user_data = <<EOF\n#!/bin/sh\nexport DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db)\nEOF\n}\n")],
    }
}

rule! {
    /// Flags instances launched with a public IP address (`associate_public_ip_address`).
    ///
    /// Why: a public address makes the instance directly reachable from the internet,
    /// one security group mistake away from exposure.
    EC2_PUBLIC_IP {
        id: "aws-ec2-public-ip",
        title: "EC2 instance has a public IP address",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_instance", "aws_launch_template", "aws_launch_configuration"],
            check: |_, r, h| {
                if_true(r, h, &["associate_public_ip_address", "network_interfaces.associate_public_ip_address", "launch_template_data.network_interfaces.associate_public_ip_address"]);
            },
        },
        remediation: "Place instances in private subnets without public addresses; expose services through a load balancer.",
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html"],
        aliases: &["CKV_AWS_88"],
        fail: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  associate_public_ip_address = true\n}\n")],
        pass: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  associate_public_ip_address = false\n}\n")],
    }
}

rule! {
    /// Flags instances without detailed (one-minute) CloudWatch monitoring.
    ///
    /// Why: five-minute metrics hide short spikes, such as a burst of CPU from a miner or a
    /// flood of traffic.
    EC2_DETAILED_MONITORING_DISABLED {
        id: "aws-ec2-detailed-monitoring-disabled",
        title: "EC2 instance detailed monitoring is not enabled",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_instance"], check: |_, r, h| unless_true(r, h, &["monitoring"]) },
        remediation: "Set `monitoring = true` (`Monitoring: true`).",
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html"],
        aliases: &["CKV_AWS_126"],
        fail: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  ami = \"ami-1\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  monitoring = true\n}\n")],
    }
}

rule! {
    /// Flags instances that are not EBS-optimised.
    ///
    /// Why: without dedicated EBS bandwidth, disk and network traffic compete, and I/O can
    /// starve under load (an availability concern).
    EC2_NOT_EBS_OPTIMIZED {
        id: "aws-ec2-not-ebs-optimized",
        title: "EC2 instance is not EBS-optimized",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_instance"], check: |_, r, h| unless_true(r, h, &["ebs_optimized"]) },
        remediation: "Set `ebs_optimized = true` (`EbsOptimized: true`) on instance types that support it.",
        references: &["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html"],
        aliases: &["CKV_AWS_135"],
        fail: &[("template.yaml", "Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n")],
        pass: &[("main.tf", "resource \"aws_instance\" \"i\" {\n  ebs_optimized = true\n}\n")],
    }
}
