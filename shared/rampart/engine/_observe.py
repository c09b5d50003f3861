"""Observed state: what the cloud says about one RAM user, read with as few calls as possible.

:func:`observe` makes, for a user that does not exist, **one** call (RAM GetUser) and stops.
For a user that exists it makes **ten**, plus **one** per AccessKey secret (a programmatic
user has one: eleven), plus one per extra page of a list:

==  ===================================  =====================================
 1  RAM GetUser                          existence, id, display name
 2  IMS ListTagResources                 tags, and so rampart's marker
 3  RAM ListAccessKeys                   key ids, status, age
 4  RAM GetLoginProfile                  console access
 5  RAM GetUserMFAInfo                   bound MFA device
 6  RAM ListPoliciesForUser              account-scope grants
 7  ResourceManager ListPolicyAttachments  grants at every scope
 8  RAM ListGroupsForUser                groups
 9  KMS ListSecrets (by tag)             escrowed credentials, pending deletion
10  RAM ListPolicies (Custom)            the user's time-bound policies, by name prefix
+1  KMS ListSecretVersionIds             per AccessKey secret: the VersionIds carrying
                                         ACSCurrent (the escrowed key) and ACSPrevious
==  ===================================  =====================================

plus, once per adapter (process), IMS GetDefaultDomain and STS GetCallerIdentity, which
ResourceManager's principal name and account scope need. None of the RAM reads has a batch
form, so ten is the floor for a full picture; the planner needs every part of it (a leaver
removes each kind of thing, a joiner or mover compares each).

The eleventh call: an AccessKey secret's escrowed key is the VersionId of its ACSCurrent
version (``rampart.naming``). ListSecrets does not show versions and GetSecretValue would
read the secret itself, which observation must never do; ListSecretVersionIds names the
versions without their values.

This module holds no SDK: it speaks only to the ports.
"""

from __future__ import annotations

from rampart.errors import UnknownPerson
from rampart.model import ObservedUser
from rampart.naming import PERSON, created_for, marker_from_tags
from rampart.ports import Identities, Secrets

CALLS_ABSENT = 1
CALLS_PRESENT = 10
"""A user with no AccessKey secret (a console user)."""
CALLS_PER_ACCESS_KEY_SECRET = 1
"""KMS ListSecretVersionIds for each AccessKey secret of the user (normally one)."""
SPLIT_SUFFIX = "-api"
"""The programmatic user of a person split in two (``name`` and ``name-api``)."""


def observe(identities: Identities, secrets: Secrets, user_name: str, *, timebound_prefix: str) -> ObservedUser | None:
    """The user as the cloud has it, or None when there is no such user.

    ``timebound_prefix`` is the name prefix of *this user's* time-bound policies
    (``rampart.planning.timebound.timebound_prefix(user_name)``); every custom policy starting with it
    is reported.
    """
    facts = identities.get_user(user_name)
    if facts is None:
        return None
    tags = identities.user_tags(user_name)
    marker = marker_from_tags(tags)
    return ObservedUser(
        user_name=facts.user_name,
        user_id=facts.user_id,
        display_name=facts.display_name,
        tags=tags,
        marker=marker,
        keys=tuple(sorted(identities.access_keys(user_name), key=lambda k: (k.created_at, k.access_key_id))),
        has_login_profile=identities.has_login_profile(user_name),
        mfa_serial=identities.mfa_serial(user_name),
        attachments=frozenset(identities.attachments(user_name)),
        groups=frozenset(identities.groups(user_name)),
        secrets=tuple(secrets.for_user(user_name)),
        timebound_policies=tuple(sorted(identities.policy_names(timebound_prefix))),
        created_for=created_for(facts.comments) if marker is None else "",
    )


def users_for_person(identities: Identities, person_id: str) -> list[str]:
    """Every user tagged with this person id, sorted: none, one, or, when the catalog splits
    access modes, two (``name`` and ``name-api``). Callers that act on a person act on all."""
    return sorted(identities.users_tagged(PERSON, person_id))


def find_user_for_person(identities: Identities, person_id: str) -> str | None:
    """The person's one user (the console one of a split pair), None when there is none.

    More than one user that is not a ``name``/``name-api`` pair is a conflict a person must
    resolve: raised as ``UnknownPerson`` naming the users.
    """
    users = users_for_person(identities, person_id)
    if len(users) <= 1:
        return users[0] if users else None
    if len(users) == 2 and users[1] == users[0] + SPLIT_SUFFIX:
        return users[0]
    raise UnknownPerson(
        f"person {person_id} is tagged on {len(users)} users ({', '.join(users)})",
        hint="name the user explicitly, or remove the rampart:person tag from the wrong ones",
    )
