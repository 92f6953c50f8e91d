"""gRPC beside REST: the same operations for files, shares, events, sync rules, backups and
the catalog, with streaming.

``bridge`` runs the REST operation a call names (same handler, checks, limits, answers);
``servicers`` maps the services of ``protos/syncoxide/v1/api.proto`` onto it, with streaming
uploads, downloads and events; ``listener`` serves them on the server's event loop. The stubs
in ``v1`` are generated (``./dev generate``).
"""

import os

# gRPC's fork support (on by default in grpcio) runs handlers around every fork() of this
# process; with gRPC threads busy it skips them and the child can abort in gRPC's epoll poller
# before it execs. The server forks whenever a subprocess needs set-up in the child (the
# actions' resource limits, ``preexec_fn``): 34 of 200 such children died in a measured run
# with a busy gRPC server in the process, none with this off. Nothing here forks to keep
# using gRPC in the child, so the support is off unless an operator turns it on.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
