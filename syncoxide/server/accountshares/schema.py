"""The tables of account-to-account shares (migration 15 in ``server.datadir``).

``account_emails`` holds the address of an account, set by the operator (``syncoxide user
add --email``, ``syncoxide user email``): people share by name or by this address, and
invitations and digests go to it. An address a user could set themself would let them
collect invitations meant for someone else, so none is taken from the API.

``account_shares`` is one invitation and, once accepted, the pair of places the server keeps
in step. ``source_id`` / ``dest_id`` name connections (NULL: the account's storage on this
server); they are not foreign keys, so deleting a connection leaves the share in a clear
failed state instead of silently removing it. ``account_share_changes`` lists what each run
moved, for the other party's notices; ``account_share_mail`` remembers, per share and person,
when the last digest went and whether they unsubscribed. Statements hold no ``;``.
"""

ACCOUNT_SHARES_MIGRATION = """
CREATE TABLE account_emails (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    address TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE account_shares (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    recipient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source_id INTEGER,
    source_path TEXT NOT NULL,
    name TEXT NOT NULL,
    access TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    answered_at INTEGER,
    placed INTEGER NOT NULL DEFAULT 0,
    dest_id INTEGER,
    dest_path TEXT NOT NULL DEFAULT '',
    sync_status TEXT NOT NULL DEFAULT '',
    sync_message TEXT NOT NULL DEFAULT '',
    next_sync_at INTEGER NOT NULL DEFAULT 0,
    last_sync_at INTEGER,
    interval_seconds INTEGER NOT NULL DEFAULT 60,
    base_url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX account_shares_owner ON account_shares (owner_id);
CREATE INDEX account_shares_recipient ON account_shares (recipient_id);
CREATE TABLE account_share_changes (
    id INTEGER PRIMARY KEY,
    share_id INTEGER NOT NULL REFERENCES account_shares(id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL,
    notify_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    path TEXT NOT NULL,
    at INTEGER NOT NULL,
    mailed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX account_share_changes_unmailed ON account_share_changes (mailed, share_id);
CREATE TABLE account_share_mail (
    share_id INTEGER NOT NULL REFERENCES account_shares(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    last_digest_at INTEGER,
    unsubscribed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (share_id, user_id)
)
"""

# Encrypted account shares (docs/sharing.md): each account's X25519 public key and the
# passphrase vault holding its private half (the server cannot open it), and which shares are
# encrypted (their files reach the server already sealed; the server never holds their keys).
ACCOUNT_KEYS_MIGRATION = """
CREATE TABLE account_keys (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    public_key BLOB NOT NULL,
    vault BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
ALTER TABLE account_shares ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0
"""
