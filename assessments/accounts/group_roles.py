"""Roles from the identity provider's groups: GroupMapping rows (edited in the admin) turn the groups claim
of a verified ID token into memberships and municipality roles, at every sign-in.

Only roles that a mapping granted are ever revoked (GroupRoles remembers them); roles granted by hand are
left alone unless a mapping now covers the same agency or municipality role, which then takes it over.
"""

import logging

from django.conf import settings

from assessments.models import GroupMapping, GroupRoles, Membership, MunicipalRole

log = logging.getLogger(__name__)

ALL_AGENCIES = "all"


def groups_from_claims(claims: dict) -> list[str] | None:
    """The groups claim as a list, or None when the provider left it out because there were too many
    (Entra's "overage": `_claim_names`): then roles stay as they are."""
    name = settings.KIV_OIDC_GROUPS_CLAIM
    if name in claims:
        value = claims[name]
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if name in (claims.get("_claim_names") or {}):
        return None
    return []


def _desired_roles(groups: list[str]) -> tuple[dict[int, str], dict[str, object]]:
    agency_roles: dict[int, str] = {}
    municipal: dict[str, object] = {}
    for mapping in GroupMapping.objects.filter(group_id__in=groups):
        if mapping.role in GroupMapping.AGENCY_ROLES:
            already_leader = agency_roles.get(mapping.agency_id) == Membership.Role.LEADER
            if mapping.agency_id is not None and not already_leader:
                agency_roles[mapping.agency_id] = mapping.role
        elif mapping.agency_id is None:
            municipal[mapping.role] = ALL_AGENCIES
        elif municipal.get(mapping.role) != ALL_AGENCIES:
            municipal.setdefault(mapping.role, set()).add(mapping.agency_id)
    return agency_roles, municipal


def _sync_agency_roles(user, wanted: dict[int, str], previous: dict, counts: dict) -> None:
    memberships = {m.agency_id: m for m in Membership.objects.filter(user=user)}
    for agency_id, role in wanted.items():
        existing = memberships.get(agency_id)
        if existing is None:
            Membership.objects.create(user=user, agency_id=agency_id, role=role)
            counts["granted"] += 1
        elif existing.role != role:
            existing.role = role
            existing.save(update_fields=["role"])
            counts["changed"] += 1
    for agency_key, role in (previous.get("agencies") or {}).items():
        existing = memberships.get(int(agency_key))
        if int(agency_key) not in wanted and existing is not None and existing.role == role:
            existing.delete()
            counts["revoked"] += 1


def _sync_municipal_roles(user, wanted: dict[str, object], previous: dict, counts: dict) -> None:
    held = {m.role: m for m in MunicipalRole.objects.filter(user=user).prefetch_related("agencies")}
    for role, scope in wanted.items():
        existing = held.get(role)
        if existing is None:
            existing = MunicipalRole.objects.create(user=user, role=role)
            counts["granted"] += 1
        current = {a.pk for a in existing.agencies.all()}
        target = set() if scope == ALL_AGENCIES else set(scope)
        if current != target:
            existing.agencies.set(target)
            counts["changed"] += 1
    for role in previous.get("municipal") or {}:
        if role not in wanted and role in held:
            held[role].delete()
            counts["revoked"] += 1


def sync_roles(user, groups: list[str] | None) -> dict:
    """Make the user's mapped roles match the groups; return how many were granted, changed, revoked."""
    if groups is None:
        log.warning("Groups claim left out (too many groups) for user %s: roles unchanged", user.pk)
        return {"roles_unchanged": True}
    record, _created = GroupRoles.objects.select_for_update().get_or_create(user=user)
    wanted_agencies, wanted_municipal = _desired_roles(groups)
    previous = record.managed_roles or {}
    counts = {"granted": 0, "changed": 0, "revoked": 0}
    _sync_agency_roles(user, wanted_agencies, previous, counts)
    _sync_municipal_roles(user, wanted_municipal, previous, counts)
    record.managed_roles = {
        "agencies": {str(k): v for k, v in sorted(wanted_agencies.items())},
        "municipal": {r: s if s == ALL_AGENCIES else sorted(s) for r, s in sorted(wanted_municipal.items())},
    }
    record.save(update_fields=["managed_roles", "updated_at"])
    if hasattr(user, "_kiv_roles"):
        del user._kiv_roles
    return counts
