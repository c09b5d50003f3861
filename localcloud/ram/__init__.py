"""RAM (API 2015-05-01): users, AccessKeys, login profiles, groups, policies, roles, MFA.

``models`` (state and every rule), ``responses`` (POP parse and serialise), ``errors`` (one class
per RAM error code), ``routes`` (localcloud's admin HTTP routes for RAM).
"""
