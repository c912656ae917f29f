//! Network exposure: security groups and network ACLs open to the internet, VPC flow logs,
//! public subnets, load balancer listeners and logs, CloudFront viewer protocols.
//!
//! Security group rules are read in every form: inline `ingress`/`egress` blocks and
//! `SecurityGroupIngress`/`SecurityGroupEgress` lists, `aws_security_group_rule`,
//! `aws_vpc_security_group_ingress_rule`/`egress_rule` and the CloudFormation
//! `AWS::EC2::SecurityGroupIngress`/`Egress` resources.

use ward_core::Severity;

use super::{if_true, is_world, text};
use crate::model::{Node, Resource};
use crate::rules::{rule, Check, Hits};

/// One permission of a security group (or network ACL) rule.
struct Permission {
    from: Option<i64>,
    to: Option<i64>,
    all_protocols: bool,
    world: bool,
    described: bool,
    line: u32,
}

impl Permission {
    fn of(node: &Node, fallback_line: u32) -> Permission {
        let protocol = node.first_of(&["protocol", "ip_protocol"]);
        let all_protocols = protocol.is_some_and(|p| {
            p.as_i64() == Some(-1)
                || p.as_str()
                    .is_some_and(|s| s == "-1" || s.eq_ignore_ascii_case("all"))
        });
        let mut cidrs = Vec::new();
        for key in [
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "cidr_ip",
            "cidr_ipv6",
            "cidr_ipv4",
            "cidr_block",
            "ipv6_cidr_block",
        ] {
            if let Some(n) = node.get(key) {
                cidrs.extend(n.strings());
            }
        }
        let range = node.get("port_range");
        Permission {
            from: node
                .get("from_port")
                .or_else(|| range.and_then(|r| r.get("from")))
                .and_then(Node::as_i64),
            to: node
                .get("to_port")
                .or_else(|| range.and_then(|r| r.get("to")))
                .and_then(Node::as_i64),
            all_protocols,
            world: cidrs.into_iter().any(is_world),
            described: node.get("description").is_some_and(|d| !d.is_empty()),
            line: node.line_or(fallback_line),
        }
    }

    fn all_ports(&self) -> bool {
        self.all_protocols
            || (self.from.is_some_and(|f| f <= 1) && self.to.is_some_and(|t| t >= 65535 || t == -1))
    }

    fn covers(&self, port: i64) -> bool {
        self.all_ports()
            || matches!((self.from, self.to), (Some(f), Some(t)) if f <= port && port <= t)
    }
}

/// The ingress (`egress = false`) or egress permissions a resource declares.
fn permissions(r: &Resource, egress: bool) -> Vec<Permission> {
    let (inline, rule_kind) = if egress {
        ("egress", "aws_vpc_security_group_egress_rule")
    } else {
        ("ingress", "aws_vpc_security_group_ingress_rule")
    };
    match r.kind.as_str() {
        "aws_security_group" => {
            let cfn_key = if egress {
                "security_group_egress"
            } else {
                "security_group_ingress"
            };
            r.props
                .first_of(&[inline, cfn_key])
                .into_iter()
                .flat_map(Node::items)
                .map(|n| Permission::of(n, r.lines.0))
                .collect()
        }
        "aws_security_group_rule" => {
            let kind = r.props.get("type").and_then(Node::as_str).unwrap_or("");
            if kind == inline {
                vec![Permission::of(&r.props, r.lines.0)]
            } else {
                Vec::new()
            }
        }
        k if k == rule_kind => vec![Permission::of(&r.props, r.lines.0)],
        _ => Vec::new(),
    }
}

const SG_KINDS: &[&str] = &[
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
];

fn open_port(r: &Resource, hits: &mut Hits, port: i64) {
    for p in permissions(r, false) {
        if p.world && p.covers(port) && !p.all_ports() {
            hits.detail(p.line, format!("port {port} is open to the internet"));
        }
    }
}

