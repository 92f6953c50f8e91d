"""``syncoxide admin migrate``: an embedded deployment (SQLite + blobs on local disk) copied
onto PostgreSQL and S3, verified, resumable.

    plan.py       which tables, in which order (the target's foreign keys), keyed how
    rows.py       a row's canonical form and the order-free checksum of a table
    progress.py   what is done, kept in the target, so a killed run resumes
    tables.py     the batched copy of one table and its verification
    blobs.py      blobs uploaded, read back and hashed
    run.py        the whole run: refusals, dry run, progress lines, summary
"""
