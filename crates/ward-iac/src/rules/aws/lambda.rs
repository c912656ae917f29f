//! Lambda: dead-letter queues, VPC placement, secrets and encryption of environment
//! variables, concurrency, tracing, runtimes, public permissions and function URLs.
//! SAM `AWS::Serverless::Function` reads as a Lambda function.

use ward_core::Severity;

use super::{text, unless_set};
use crate::model::Node;
use crate::rules::secrets::{has_aws_key_id, is_literal_value, is_secret_name};
use crate::rules::{rule, Check};

const FUNCTION: &[&str] = &["aws_lambda_function"];

rule! {
    /// Flags Lambda functions without a dead-letter queue (or SAM `DeadLetterQueue`).
    ///
    /// Why: events that fail every asynchronous retry are dropped without a trace.
    LAMBDA_NO_DLQ {
        id: "aws-lambda-no-dlq",
        title: "Lambda function has no dead-letter queue",
        severity: Severity::Low,
        check: Check::Aws { kinds: FUNCTION, check: |_, r, h| unless_set(r, h, &["dead_letter_config", "dead_letter_queue"]) },
        remediation: "Configure `dead_letter_config { target_arn = … }` (`DeadLetterConfig`) to an SQS queue or SNS topic, or an on-failure destination.",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq"],
        aliases: &["CKV_AWS_116"],
        fail: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  dead_letter_config {\n    target_arn = aws_sqs_queue.dlq.arn\n  }\n}\n")],
    }
}

rule! {
    /// Flags Lambda functions that do not run in a VPC.
    ///
    /// Why: functions that reach private resources (databases, internal APIs) should do so
    /// inside the VPC, where security groups and flow logs apply; outside it their traffic
    /// goes over the internet. Functions that need no private access may suppress this.
    LAMBDA_NOT_IN_VPC {
        id: "aws-lambda-not-in-vpc",
        title: "Lambda function is not in a VPC",
        severity: Severity::Low,
        check: Check::Aws { kinds: FUNCTION, check: |_, r, h| unless_set(r, h, &["vpc_config"]) },
        remediation: "Set `vpc_config` (`VpcConfig`) with private subnets and a security group, or suppress the rule for functions that only call public AWS APIs.",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html"],
        aliases: &["CKV_AWS_117"],
        fail: &[("template.yaml", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  vpc_config {\n    subnet_ids         = [\"subnet-1\"]\n    security_group_ids = [\"sg-1\"]\n  }\n}\n")],
    }
}

fn variables(r: &crate::model::Resource) -> Option<&Node> {
    r.props.path("environment.variables")
}

rule! {
    /// Flags Lambda environment variables that hold literal credentials: a variable named
    /// like a password, secret, token or key with a literal value, or any value holding an
    /// AWS access key id.
    ///
    /// Why: environment variables are visible to anyone who can read the function's
    /// configuration, appear in the template and state, and leak through error reports.
    LAMBDA_ENV_SECRETS {
        id: "aws-lambda-env-secrets",
        title: "Lambda environment variable holds a plaintext secret",
        severity: Severity::High,
        check: Check::Aws {
            kinds: FUNCTION,
            check: |_, r, h| {
                for (name, value) in variables(r).map(Node::entries).unwrap_or_default() {
                    let key_id = value.as_str().is_some_and(has_aws_key_id);
                    if key_id || (is_secret_name(name) && is_literal_value(value)) {
                        h.detail(value.line, format!("the variable `{name}` holds a literal credential"));
                    }
                }
            },
        },
        remediation: "Store the secret in Secrets Manager or SSM Parameter Store (SecureString) and read it at run time, or reference it with a CloudFormation dynamic reference.",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption"],
        aliases: &["CKV_AWS_45"],
        fail: &[
            ("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  environment {\n    variables = {\n      DB_PASSWORD = \"hunter2-hunter2\"\n    }\n  }\n}\n"),
            ("template.yaml", "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          access_key: AKIAABCDEFGHIJKLMNOP\n"),
        ],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  environment {\n    variables = {\n      DB_PASSWORD_ARN = aws_secretsmanager_secret.db.arn\n      LOG_LEVEL       = \"info\"\n    }\n  }\n}\n")],
    }
}

rule! {
    /// Flags Lambda functions with environment variables but no customer managed KMS key
    /// for them.
    ///
    /// Why: with the default key, anyone who can read the function configuration reads the
    /// variables in clear.
    LAMBDA_ENV_NOT_CMK_ENCRYPTED {
        id: "aws-lambda-env-not-cmk-encrypted",
        title: "Lambda environment variables are not encrypted with a customer managed key",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: FUNCTION,
            check: |_, r, h| {
                if variables(r).is_some_and(|v| !v.is_empty()) {
                    unless_set(r, h, &["kms_key_arn"]);
                }
            },
        },
        remediation: "Set `kms_key_arn` (`KmsKeyArn`) to a customer managed key.",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption"],
        aliases: &["CKV_AWS_173"],
        fail: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  environment {\n    variables = {\n      MODE = \"x\"\n    }\n  }\n}\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  kms_key_arn = aws_kms_key.k.arn\n  environment {\n    variables = {\n      MODE = \"x\"\n    }\n  }\n}\n")],
    }
}

rule! {
    /// Flags Lambda functions without reserved concurrency.
    ///
    /// Why: one function under a burst (or an attack) can take the whole account's
    /// concurrency and starve every other function.
    LAMBDA_NO_CONCURRENCY_LIMIT {
        id: "aws-lambda-no-concurrency-limit",
        title: "Lambda function has no concurrency limit",
        severity: Severity::Low,
        check: Check::Aws { kinds: FUNCTION, check: |_, r, h| unless_set(r, h, &["reserved_concurrent_executions"]) },
        remediation: "Set `reserved_concurrent_executions` (`ReservedConcurrentExecutions`).",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"],
        aliases: &["CKV_AWS_115"],
        fail: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  reserved_concurrent_executions = 10\n}\n")],
    }
}