/// Database, remote-administration and cluster ports that should never face the internet.
const ADMIN_PORTS: &[(i64, &str)] = &[
    (20, "FTP data"),
    (21, "FTP"),
    (23, "Telnet"),
    (135, "MS RPC"),
    (445, "SMB"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2375, "Docker API"),
    (2376, "Docker API (TLS)"),
    (2379, "etcd"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5601, "Kibana"),
    (5900, "VNC"),
    (5985, "WinRM"),
    (6379, "Redis"),
    (6443, "Kubernetes API"),
    (9200, "Elasticsearch"),
    (10250, "kubelet"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

rule! {
    /// Flags security group rules that allow SSH (port 22) from `0.0.0.0/0` or `::/0`.
    ///
    /// Why: internet-facing SSH is scanned and brute-forced constantly; one weak or leaked
    /// key gives a shell in the VPC.
    SG_OPEN_SSH {
        id: "aws-sg-open-ssh",
        title: "Security group allows SSH from the internet",
        severity: Severity::High,
        check: Check::Aws { kinds: SG_KINDS, check: |_, r, h| open_port(r, h, 22) },
        remediation: "Allow the port only from known address ranges or security groups (a bastion, a VPN, the load balancer); use Systems Manager Session Manager instead of opening SSH/RDP.",
        references: &["https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13"],
        aliases: &["CKV_AWS_24", "W9", "F1000"],
        fail: &[
            ("main.tf", "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n"),
            ("template.yaml", "Resources:\n  S:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIpv6: ::/0\n"),
        ],
        pass: &[("main.tf", "resource \"aws_security_group_rule\" \"r\" {\n  type        = \"ingress\"\n  from_port   = 22\n  to_port     = 22\n  protocol    = \"tcp\"\n  cidr_blocks = [\"10.0.0.0/8\"]\n}\n")],
    }
}

rule! {
    /// Flags security group rules that allow RDP (port 3389) from the internet.
    ///
    /// Why: exposed RDP is one of the most common ransomware entry points.
    SG_OPEN_RDP {
        id: "aws-sg-open-rdp",
        title: "Security group allows RDP from the internet",
        severity: Severity::High,
        check: Check::Aws { kinds: SG_KINDS, check: |_, r, h| open_port(r, h, 3389) },
        remediation: "Allow the port only from known address ranges or security groups (a bastion, a VPN, the load balancer); use Systems Manager Session Manager instead of opening SSH/RDP.",
        references: &["https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-14"],
        aliases: &["CKV_AWS_25"],
        fail: &[("template.yaml", "Resources:\n  R:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: 3300\n      ToPort: 3400\n      CidrIp: 0.0.0.0/0\n")],
        pass: &[("main.tf", "resource \"aws_vpc_security_group_ingress_rule\" \"r\" {\n  from_port   = 3389\n  to_port     = 3389\n  ip_protocol = \"tcp\"\n  cidr_ipv4   = \"192.168.1.0/24\"\n}\n")],
    }
}

rule! {
    /// Flags security group rules that open every port (protocol `-1`/`all`, or the range
    /// 0–65535) to the internet.
    ///
    /// Why: every service on the instances, including ones never meant to be reachable,
    /// faces the internet.
    SG_OPEN_ALL_PORTS {
        id: "aws-sg-open-all-ports",
        title: "Security group allows all ports from the internet",
        severity: Severity::Critical,
        check: Check::Aws {
            kinds: SG_KINDS,
            check: |_, r, h| {
                for p in permissions(r, false) {
                    if p.world && p.all_ports() {
                        h.at(p.line);
                    }
                }
            },
        },
        remediation: "Allow the port only from known address ranges or security groups (a bastion, a VPN, the load balancer); use Systems Manager Session Manager instead of opening SSH/RDP.",
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
        aliases: &["CKV_AWS_277"],
        fail: &[("template.yaml", "Resources:\n  S:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - IpProtocol: -1\n          CidrIp: 0.0.0.0/0\n")],
        pass: &[("main.tf", "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"10.1.0.0/16\"]\n  }\n}\n")],
    }
}

rule! {
    /// Flags security group rules that expose a database, remote-administration or cluster
    /// port (FTP, Telnet, SMB, SQL Server, Oracle, MySQL, PostgreSQL, Redis, MongoDB,
    /// Elasticsearch, the Docker and Kubernetes APIs, VNC, WinRM …) to the internet.
    ///
    /// Why: these services are found by internet-wide scans within minutes and are routinely
    /// attacked through default or weak credentials and unpatched bugs.
    SG_OPEN_ADMIN_PORTS {
        id: "aws-sg-open-admin-port",
        title: "Security group exposes an administration or database port to the internet",
        severity: Severity::High,
        check: Check::Aws {
            kinds: SG_KINDS,
            check: |_, r, h| {
                for p in permissions(r, false) {
                    if !p.world || p.all_ports() {
                        continue;
                    }
                    let exposed: Vec<String> = ADMIN_PORTS
                        .iter()
                        .filter(|(port, _)| p.covers(*port))
                        .map(|(port, name)| format!("{port} ({name})"))
                        .collect();
                    if !exposed.is_empty() {
                        h.detail(p.line, format!("open to the internet: {}", exposed.join(", ")));
                    }
                }
            },
        },
        remediation: "Allow the port only from known address ranges or security groups (a bastion, a VPN, the load balancer); use Systems Manager Session Manager instead of opening SSH/RDP.",
        references: &["https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19"],
        aliases: &["CKV_AWS_148"],
        fail: &[("main.tf", "resource \"aws_security_group_rule\" \"db\" {\n  type        = \"ingress\"\n  from_port   = 3306\n  to_port     = 3306\n  protocol    = \"tcp\"\n  cidr_blocks = [\"0.0.0.0/0\"]\n}\n")],
        pass: &[("main.tf", "resource \"aws_security_group_rule\" \"db\" {\n  type        = \"ingress\"\n  from_port   = 3306\n  to_port     = 3306\n  protocol    = \"tcp\"\n  cidr_blocks = [aws_vpc.main.cidr_block]\n}\n")],
    }
}

rule! {
    /// Flags security group rules that allow plain HTTP (port 80) from the internet.
    ///
    /// Why: traffic on port 80 is unencrypted; a public service should answer on 443 and
    /// redirect, usually behind a load balancer rather than directly on instances.
    SG_OPEN_HTTP {
        id: "aws-sg-open-http",
        title: "Security group allows HTTP (port 80) from the internet",
        severity: Severity::Low,
        check: Check::Aws { kinds: SG_KINDS, check: |_, r, h| open_port(r, h, 80) },
        remediation: "Serve HTTPS on 443 behind a load balancer or CloudFront, and keep port 80 closed on instances.",
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
        aliases: &["CKV_AWS_260"],
        fail: &[("main.tf", "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port   = 80\n    to_port     = 80\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n")],
    }
}

rule! {
    /// Flags security groups without a description, and security group rules without one.
    ///
    /// Why: a rule nobody can explain is a rule nobody dares to remove; descriptions make
    /// reviews and audits of network access possible.
    SG_RULE_NO_DESCRIPTION {
        id: "aws-sg-missing-description",
        title: "Security group or rule has no description",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: SG_KINDS,
            check: |_, r, h| {
                let group_ok = r.kind != "aws_security_group"
                    || r.props.first_of(&["description", "group_description"]).is_some_and(|d| !d.is_empty());
                let rules_ok = permissions(r, false).iter().chain(permissions(r, true).iter()).all(|p| p.described);
                if !group_ok || !rules_ok {
                    h.at(0);
                }
            },
        },
        remediation: "Give the group and each rule a `description` saying what the access is for.",
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
        aliases: &["CKV_AWS_23"],
        fail: &[("main.tf", "resource \"aws_security_group\" \"s\" {\n  description = \"web\"\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_security_group\" \"s\" {\n  description = \"web\"\n  ingress {\n    description = \"HTTPS from the VPC\"\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }\n}\n")],
    }
}

rule! {
    /// Flags security groups that allow all outbound traffic to the internet (every
    /// protocol and port to `0.0.0.0/0` or `::/0`).
    ///
    /// Why: unrestricted egress lets a compromised host download tools and exfiltrate data
    /// anywhere; it is the default, so it is rarely a decision.
    SG_UNRESTRICTED_EGRESS {
        id: "aws-sg-unrestricted-egress",
        title: "Security group allows all outbound traffic to the internet",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: SG_KINDS,
            check: |_, r, h| {
                for p in permissions(r, true) {
                    if p.world && p.all_ports() {
                        h.at(p.line);
                    }
                }
            },
        },
        remediation: "Restrict egress to the ports and destinations the workload needs (HTTPS to VPC endpoints or a proxy).",
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
        aliases: &["CKV_AWS_382"],
        fail: &[("main.tf", "resource \"aws_security_group\" \"s\" {\n  egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_security_group\" \"s\" {\n  egress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n")],
    }
}

