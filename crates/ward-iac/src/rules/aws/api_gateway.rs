//! API Gateway: unauthenticated methods and routes, stage access logs and tracing.

use ward_core::Severity;

use super::{text, unless_set, unless_true};
use crate::model::Node;
use crate::rules::{rule, Check};

rule! {
    /// Flags API Gateway REST methods with no authorization (`authorization = "NONE"`) and
    /// no API key, other than `OPTIONS` (CORS pre-flight).
    ///
    /// Why: anyone who finds the endpoint can call the backend behind it.
    APIGW_METHOD_NO_AUTH {
        id: "aws-apigw-method-no-auth",
        title: "API Gateway method has no authorization",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_api_gateway_method"],
            check: |_, r, h| {
                let Some((auth, line)) = text(r, &["authorization", "authorization_type"]) else {
                    return;
                };
                let options = text(r, &["http_method"]).is_some_and(|(m, _)| m == "options");
                let api_key = r.props.get("api_key_required").is_some_and(Node::is_true);
                if auth == "none" && !options && !api_key {
                    h.at(line);
                }
            },
        },
        remediation: "Use an IAM, Cognito or Lambda authorizer (`authorization`, `AuthorizationType`), or require an API key for machine clients.",
        references: &["https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html"],
        aliases: &["CKV_AWS_59"],
        fail: &[
            ("main.tf", "resource \"aws_api_gateway_method\" \"m\" {\n  http_method   = \"GET\"\n  authorization = \"NONE\"\n}\n"),
            ("template.yaml", "Resources:\n  M:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      HttpMethod: POST\n      AuthorizationType: NONE\n"),
        ],
        pass: &[("main.tf", "resource \"aws_api_gateway_method\" \"m\" {\n  http_method   = \"OPTIONS\"\n  authorization = \"NONE\"\n}\n")],
    }
}

rule! {
    /// Flags API Gateway stages without access logging.
    ///
    /// Why: access logs record who called which route from where; without them misuse of
    /// the API cannot be investigated.
    APIGW_STAGE_NO_ACCESS_LOGS {
        id: "aws-apigw-stage-no-access-logs",
        title: "API Gateway stage has no access logging",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_api_gateway_stage", "aws_apigatewayv2_stage"],
            check: |_, r, h| unless_set(r, h, &["access_log_settings", "access_log_setting"]),
        },
        remediation: "Configure `access_log_settings` (`AccessLogSetting`) with a CloudWatch log group and a format.",
        references: &["https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html"],
        aliases: &["CKV_AWS_76", "CKV_AWS_95"],
        fail: &[("main.tf", "resource \"aws_api_gateway_stage\" \"s\" {\n  stage_name = \"prod\"\n}\n")],
        pass: &[("template.yaml", "Resources:\n  S:\n    Type: AWS::ApiGateway::Stage\n    Properties:\n      StageName: prod\n      TracingEnabled: true\n      AccessLogSetting:\n        DestinationArn: arn:aws:logs:x\n        Format: $context.requestId\n")],
    }
}

rule! {
    /// Flags REST API stages without X-Ray tracing.
    ///
    /// Why: traces follow a request from the API to the services behind it.
    APIGW_STAGE_NO_XRAY {
        id: "aws-apigw-stage-no-xray",
        title: "API Gateway stage X-Ray tracing is not enabled",
        severity: Severity::Low,
        check: Check::Aws {
            kinds: &["aws_api_gateway_stage"],
            check: |_, r, h| unless_true(r, h, &["xray_tracing_enabled", "tracing_enabled"]),
        },
        remediation: "Set `xray_tracing_enabled = true` (`TracingEnabled: true`).",
        references: &["https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html"],
        aliases: &["CKV_AWS_73"],
        fail: &[("main.tf", "resource \"aws_api_gateway_stage\" \"s\" {\n  stage_name = \"prod\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_api_gateway_stage\" \"s\" {\n  xray_tracing_enabled = true\n}\n")],
    }
}

rule! {
    /// Flags HTTP/WebSocket API routes with no authorization (`authorization_type =
    /// "NONE"`), other than `$default` pre-flight routes for `OPTIONS`.
    ///
    /// Why: anyone can call the integration behind the route.
    APIGWV2_ROUTE_NO_AUTH {
        id: "aws-apigwv2-route-no-auth",
        title: "API Gateway v2 route has no authorization",
        severity: Severity::Medium,
        check: Check::Aws {
            kinds: &["aws_apigatewayv2_route"],
            check: |_, r, h| {
                let options = text(r, &["route_key"]).is_some_and(|(k, _)| k.starts_with("options "));
                match text(r, &["authorization_type"]) {
                    Some((auth, line)) if auth == "none" && !options => h.at(line),
                    None if !options && !r.props.get("authorization_type").is_some_and(Node::is_dynamic) => h.at(0),
                    _ => {}
                }
            },
        },
        remediation: "Set `authorization_type` to `JWT`, `AWS_IAM` or `CUSTOM` with an authorizer.",
        references: &["https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html"],
        aliases: &["CKV_AWS_309"],
        fail: &[("main.tf", "resource \"aws_apigatewayv2_route\" \"r\" {\n  route_key = \"GET /items\"\n}\n")],
        pass: &[("main.tf", "resource \"aws_apigatewayv2_route\" \"r\" {\n  route_key          = \"GET /items\"\n  authorization_type = \"JWT\"\n}\n")],
    }
}
