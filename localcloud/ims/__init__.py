"""IMS (API 2019-08-15): RAM user tags and the account's default domain."""