rule! {
    /// Flags network ACL entries that allow inbound SSH (22) or RDP (3389) from the
    /// internet.
    ///
    /// Why: the subnet's network ACL is the second line of defence; letting
    /// administration ports through it leaves only security groups between the internet
    /// and every instance.
    NACL_OPEN_ADMIN_PORT {
        id: "aws-nacl-open-admin-port",
        title: "Network ACL allows SSH or RDP from the internet",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_network_acl_rule", "aws_network_acl"],
            check: |_, r, h| {
                let entries: Vec<&Node> = if r.kind == "aws_network_acl" {
                    r.props.get("ingress").into_iter().flat_map(Node::items).collect()
                } else if r.props.get("egress").is_some_and(Node::is_true) {
                    Vec::new()
                } else {
                    vec![&r.props]
                };
                for entry in entries {
                    let allow = entry
                        .first_of(&["rule_action", "action"])
                        .and_then(Node::as_str)
                        .is_some_and(|a| a.eq_ignore_ascii_case("allow"));
                    let p = Permission::of(entry, r.lines.0);
                    if allow && p.world && (p.covers(22) || p.covers(3389)) {
                        h.at(p.line);
                    }
                }
            },
        },
        remediation: "Deny 22 and 3389 from 0.0.0.0/0 and ::/0 in the network ACL; allow them only from administration ranges.",
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"],
        aliases: &["CKV_AWS_231", "CKV_AWS_232"],
        fail: &[("main.tf", "resource \"aws_network_acl_rule\" \"r\" {\n  egress      = false\n  rule_action = \"allow\"\n  protocol    = \"tcp\"\n  cidr_block  = \"0.0.0.0/0\"\n  from_port   = 22\n  to_port     = 22\n}\n")],
        pass: &[("template.yaml", "Resources:\n  E:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties:\n      NetworkAclId: acl-1\n      RuleNumber: 100\n      Protocol: 6\n      RuleAction: deny\n      CidrBlock: 0.0.0.0/0\n      PortRange:\n        From: 22\n        To: 22\n")],
    }
}

