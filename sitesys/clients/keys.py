"""Client-code key rotation without losing returning clients.

A client is known by the keyed digest of their code, so a new key would make every returning
client look new. Instead the new key is configured as current (SITESYS_CLIENT_CODE_KEY) and the
earlier ones are kept for look-up only (SITESYS_CLIENT_CODE_OLD_KEYS): the desk looks a code up
under every usable key, and a client found under an old one is re-digested under the current
key there and then (`rekey_client`). `flask --app wsgi client-keys status` shows how many
clients are still under each key; an old key is retired only when an admin chooses
(`retire_key`), and the clients still under it then look new.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.clients.codes import code_key_id
from sitesys.clients.models import Client, RetiredCodeKey
from sitesys.refusals import Refused


class KeyRefused(Refused):
    """A key change that cannot be made; the message says why."""


@dataclass(frozen=True)
class KeyCount:
    #: The key's id; None for clients registered before key ids were kept.
    key_id: str | None
    #: "current", "old" (look-up only), "retired", "not configured" or "not recorded".
    state: str
    clients: int


def retired_key_ids(session: Session) -> set[str]:
    return set(session.scalars(select(RetiredCodeKey.key_id)))


def usable_old_keys(session: Session, old_keys: tuple[str, ...]) -> tuple[str, ...]:
    """The old keys still used for look-up: those an admin has not retired."""
    if not old_keys:
        return ()
    retired = retired_key_ids(session)
    return tuple(key for key in old_keys if code_key_id(key) not in retired)


def rekey_client(
    session: Session, actor: Staff | None, client: Client, digest: str, key_id: str
) -> bool:
    """Put `client` under the current key's `digest` (found under an old key, or registered
    before key ids were kept); True when it changed. Done under the client's row lock, so two
    desks looking the same client up at once change it once.
    """
    if client.code_digest == digest and client.code_key_id == key_id:
        return False
    session.refresh(client, with_for_update=True)
    if client.code_digest == digest and client.code_key_id == key_id:
        return False
    earlier = client.code_key_id
    moved = client.code_digest != digest
    client.code_digest = digest
    client.code_key_id = key_id
    session.flush()
    record_event(
        session,
        "client.code_rekeyed",
        actor=actor,
        record=client,
        from_key=earlier,
        to_key=key_id,
        digest_changed=moved,
    )
    return True


def key_status(session: Session, current: str, old_keys: tuple[str, ...]) -> list[KeyCount]:
    """How many clients are under each key, the current one first."""
    grouped = select(Client.code_key_id, func.count()).group_by(Client.code_key_id)
    counts: dict[str | None, int] = {key_id: int(n) for key_id, n in session.execute(grouped)}
    retired = retired_key_ids(session)
    current_id = code_key_id(current)
    old_ids = [code_key_id(key) for key in old_keys]
    rows = [KeyCount(current_id, "current", counts.pop(current_id, 0))]
    for key_id in old_ids:
        if key_id != current_id:
            state = "retired" if key_id in retired else "old"
            rows.append(KeyCount(key_id, state, counts.pop(key_id, 0)))
    unrecorded = counts.pop(None, None)
    for other_id, count in sorted((k, n) for k, n in counts.items() if k is not None):
        state = "retired" if other_id in retired else "not configured"
        rows.append(KeyCount(other_id, state, count))
    if unrecorded:
        rows.append(KeyCount(None, "not recorded", unrecorded))
    return rows


def retire_key(
    session: Session, actor: Staff | None, key_id: str, current: str, old_keys: tuple[str, ...]
) -> int:
    """Retire an old key (an admin's choice): it is no longer used for look-up, so the clients
    still under it look new at the desk. Returns how many clients that is.
    """
    if key_id == code_key_id(current):
        raise KeyRefused("That is the current key: add a new key before retiring this one.")
    if session.get(RetiredCodeKey, key_id) is not None:
        raise KeyRefused(f"Key {key_id} is already retired.")
    known = {code_key_id(key) for key in old_keys} | set(
        session.scalars(
            select(Client.code_key_id).where(Client.code_key_id.is_not(None)).distinct()
        )
    )
    if key_id not in known:
        raise KeyRefused(f"No key {key_id} is configured or holds clients.")
    left = session.scalar(
        select(func.count()).select_from(Client).where(Client.code_key_id == key_id)
    )
    retired = RetiredCodeKey(key_id=key_id, clients_left=int(left or 0))
    session.add(retired)
    session.flush()
    record_event(session, "client_code_key.retired", actor=actor, record=retired, clients_left=left)
    return int(left or 0)