rule! {
    /// Flags Lambda functions without active X-Ray tracing.
    ///
    /// Why: traces show which services a function called and with what latency, the
    /// evidence needed to follow a request through an incident.
    LAMBDA_TRACING_DISABLED {
        id: "aws-lambda-tracing-disabled",
        title: "Lambda function X-Ray tracing is not active",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: FUNCTION,
            check: |_, r, h| match text(r, &["tracing_config.mode", "tracing"]) {
                Some((mode, _)) if mode == "active" => {}
                Some((_, line)) => h.at(line),
                None if r.props.first_of(&["tracing_config.mode", "tracing"]).is_some_and(Node::is_dynamic) => {}
                None => h.at(0),
            },
        },
        remediation: "Set `tracing_config { mode = \"Active\" }` (`TracingConfig: {Mode: Active}`).",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html"],
        aliases: &["CKV_AWS_50"],
        fail: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  tracing_config {\n    mode = \"Active\"\n  }\n}\n")],
    }
}

/// Runtimes past their deprecation date (AWS Lambda runtime deprecation policy).
const DEPRECATED_RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "ruby2.5",
    "ruby2.7",
    "java8",
    "go1.x",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
];

rule! {
    /// Flags Lambda functions on a deprecated runtime (Node.js ≤ 16, Python ≤ 3.8, Ruby
    /// ≤ 2.7, Go 1.x, .NET Core, …).
    ///
    /// Why: deprecated runtimes get no security patches, and AWS eventually blocks updating
    /// functions that use them.
    LAMBDA_DEPRECATED_RUNTIME {
        id: "aws-lambda-deprecated-runtime",
        title: "Lambda function uses a deprecated runtime",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: FUNCTION,
            check: |_, r, h| {
                if let Some((runtime, line)) = text(r, &["runtime"]) {
                    if DEPRECATED_RUNTIMES.contains(&runtime.as_str()) {
                        h.detail(line, format!("the runtime is `{runtime}`"));
                    }
                }
            },
        },
        remediation: "Move to a supported runtime (for example `nodejs22.x`, `python3.13`).",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated"],
        aliases: &["CKV_AWS_363"],
        fail: &[("template.yaml", "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs12.x\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  runtime = \"python3.12\"\n}\n")],
    }
}