rule! {
    /// Flags VPCs with no flow log attached (`aws_flow_log`/`AWS::EC2::FlowLog` referring to
    /// the VPC).
    ///
    /// Why: flow logs are the only record of which addresses talked to what; without them
    /// an intrusion or exfiltration leaves no network trace.
    VPC_FLOW_LOGS_DISABLED {
        id: "aws-vpc-flow-logs-disabled",
        title: "VPC flow logs are not enabled",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_vpc"],
            check: |ctx, r, h| {
                if !ctx.is_referenced_by(r, &["aws_flow_log"]) {
                    h.at(0);
                }
            },
        },
        remediation: "Add a flow log for the VPC (`aws_flow_log` with `vpc_id`, or `AWS::EC2::FlowLog` with `ResourceId: !Ref Vpc`), to CloudWatch Logs or S3.",
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"],
        aliases: &["CKV2_AWS_11"],
        fail: &[("main.tf", "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n")],
        pass: &[
            ("main.tf", "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\nresource \"aws_flow_log\" \"f\" {\n  vpc_id       = aws_vpc.v.id\n  traffic_type = \"ALL\"\n}\n"),
            ("template.yaml", "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n  F:\n    Type: AWS::EC2::FlowLog\n    Properties:\n      ResourceId: !Ref V\n      ResourceType: VPC\n      TrafficType: ALL\n"),
        ],
    }
}

