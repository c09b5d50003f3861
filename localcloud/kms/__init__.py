"""KMS Secrets Manager (API 2016-01-20): ``models`` (state and every rule), ``responses`` (POP
parse and serialise), ``errors`` (one class per KMS error code)."""
