"""The RAM policy language and the authorizer that applies it to every caller."""