rule! {
    /// Flags subnets that give every instance launched in them a public IP address
    /// (`map_public_ip_on_launch`/`MapPublicIpOnLaunch`).
    ///
    /// Why: instances become reachable from the internet by default, whether or not they
    /// were meant to be.
    SUBNET_PUBLIC_IP_ON_LAUNCH {
        id: "aws-subnet-public-ip-on-launch",
        title: "Subnet assigns public IP addresses by default",
        severity: Severity::Low,
        check: Check::Aws { kinds: &["aws_subnet"], check: |_, r, h| if_true(r, h, &["map_public_ip_on_launch"]) },
        remediation: "Turn off `map_public_ip_on_launch`; give public addresses explicitly to the few instances that need one, or put them behind a load balancer.",
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html"],
        aliases: &["CKV_AWS_130"],
        fail: &[("main.tf", "resource \"aws_subnet\" \"s\" {\n  map_public_ip_on_launch = true\n}\n")],
        pass: &[("main.tf", "resource \"aws_subnet\" \"s\" {\n  map_public_ip_on_launch = false\n}\n")],
    }
}

fn http_listeners(r: &Resource, hits: &mut Hits) {
    match r.kind.as_str() {
        "aws_elb" => {
            for l in r
                .props
                .first_of(&["listener", "listeners"])
                .into_iter()
                .flat_map(Node::items)
            {
                let protocol = l
                    .first_of(&["lb_protocol", "protocol"])
                    .and_then(Node::as_str);
                if protocol.is_some_and(|p| {
                    p.eq_ignore_ascii_case("http") || p.eq_ignore_ascii_case("tcp")
                }) {
                    hits.at(l.line_or(r.lines.0));
                }
            }
        }
        _ => {
            let Some((protocol, line)) = text(r, &["protocol"]) else {
                return;
            };
            let redirects = r
                .props
                .first_of(&["default_action", "default_actions"])
                .into_iter()
                .flat_map(Node::items)
                .any(|a| {
                    a.get("type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case("redirect"))
                });
            if protocol == "http" && !redirects {
                hits.at(line);
            }
        }
    }
}

rule! {
    /// Flags load balancer listeners that accept plain HTTP (or TCP on a classic ELB) and
    /// do not redirect to HTTPS.
    ///
    /// Why: requests, cookies and credentials cross the network unencrypted and can be read
    /// or changed on the way.
    ELB_HTTP_LISTENER {
        id: "aws-elb-http-listener",
        title: "Load balancer listener accepts unencrypted HTTP",
        severity: Severity::Medium,
        check: Check::Aws { kinds: &["aws_elb", "aws_lb_listener", "aws_alb_listener"], check: |_, r, h| http_listeners(r, h) },
        remediation: "Listen on HTTPS/TLS with an ACM certificate; make the HTTP listener a redirect to HTTPS.",
        references: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html"],
        aliases: &["CKV_AWS_2", "CKV_AWS_376", "CKV_AWS_127", "W56"],
        fail: &[
            ("main.tf", "resource \"aws_elb\" \"e\" {\n  listener {\n    instance_port     = 8000\n    instance_protocol = \"http\"\n    lb_port           = 80\n    lb_protocol       = \"http\"\n  }\n}\n"),
            ("template.yaml", "Resources:\n  L:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties:\n      Protocol: HTTP\n      Port: 80\n      DefaultActions:\n        - Type: forward\n          TargetGroupArn: arn\n"),
        ],
        pass: &[("main.tf", "resource \"aws_lb_listener\" \"l\" {\n  protocol = \"HTTP\"\n  port     = 80\n  default_action {\n    type = \"redirect\"\n    redirect {\n      protocol    = \"HTTPS\"\n      port        = \"443\"\n      status_code = \"HTTP_301\"\n    }\n  }\n}\n")],
    }
}

fn lb_attribute(r: &Resource, key: &str) -> Option<bool> {
    r.props
        .get("load_balancer_attributes")
        .into_iter()
        .flat_map(Node::items)
        .find(|a| a.get("key").and_then(Node::as_str) == Some(key))
        .and_then(|a| a.get("value"))
        .and_then(Node::as_bool)
}

rule! {
    /// Flags load balancers without access logs.
    ///
    /// Why: access logs record every request the load balancer served; without them,
    /// attacks on the application cannot be traced.
    ELB_ACCESS_LOGS_DISABLED {
        id: "aws-elb-access-logs-disabled",
        title: "Load balancer access logging is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_elb", "aws_lb", "aws_alb"],
            check: |_, r, h| {
                let enabled = match r.props.first_of(&["access_logs", "access_logging_policy"]) {
                    Some(logs) => {
                        let flag = logs.get("enabled");
                        let default = r.kind == "aws_elb" && logs.get("bucket").is_some_and(|b| !b.is_empty());
                        flag.map(|f| f.is_true() || f.is_dynamic()).unwrap_or(default)
                    }
                    None => lb_attribute(r, "access_logs.s3.enabled") == Some(true),
                };
                if !enabled {
                    h.at(0);
                }
            },
        },
        remediation: "Enable access logs to an S3 bucket: `access_logs { bucket = …, enabled = true }`, `AccessLoggingPolicy` (classic) or the `access_logs.s3.enabled` attribute.",
        references: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html"],
        aliases: &["CKV_AWS_92", "CKV_AWS_91", "W26", "W52"],
        fail: &[("main.tf", "resource \"aws_lb\" \"l\" {\n  name = \"web\"\n}\n")],
        pass: &[("template.yaml", "Resources:\n  L:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      LoadBalancerAttributes:\n        - Key: access_logs.s3.enabled\n          Value: 'true'\n")],
    }
}

