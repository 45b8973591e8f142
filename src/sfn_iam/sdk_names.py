"""AWS SDK integrations (``arn:aws:states:::aws-sdk:<service>:<apiAction>``): the names Step
Functions accepts, what it documents as unsupported, and the IAM prefixes that differ from the
SDK name. Inputs of ``scripts/build_sdk_table.py``, which makes the grant table
(``sfn_iam/catalogue/sdk/data``); not read at run time.

Sources: ``SERVICES`` and ``UNSUPPORTED``: "Learning to use AWS service SDK integrations in
Step Functions" (supported-services-awssdk.html), as copied in CURRENT-DOCS §6.2-§6.3;
``PREFIX``: the AWS CDK's service map (CURRENT-DOCS §6.4). The calls whose action is not the
operation (§6.5) are rows of ``scripts/sdk_overrides.tsv``."""

from __future__ import annotations

#: every ``serviceName`` of the current service list, in the page's order
SERVICES = tuple("""
sagemakera2iruntime apigateway apigatewayv2 account amplify amplifybackend amplifyuibuilder
appmesh apprunner appconfig appconfigdata appfabric appintegrations appstream appsync appflow
applicationautoscaling applicationcostprofiler applicationdiscovery mgn athena auditmanager dsql
autoscalingplans b2bi backup backupgateway backupsearch batch bedrock bedrockagent
bedrockruntime bedrockagentruntime billing billingconductor bcmpricingcalculator braket budgets
acm acmpca chime chimesdkidentity chimesdkmediapipelines chimesdkmeetings chimesdkmessaging
chimesdkvoice cleanrooms cleanroomsml cloudcontrol clouddirectory servicediscovery cloud9
cloudformation cloudfront cloudfrontkeyvaluestore cloudhsm cloudhsmv2 cloudsearch cloudtrail
cloudtraildata cloudwatch applicationinsights applicationsignals internetmonitor cloudwatchlogs
oam observabilityadmin rum synthetics codeartifact codebuild codecatalyst codecommit
codeconnections codedeploy codeguruprofiler codegurureviewer codegurusecurity codepipeline
codestarconnections codestarnotifications cognitoidentity cognitosync cognitoidentityprovider
comprehend comprehendmedical computeoptimizer config connect connectcampaigns connectcampaignsv2
connectcases connectcontactlens customerprofiles connectparticipant voiceid wisdom
controlcatalog controltower costexplorer costoptimizationhub costandusagereport
bedrockdataautomation dataexchange bcmdataexports dlm datapipeline datasync datazone
databasemigration deadline detective devopsguru devicefarm directconnect directory
directoryservicedata docdb docdbelastic dynamodb dax dynamodbstreams ebs ec2 autoscaling
imagebuilder ec2instanceconnect ecr ecrpublic ecs efs eks eksauth emr emrcontainers
emrserverless elasticache elasticbeanstalk drs elasticinference elasticloadbalancing
elasticloadbalancingv2 elastictranscoder elasticsearch socialmessaging entityresolution
eventbridge pipes scheduler schemas evidently fis fsx finspacedata finspace fms forecast
forecastquery frauddetector freetier gamelift glue databrew groundstation guardduty health
medicalimaging healthlake honeycode iam accessanalyzer rolesanywhere ivs ivschat ivsrealtime
ssmincidents ssmcontacts inspectorscan inspector inspector2 invoicing iot iotanalytics
iotdeviceadvisor iotevents ioteventsdata iotfleethub iotfleetwise greengrass greengrassv2
iotjobsdataplane iotsecuretunneling iotsitewise iotthingsgraph iottwinmaker iotwireless kms
kendra kendraranking keyspaces kinesisanalytics kinesisanalyticsv2 firehose kinesis kinesisvideo
kinesisvideosignaling kinesisvideoarchivedmedia kinesisvideomedia kinesisvideowebrtcstorage
lakeformation lambda launchwizard lexmodelbuilding lexmodelsv2 lexruntime lexruntimev2
licensemanager licensemanagerlinuxsubscriptions licensemanagerusersubscriptions lightsail
location geomaps geoplaces georoutes lookoutequipment lookoutmetrics lookoutvision mq kafka
kafkaconnect mwaa macie2 mailmanager m2 apptest managedblockchain managedblockchainquery grafana
marketplacecatalog marketplacecommerceanalytics marketplaceentitlement marketplacemetering
marketplacereporting mturk mediaconnect mediaconvert medialive mediapackage mediapackagev2
mediapackagevod mediastore mediatailor memorydb migrationhub migrationhubconfig
migrationhuborchestrator migrationhubrefactorspaces migrationhubstrategy neptune neptunegraph
networkfirewall networkflowmonitor networkmanager networkmonitor omics opensearch osis
opensearchserverless opsworks opsworkscm organizations outposts panorama pcs
partnercentralselling paymentcryptography paymentcryptographydata personalize personalizeevents
personalizeruntime pinpoint pinpointemail pinpointsmsvoice pinpointsmsvoicev2 polly pricing
privatenetworks pcaconnectorad pcaconnectorscep amp proton qapps qbusiness qconnect qldb
qldbsession quicksight rds rdsdata pi rbin redshift redshiftdata redshiftserverless rekognition
resiliencehub ram resourceexplorer2 resourcegroups resourcegroupstaggingapi robomaker route53
arczonalshift route53domains route53profiles route53recoverycontrolconfig
route53recoveryreadiness route53resolver route53recoverycluster bedrockdataautomationruntime s3
s3control glacier s3tables s3outposts ses sesv2 sns sqs sso identitystore ssoadmin ssooidc swf
sagemaker sagemakeredge sagemakerfeaturestoreruntime sagemakergeospatial sagemakermetrics
sagemakerruntime savingsplans secretsmanager securityhub securityir securitylake sts sms
serverlessapplicationrepository servicecatalog servicecatalogappregistry servicequotas shield
signer simspaceweaver snowdevicemanagement snowball sfn storagegateway supplychain support
supportapp ssm ssmquicksetup ssmsap taxsettings tnb textract timestreaminfluxdb timestreamquery
timestreamwrite transcribe transfer translate trustedadvisor notificationscontacts vpclattice
verifiedpermissions waf wafregional wafv2 wellarchitected workdocs workmail workmailmessageflow
workspaces workspacesthinclient workspacesweb xray repostspace
""".split())  # noqa: SIM905 (the page's list, as written)

