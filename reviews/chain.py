"""The hash chain over sign-offs: each decision's `chain_hash` covers its own signed fields and the chain
hash of the decision before it (by `sequence`), like a transparency log. Deleting, inserting or editing
any decision breaks every link after it; `verify_record` walks the chain.

The canonical form is versioned (`CHAIN_VERSION`): a new signed field gets a new version, and decisions
keep verifying under the version they were chained with.
"""

import datetime as dt
import hashlib
import json

CHAIN_VERSION = "decision-chain-v1"
# Signed fields added after v1 (e.g. the hash of the stored rendition the reviewer saw): covered when set,
# left out when empty, so sign-offs chained before the field existed keep their hash.
LATER_FIELDS = ("rendition_hash",)


def decision_fields(decision) -> dict:
    """The fields a sign-off's chain hash covers, from a model instance (or a historical one in a migration)."""
    signed_at = decision.signed_at
    return {
        "version": CHAIN_VERSION,
        "sequence": decision.sequence,
        "review": decision.review_id,
        # The username, not the row id: ids change when a backup is restored with natural keys.
        "reviewer": decision.reviewer.username,
        "printed_name": decision.printed_name,
        "verdict": decision.verdict,
        "meaning": decision.meaning,
        "comment": decision.comment,
        "conflict_of_interest": decision.conflict_of_interest,
        "content_hash": decision.content_hash,
        # Microseconds and UTC: the exact signing time, the same on SQLite and PostgreSQL.
        "signed_at": signed_at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
        "second_factor": bool(decision.second_factor),
    } | {name: getattr(decision, name) for name in LATER_FIELDS if getattr(decision, name, "")}


def chain_hash(fields: dict, previous_hash: str) -> str:
    payload = json.dumps(
        {"previous": previous_hash or "", "decision": fields}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def link(decisions, *, after: tuple[int, str] | None = None) -> list:
    """Chain unsaved decisions in list order after `after` = (sequence, chain hash) of the current head,
    for bulk loads (the benchmark database); the workflow appends one at a time under a lock."""
    sequence, previous = after or (0, "")
    for decision in decisions:
        sequence += 1
        decision.sequence, decision.previous_hash = sequence, previous
        decision.chain_hash = previous = chain_hash(decision_fields(decision), previous)
    return decisions