rule! {
    /// Flags application load balancers that pass requests with invalid HTTP headers on
    /// to targets (`drop_invalid_header_fields` off).
    ///
    /// Why: malformed headers are a request-smuggling and desynchronisation vector between
    /// the load balancer and the application server.
    ALB_INVALID_HEADERS_KEPT {
        id: "aws-alb-invalid-headers-kept",
        title: "Application load balancer does not drop invalid HTTP headers",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_lb", "aws_alb"],
            check: |_, r, h| {
                let application = r.props.first_of(&["load_balancer_type", "type"]).and_then(Node::as_str).is_none_or(|t| t.eq_ignore_ascii_case("application"));
                let dropped = r.props.get("drop_invalid_header_fields").is_some_and(|n| n.is_true() || n.is_dynamic())
                    || lb_attribute(r, "routing.http.drop_invalid_header_fields.enabled") == Some(true);
                if application && !dropped {
                    h.at(0);
                }
            },
        },
        remediation: "Set `drop_invalid_header_fields = true` (or the `routing.http.drop_invalid_header_fields.enabled` attribute).",
        references: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes"],
        aliases: &["CKV_AWS_131"],
        fail: &[("main.tf", "resource \"aws_lb\" \"l\" {\n  load_balancer_type = \"application\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_lb\" \"l\" {\n  load_balancer_type         = \"application\"\n  drop_invalid_header_fields = true\n}\n")],
    }
}

const OLD_TLS_POLICIES: &[&str] = &[
    "elbsecuritypolicy-2015-05",
    "elbsecuritypolicy-2016-08",
    "elbsecuritypolicy-tls-1-0-2015-04",
    "elbsecuritypolicy-tls-1-1-2017-01",
    "elbsecuritypolicy-fs-2018-06",
    "elbsecuritypolicy-fs-1-1-2019-08",
    "elbsecuritypolicy-tls13-1-0-2021-06",
    "elbsecuritypolicy-tls13-1-1-2021-06",
];

rule! {
    /// Flags HTTPS/TLS listeners whose security policy still allows TLS 1.0 or 1.1
    /// (`ELBSecurityPolicy-2016-08` and older, the `TLS-1-0`/`TLS-1-1` policies).
    ///
    /// Why: TLS 1.0 and 1.1 are deprecated (RFC 8996) and weak ciphers come with them.
    LB_OUTDATED_TLS_POLICY {
        id: "aws-lb-outdated-tls-policy",
        title: "Load balancer listener allows TLS 1.0 or 1.1",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_lb_listener", "aws_alb_listener"],
            check: |_, r, h| {
                if let Some((policy, line)) = text(r, &["ssl_policy"]) {
                    if OLD_TLS_POLICIES.contains(&policy.as_str()) {
                        h.detail(line, format!("the policy is `{policy}`"));
                    }
                }
            },
        },
        remediation: "Use `ELBSecurityPolicy-TLS13-1-2-2021-06` (or another TLS 1.2+ policy).",
        references: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"],
        aliases: &["CKV_AWS_103"],
        fail: &[("main.tf", "resource \"aws_lb_listener\" \"l\" {\n  protocol   = \"HTTPS\"\n  ssl_policy = \"ELBSecurityPolicy-2016-08\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_lb_listener\" \"l\" {\n  protocol   = \"HTTPS\"\n  ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"\n}\n")],
    }
}

