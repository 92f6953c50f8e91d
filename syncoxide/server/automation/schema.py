"""Tables of the job queue and of automation rules (one migration, kept beside their code).

``jobs`` is the queue: a job is claimed by a worker for a lease (``lease_owner`` until
``lease_until``) that the worker renews while it runs; a lease left to expire (its server was
killed) puts the job back in the queue, so it runs again. ``collect_key`` lets arrivals join
a job that is still waiting (several scans into one PDF).
"""

from __future__ import annotations

AUTOMATION_MIGRATION = """
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_after REAL NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until REAL NOT NULL DEFAULT 0,
    progress REAL NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '{}',
    collect_key TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX jobs_ready ON jobs (status, run_after);
CREATE INDEX jobs_by_user ON jobs (user_id, status, id);
CREATE INDEX jobs_collecting ON jobs (collect_key, status);
CREATE TABLE automation_rules (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source TEXT NOT NULL,
    match_types TEXT NOT NULL DEFAULT '[]',
    match_name TEXT NOT NULL DEFAULT '',
    max_bytes INTEGER NOT NULL DEFAULT 0,
    output TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    target_folder TEXT NOT NULL,
    combine INTEGER NOT NULL DEFAULT 0,
    original TEXT NOT NULL DEFAULT 'keep',
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX automation_rules_by_source ON automation_rules (source_kind, source);
"""

#: Rules may watch a folder of a connection or an accepted account share, which the server
#: polls (``provider_watch.py``). ``automation_seen`` is what the last poll of each rule found
#: (a file whose fingerprint changes, or that is new, has arrived); ``automation_watches``
#: says which place a rule's poll took its first look at (files already there are not
#: arrivals); ``automation_outputs`` names the results written into providers, so a result
#: landing in a watched folder is never taken for an arrival.
AUTOMATION_SOURCES_MIGRATION = """
ALTER TABLE automation_rules ADD COLUMN connection_id INTEGER
    REFERENCES connections(id) ON DELETE CASCADE;
CREATE TABLE automation_watches (
    rule_id INTEGER PRIMARY KEY REFERENCES automation_rules(id) ON DELETE CASCADE,
    place TEXT NOT NULL,
    looked_at REAL NOT NULL
);
CREATE TABLE automation_seen (
    rule_id INTEGER NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (rule_id, path)
);
CREATE TABLE automation_outputs (
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (connection_id, path)
);
"""

#: What a poll is waiting on, kept so a restart resumes it: ``automation_waits`` holds each
#: file that waits for its quiet window, with the fingerprint it waits at and when it was first
#: seen so (wall clock: compared by a restarted process); ``automation_handoff_failures``
#: holds each file whose hand-off to the queue failed, with its attempts, when it is tried
#: again and why it failed (a file given up waits there until it changes or goes).
AUTOMATION_WAITS_MIGRATION = """
CREATE TABLE automation_waits (
    rule_id INTEGER NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    since REAL NOT NULL,
    PRIMARY KEY (rule_id, path)
);
CREATE TABLE automation_handoff_failures (
    rule_id INTEGER NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    retry_at REAL NOT NULL,
    reason TEXT NOT NULL,
    given_up INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rule_id, path)
);
"""
