//! CloudFormation resource types and the Terraform types that describe the same AWS
//! resource, so that one rule reads both. A rule matches on the Terraform name; a
//! CloudFormation type without a Terraform twin keeps its own name.
//!
//! Sources: the CloudFormation resource type reference
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html>)
//! and the Terraform AWS provider documentation (<https://registry.terraform.io/providers/hashicorp/aws/latest/docs>).

/// CloudFormation type → Terraform type.
const PAIRS: &[(&str, &str)] = &[
    ("AWS::ApiGateway::Method", "aws_api_gateway_method"),
    ("AWS::ApiGateway::RestApi", "aws_api_gateway_rest_api"),
    ("AWS::ApiGateway::Stage", "aws_api_gateway_stage"),
    ("AWS::ApiGatewayV2::Route", "aws_apigatewayv2_route"),
    ("AWS::ApiGatewayV2::Stage", "aws_apigatewayv2_stage"),
    ("AWS::Athena::WorkGroup", "aws_athena_workgroup"),
    (
        "AWS::AutoScaling::LaunchConfiguration",
        "aws_launch_configuration",
    ),
    (
        "AWS::CloudFront::Distribution",
        "aws_cloudfront_distribution",
    ),
    ("AWS::CloudTrail::Trail", "aws_cloudtrail"),
    ("AWS::CodeBuild::Project", "aws_codebuild_project"),
    ("AWS::DAX::Cluster", "aws_dax_cluster"),
    ("AWS::DocDB::DBCluster", "aws_docdb_cluster"),
    ("AWS::DynamoDB::Table", "aws_dynamodb_table"),
    ("AWS::EC2::FlowLog", "aws_flow_log"),
    ("AWS::EC2::Instance", "aws_instance"),
    ("AWS::EC2::LaunchTemplate", "aws_launch_template"),
    ("AWS::EC2::NetworkAclEntry", "aws_network_acl_rule"),
    ("AWS::EC2::SecurityGroup", "aws_security_group"),
    (
        "AWS::EC2::SecurityGroupEgress",
        "aws_vpc_security_group_egress_rule",
    ),
    (
        "AWS::EC2::SecurityGroupIngress",
        "aws_vpc_security_group_ingress_rule",
    ),
    ("AWS::EC2::Subnet", "aws_subnet"),
    ("AWS::EC2::Volume", "aws_ebs_volume"),
    ("AWS::EC2::VPC", "aws_vpc"),
    ("AWS::ECR::Repository", "aws_ecr_repository"),
    ("AWS::ECS::TaskDefinition", "aws_ecs_task_definition"),
    ("AWS::EFS::FileSystem", "aws_efs_file_system"),
    ("AWS::EKS::Cluster", "aws_eks_cluster"),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "aws_elasticache_replication_group",
    ),
    ("AWS::ElasticLoadBalancing::LoadBalancer", "aws_elb"),
    ("AWS::ElasticLoadBalancingV2::Listener", "aws_lb_listener"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "aws_lb"),
    ("AWS::Elasticsearch::Domain", "aws_elasticsearch_domain"),
    ("AWS::GuardDuty::Detector", "aws_guardduty_detector"),
    ("AWS::IAM::AccessKey", "aws_iam_access_key"),
    ("AWS::IAM::Group", "aws_iam_group"),
    ("AWS::IAM::ManagedPolicy", "aws_iam_policy"),
    ("AWS::IAM::Policy", "aws_iam_policy"),
    ("AWS::IAM::Role", "aws_iam_role"),
    ("AWS::IAM::User", "aws_iam_user"),
    ("AWS::Kinesis::Stream", "aws_kinesis_stream"),
    ("AWS::KMS::Key", "aws_kms_key"),
    ("AWS::Lambda::Function", "aws_lambda_function"),
    ("AWS::Lambda::Permission", "aws_lambda_permission"),
    ("AWS::Lambda::Url", "aws_lambda_function_url"),
    ("AWS::Logs::LogGroup", "aws_cloudwatch_log_group"),
    ("AWS::MSK::Cluster", "aws_msk_cluster"),
    ("AWS::Neptune::DBCluster", "aws_neptune_cluster"),
    ("AWS::OpenSearchService::Domain", "aws_opensearch_domain"),
    ("AWS::RDS::DBCluster", "aws_rds_cluster"),
    ("AWS::RDS::DBInstance", "aws_db_instance"),
    ("AWS::Redshift::Cluster", "aws_redshift_cluster"),
    ("AWS::S3::Bucket", "aws_s3_bucket"),
    ("AWS::S3::BucketPolicy", "aws_s3_bucket_policy"),
    (
        "AWS::SageMaker::NotebookInstance",
        "aws_sagemaker_notebook_instance",
    ),
    ("AWS::SecretsManager::Secret", "aws_secretsmanager_secret"),
    ("AWS::Serverless::Function", "aws_lambda_function"),
    ("AWS::SNS::Topic", "aws_sns_topic"),
    ("AWS::SNS::TopicPolicy", "aws_sns_topic_policy"),
    ("AWS::SQS::Queue", "aws_sqs_queue"),
    ("AWS::SQS::QueuePolicy", "aws_sqs_queue_policy"),
];

/// The type rules match on for a CloudFormation type (its Terraform twin, else itself).
pub(crate) fn canonical(cloudformation_type: &str) -> String {
    PAIRS
        .iter()
        .find(|(cfn, _)| *cfn == cloudformation_type)
        .map(|(_, tf)| (*tf).to_string())
        .unwrap_or_else(|| cloudformation_type.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_unique_and_well_formed() {
        for (i, (cfn, tf)) in PAIRS.iter().enumerate() {
            assert!(cfn.starts_with("AWS::"), "{cfn}");
            assert!(tf.starts_with("aws_"), "{tf}");
            assert!(!PAIRS[..i].iter().any(|(c, _)| c == cfn), "{cfn} twice");
        }
        assert_eq!(canonical("AWS::S3::Bucket"), "aws_s3_bucket");
        assert_eq!(canonical("Custom::Thing"), "Custom::Thing");
    }
}
