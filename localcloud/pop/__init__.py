"""The POP (RPC) API framework shared by RAM, IMS, KMS, ResourceManager and STS."""
