# sfn-iam example: a state machine whose definition is a templatefile()
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  prefix = "${var.project}-${var.environment}"
}

resource "aws_lambda_function" "extract" {
  function_name = "${local.prefix}-extract"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "extract.zip"
}

resource "aws_sqs_queue" "results" {
  name = "${local.prefix}-results"
}

resource "aws_glue_job" "transform" {
  name     = "${local.prefix}-transform"
  role_arn = aws_iam_role.glue.arn
  command {
    script_location = "s3://scripts/transform.py"
  }
}

resource "aws_sfn_state_machine" "etl" {
  name     = "${local.prefix}-etl"
  role_arn = aws_iam_role.sfn.arn
  definition = templatefile("${path.module}/etl.asl.json", {
    extract_arn = aws_lambda_function.extract.arn
    glue_job    = aws_glue_job.transform.name
    queue_url   = aws_sqs_queue.results.url
    timeout     = 900
  })
  logging_configuration {
    level                  = "ERROR"
    include_execution_data = false
    log_destination        = "${aws_cloudwatch_log_group.sfn.arn}:*"
  }
}