rule! {
    /// Flags Lambda functions without a code signing configuration.
    ///
    /// Why: without code signing, anyone allowed to update the function can deploy any code;
    /// signing ensures only packages signed by trusted publishers run.
    LAMBDA_NO_CODE_SIGNING {
        id: "aws-lambda-no-code-signing",
        title: "Lambda function does not validate code signatures",
        severity: Severity::Low,
        check: Check::Aws { kinds: FUNCTION, check: |_, r, h| unless_set(r, h, &["code_signing_config_arn"]) },
        remediation: "Create an `aws_lambda_code_signing_config` with an AWS Signer profile and set `code_signing_config_arn` (`CodeSigningConfigArn`).",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html"],
        aliases: &["CKV_AWS_272"],
        fail: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function\" \"f\" {\n  code_signing_config_arn = aws_lambda_code_signing_config.c.arn\n}\n")],
    }
}

rule! {
    /// Flags Lambda permissions that let any principal (`"*"`) invoke the function without a
    /// source condition.
    ///
    /// Why: anyone, in any account, can invoke the function, running its code with its
    /// role's permissions and at the owner's cost.
    LAMBDA_PUBLIC_PERMISSION {
        id: "aws-lambda-public-permission",
        title: "Lambda function can be invoked by anyone",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_lambda_permission"],
            check: |_, r, h| {
                let public = r.props.get("principal").filter(|p| p.as_str() == Some("*"));
                let scoped = r.props.first_of(&["source_arn", "source_account", "principal_org_id"]).is_some();
                if let (Some(p), false) = (public, scoped) {
                    h.at(p.line);
                }
            },
        },
        remediation: "Name the invoking service or account in `principal` and scope it with `source_arn`/`source_account`.",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"],
        aliases: &["CKV_AWS_301"],
        fail: &[("main.tf", "resource \"aws_lambda_permission\" \"p\" {\n  action    = \"lambda:InvokeFunction\"\n  principal = \"*\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_lambda_permission\" \"p\" {\n  action     = \"lambda:InvokeFunction\"\n  principal  = \"s3.amazonaws.com\"\n  source_arn = aws_s3_bucket.b.arn\n}\n")],
    }
}

rule! {
    /// Flags Lambda function URLs without authentication (`authorization_type = "NONE"`).
    ///
    /// Why: the function gets a public HTTPS endpoint that anyone can call.
    LAMBDA_URL_NO_AUTH {
        id: "aws-lambda-url-no-auth",
        title: "Lambda function URL has no authentication",
        severity: Severity::High,
        check: Check::Aws {
            kinds: &["aws_lambda_function_url"],
            check: |_, r, h| {
                if let Some((kind, line)) = text(r, &["authorization_type", "auth_type"]) {
                    if kind == "none" {
                        h.at(line);
                    }
                }
            },
        },
        remediation: "Use `authorization_type = \"AWS_IAM\"`, or put the function behind API Gateway with an authorizer.",
        references: &["https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"],
        aliases: &["CKV_AWS_258"],
        fail: &[("template.yaml", "Resources:\n  U:\n    Type: AWS::Lambda::Url\n    Properties:\n      AuthType: NONE\n      TargetFunctionArn: arn\n")],
        pass: &[("main.tf", "resource \"aws_lambda_function_url\" \"u\" {\n  authorization_type = \"AWS_IAM\"\n}\n")],
    }
}
