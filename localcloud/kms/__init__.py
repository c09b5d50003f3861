"""KMS Secrets Manager (API 2016-01-20): secrets, versions, stages, deletion windows."""
