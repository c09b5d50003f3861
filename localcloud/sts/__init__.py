"""STS (API 2015-04-01): AssumeRole and GetCallerIdentity."""