#: operations the page lists as unsupported (API names as the page writes them)
UNSUPPORTED: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in {
    "applicationdiscovery": "DescribeExportConfigurations ExportConfigurations",
    "bedrockruntime": "InvokeModelWithResponseStream ConverseStream",
    "bedrockagentruntime": (
        "InvokeAgent InvokeFlow InvokeInlineAgent OptimizePrompt "
        "RetrieveAndGenerateStream "
    ),
    "cloudwatchlogs": "StartLiveTail",
    "codedeploy": (
        "BatchGetDeploymentInstances GetDeploymentInstance ListDeploymentInstances "
        "SkipWaitTimeForInstanceTermination "
    ),
    "comprehendmedical": "DetectEntities",
    "dataexchange": "SendApiAsset",
    "directconnect": (
        "AllocateConnectionOnInterconnect DescribeConnectionLoa "
        "DescribeConnectionsOnInterconnect DescribeInterconnectLoa "
    ),
    "efs": "CreateTags",
    "emr": "DescribeJobFlows",
    "elastictranscoder": "TestRole",
    "iot": (
        "AttachPrincipalPolicy DetachPrincipalPolicy ListPrincipalPolicies "
        "ListPolicyPrincipals "
    ),
    "iotdeviceadvisor": "ListTestCases",
    "iotsitewise": "InvokeAssistant",
    "kinesis": "SubscribeToShard",
    "lambda": "InvokeAsync InvokeWithResponseStream",
    "lexruntimev2": "StartConversation",
    "mediapackage": "RotateChannelCredentials",
    "qbusiness": "Chat",
    "rdsdata": "ExecuteSql",
    "s3": "SelectObjectContent",
    "s3control": "SelectObjectContent",
    "sagemakerruntime": "InvokeEndpointWithResponseStream",
    "securitylake": (
        "GetDatalake GetDatalakeAutoEnable GetDatalakeExceptionsExpiry "
        "GetDatalakeExceptionsSubscription GetDatalakeStatus CreateDatalake "
        "CreateDatalakeAutoEnable CreateDatalakeDelegatedAdmin "
        "CreateDatalakeExceptionsSubscription CreateSubscriptionNotificationConfiguration "
        "DeleteDatalake DeleteDatalakeAutoEnable DeleteDatalakeDelegatedAdmin "
        "DeleteDatalakeExceptionsSubscription DeleteSubscriptionNotificationConfiguration "
        "UpdateDatalake UpdateDatalakeExceptionsExpiry "
        "UpdateDatalakeExceptionsSubscription UpdateSubscriptionNotificationConfiguration "
        "ListDatalakeExceptions "
    ),
    "shield": "DeleteSubscription",
    "sts": "AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity",
}.items()}

PREFIX = {
    "sfn": "states", "cloudwatchlogs": "logs", "efs": "elasticfilesystem",
    "elasticloadbalancingv2": "elasticloadbalancing", "emr": "elasticmapreduce",
    "emrcontainers": "emr-containers", "emrserverless": "emr-serverless",
    "eventbridge": "events", "acmpca": "acm-pca", "applicationautoscaling":
    "application-autoscaling", "applicationdiscovery": "discovery", "bedrockruntime": "bedrock",
    "bedrockagent": "bedrock", "bedrockagentruntime": "bedrock",
    "bedrockdataautomation": "bedrock", "bedrockdataautomationruntime": "bedrock",
    "cognitoidentityprovider": "cognito-idp", "cognitoidentity": "cognito-identity",
    "cognitosync": "cognito-sync", "costexplorer": "ce", "customerprofiles": "profile",
    "databasemigration": "dms", "directory": "ds", "docdb": "rds", "neptune": "rds",
    "dynamodbstreams": "dynamodb", "elasticsearch": "es", "opensearch": "es",
    "opensearchserverless": "aoss", "location": "geo", "lexmodelsv2": "lex",
    "lexruntimev2": "lex", "lexmodelbuilding": "lex", "lexruntime": "lex", "mwaa": "airflow",
    "pinpoint": "mobiletargeting", "pinpointemail": "ses", "sesv2": "ses", "mailmanager": "ses",
    "pinpointsmsvoice": "sms-voice", "pinpointsmsvoicev2": "sms-voice", "qconnect": "wisdom",
    "rdsdata": "rds-data", "redshiftdata": "redshift-data",
    "redshiftserverless": "redshift-serverless", "resourcegroups": "resource-groups",
    "resourcegroupstaggingapi": "tag", "s3control": "s3", "sagemakerruntime": "sagemaker",
    "sagemakerfeaturestoreruntime": "sagemaker", "sagemakera2iruntime": "sagemaker",
    "sagemakermetrics": "sagemaker", "serverlessapplicationrepository": "serverlessrepo",
    "servicecatalogappregistry": "servicecatalog", "ssoadmin": "sso", "supplychain": "scn",
    "timestreamquery": "timestream", "timestreamwrite": "timestream",
    "kinesisanalyticsv2": "kinesisanalytics", "amp": "aps", "cloudhsmv2": "cloudhsm",
    "apigatewayv2": "apigateway",
}
