// Jest environment: skip the slow built-in CloudFormation validation and the SDK's Node 20 notice.
process.env.CDK_VALIDATION = 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
