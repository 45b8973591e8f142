variable "project" {
  type    = string
  default = "reports"
}

variable "environment" {
  type    = string
  default = "dev"
}
