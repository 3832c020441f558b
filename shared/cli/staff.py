"""`staff add EMAIL --tenant T --role agent|owner`, `staff list --tenant T`, `staff remove EMAIL --tenant T`.

Staff sign in to the dashboard with Firebase Authentication; what they may see and do comes from
their custom claims: `tenant` (the only shop they see) and `role` (`owner`: everything, including
broadcasts and shop-wide lists; `agent`: inbox and contacts), which firestore.rules check. `add`
creates the account when the email is new (with `--password`, or without one for an email-link
sign-in), sets the claims and lists the person in `tenants/{T}/staff/{uid}` (name, email, role)
for assignment. Through firebase-admin: against the Firebase Auth emulator when
FIREBASE_AUTH_EMULATOR_HOST is set, else the project's Identity Platform (application-default
credentials, GOOGLE_CLOUD_PROJECT). A claim reaches a signed-in browser at its next token
refresh (within the hour) or sign-in.
"""

from __future__ import annotations

import argparse
from typing import Any

from shared.errors import BadRequest, PermanentError
from shared.storage import tenant_collection, utcnow

ROLES = ("owner", "agent")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("staff", help="grant, list or remove staff access to a tenant's dashboard")
    ssub = parser.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = ssub.add_parser("add", help="give EMAIL access to the tenant with a role")
    add.add_argument("email")
    add.add_argument("--tenant", required=True)
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--name", help="the name colleagues see (default: the email)")
    add.add_argument("--password", help="for a new account (else they sign in with an email link)")
    add.set_defaults(func=_add)
    lst = ssub.add_parser("list", help="the tenant's staff")
    lst.add_argument("--tenant", required=True)
    lst.set_defaults(func=_list)
    remove = ssub.add_parser("remove", help="take EMAIL's access away")
    remove.add_argument("email")
    remove.add_argument("--tenant", required=True)
    remove.set_defaults(func=_remove)


def _auth() -> Any:
    import firebase_admin
    from firebase_admin import auth

    from shared.settings import get_settings

    try:
        firebase_admin.get_app()
    except ValueError:
        firebase_admin.initialize_app(options={"projectId": get_settings().google_cloud_project})
    return auth


def grant(
    email: str, tenant_id: str, role: str, *, name: str | None = None, password: str | None = None
) -> str:
    """Create or find the account, set its `tenant` and `role` claims, list it; returns its uid."""
    from shared.tenants import get_tenant

    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}")
    get_tenant(tenant_id)  # an unknown tenant is an error, not a claim to nowhere
    auth = _auth()
    try:
        user = auth.get_user_by_email(email)
    except auth.UserNotFoundError:
        user = (
            auth.create_user(email=email, password=password, display_name=name)
            if password
            else auth.create_user(email=email, display_name=name)
        )
    claims = dict(user.custom_claims or {})
    if claims.get("tenant") not in (None, tenant_id):
        raise PermanentError(
            f"{email} is staff of another tenant ({claims['tenant']}); remove them there first"
        )
    auth.set_custom_user_claims(user.uid, {**claims, "tenant": tenant_id, "role": role})
    tenant_collection(tenant_id, "staff").document(user.uid).set(
        {"email": email, "name": name or user.display_name or email, "role": role, "added_at": utcnow()},
        merge=True,
    )
    return str(user.uid)


def _add(args: argparse.Namespace) -> int:
    uid = grant(args.email, args.tenant, args.role, name=args.name, password=args.password)
    print(f"{args.email} is now {args.role} of {args.tenant} (uid {uid}); they sign in at the dashboard.")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = [(s.id, s.to_dict() or {}) for s in tenant_collection(args.tenant, "staff").stream()]
    for uid, data in sorted(rows, key=lambda r: str(r[1].get("email"))):
        print(f"{data.get('role', '?'):<6} {data.get('email', '?')}  {data.get('name', '')}  ({uid})")
    if not rows:
        print("No staff yet: python -m shared.cli staff add EMAIL --tenant T --role owner")
    return 0


def _remove(args: argparse.Namespace) -> int:
    auth = _auth()
    try:
        user = auth.get_user_by_email(args.email)
    except auth.UserNotFoundError:
        raise BadRequest(f"no account with the email {args.email}") from None
    claims = dict(user.custom_claims or {})
    if claims.get("tenant") == args.tenant:
        claims.pop("tenant", None)
        claims.pop("role", None)
        auth.set_custom_user_claims(user.uid, claims or None)
        auth.revoke_refresh_tokens(user.uid)  # signed-in browsers lose access at once
    tenant_collection(args.tenant, "staff").document(user.uid).delete()
    print(f"{args.email} no longer has access to {args.tenant}.")
    return 0
