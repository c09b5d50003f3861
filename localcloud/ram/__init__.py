"""RAM (API 2015-05-01): users, AccessKeys, login profiles, groups, policies, roles, MFA."""