/// The cache behaviours of a distribution (default and ordered).
fn behaviours(r: &Resource) -> Vec<&Node> {
    let config = r.props.get("distribution_config").unwrap_or(&r.props);
    let mut out: Vec<&Node> = config.get("default_cache_behavior").into_iter().collect();
    if let Some(ordered) = config.first_of(&["ordered_cache_behavior", "cache_behaviors"]) {
        out.extend(ordered.items());
    }
    out
}

rule! {
    /// Flags CloudFront cache behaviours that serve viewers over plain HTTP
    /// (`viewer_protocol_policy = "allow-all"`).
    ///
    /// Why: content, cookies and tokens travel unencrypted between users and the edge.
    CLOUDFRONT_HTTP_ALLOWED {
        id: "aws-cloudfront-http-allowed",
        title: "CloudFront distribution allows unencrypted HTTP",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_cloudfront_distribution"],
            check: |_, r, h| {
                for b in behaviours(r) {
                    if let Some(p) = b.get("viewer_protocol_policy") {
                        if p.as_str().is_some_and(|s| s.eq_ignore_ascii_case("allow-all")) {
                            h.at(p.line);
                        }
                    }
                }
            },
        },
        remediation: "Set `viewer_protocol_policy` to `redirect-to-https` or `https-only`.",
        references: &["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html"],
        aliases: &["CKV_AWS_34"],
        fail: &[("main.tf", "resource \"aws_cloudfront_distribution\" \"d\" {\n  default_cache_behavior {\n    viewer_protocol_policy = \"allow-all\"\n  }\n}\n")],
        pass: &[("template.yaml", "Resources:\n  D:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n        DefaultCacheBehavior:\n          ViewerProtocolPolicy: redirect-to-https\n")],
    }
}

rule! {
    /// Flags CloudFront distributions whose viewer certificate allows protocols older than
    /// TLS 1.2 (`minimum_protocol_version` below `TLSv1.2_2019`, or the default
    /// certificate, which allows TLS 1.0).
    ///
    /// Why: TLS 1.0/1.1 are deprecated and allow weak ciphers.
    CLOUDFRONT_OUTDATED_TLS {
        id: "aws-cloudfront-outdated-tls",
        title: "CloudFront distribution allows TLS older than 1.2",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_cloudfront_distribution"],
            check: |_, r, h| {
                let config = r.props.get("distribution_config").unwrap_or(&r.props);
                let Some(cert) = config.get("viewer_certificate") else {
                    return;
                };
                match cert.get("minimum_protocol_version").and_then(Node::as_str) {
                    Some(v) if v.starts_with("TLSv1.2") || v.starts_with("TLSv1.3") => {}
                    Some(v) => h.detail(cert.line, format!("the minimum protocol is `{v}`")),
                    None => h.at(cert.line),
                }
            },
        },
        remediation: "Use your own ACM certificate with `minimum_protocol_version = \"TLSv1.2_2021\"`.",
        references: &["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html"],
        aliases: &["CKV_AWS_174"],
        fail: &[("main.tf", "resource \"aws_cloudfront_distribution\" \"d\" {\n  viewer_certificate {\n    cloudfront_default_certificate = true\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_cloudfront_distribution\" \"d\" {\n  viewer_certificate {\n    acm_certificate_arn      = \"arn:aws:acm:us-east-1:1:certificate/x\"\n    minimum_protocol_version = \"TLSv1.2_2021\"\n  }\n}\n")],
    }
}
