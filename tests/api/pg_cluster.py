"""A throwaway PostgreSQL cluster for the tests: made with initdb in a
temporary directory, listening only on a Unix socket in that directory (no
TCP), stopped and removed at the end.

  python3 pg_cluster.py start STATE   starts one and writes what it is to STATE
  python3 pg_cluster.py stop STATE    stops the one STATE describes, removes it

The test fixture (tests/CMakeLists.txt) runs start before the tests that
need it and stop after them. initdb and postgres refuse to run as root: as
root, they run as the postgres user that Debian's package creates, in a
directory it owns. Connections trust the socket's directory (mode 0700),
which only its owner and root can reach.

Environment: BINGFA_PG_BIN, the directory of initdb, pg_ctl and psql
(default: what pg_config names, else the newest /usr/lib/postgresql/*/bin).
"""

import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

# The role the tests connect as (the cluster's superuser).
SUPERUSER = "bingfa"


def bin_dir():
    path = os.environ.get("BINGFA_PG_BIN")
    if path:
        return path
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             timeout=30)
        if out.returncode == 0 and os.path.exists(os.path.join(out.stdout.strip(), "initdb")):
            return out.stdout.strip()
    except OSError:
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0)
    if not found:
        raise RuntimeError("no PostgreSQL server found: install postgresql (scripts/setup)")
    return os.path.dirname(found[-1])


def run_as():
    """The command prefix that runs a server program as its owner: the
    postgres user when we are root, else nothing."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def run(state, *args, check=True):
    cmd = run_as() + [os.path.join(state["bin"], args[0])] + list(args[1:])
    # In the cluster's directory: the caller's may be closed to the postgres user.
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=state["dir"])
    if check and res.returncode != 0:
        raise RuntimeError("%s failed (%d): %s %s" % (args[0], res.returncode, res.stdout,
                                                     res.stderr))
    return res


# The tests need no durability across a crash of the machine: they kill
# bingfa, never the cluster.
TEST_SETTINGS = "-c fsync=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB"


def start(state_file, settings=TEST_SETTINGS):
    """Starts a cluster with the server settings given (postgres -c options)
    and writes what it is to state_file."""
    if os.path.exists(state_file):
        stop(state_file)  # left behind by a run that was interrupted
    base = tempfile.mkdtemp(prefix="bingfa-pg-", dir="/tmp")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    os.chmod(base, 0o700)
    state = {"dir": base, "bin": bin_dir(), "socket": base, "user": SUPERUSER}
    try:
        data = os.path.join(base, "data")
        run(state, "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
            "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        options = "-k %s -c listen_addresses='' %s" % (base, settings)
        run(state, "pg_ctl", "-D", data, "-l", os.path.join(base, "server.log"), "-w",
            "-t", "60", "-o", options, "start")
    except Exception:
        shutil.rmtree(base, ignore_errors=True)
        raise
    with open(state_file, "w") as f:
        json.dump(state, f)
    print("pg_cluster: started in %s" % base)


def stop(state_file):
    try:
        with open(state_file) as f:
            state = json.load(f)
    except (OSError, ValueError):
        return
    data = os.path.join(state["dir"], "data")
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        run(state, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", check=False)
    shutil.rmtree(state["dir"], ignore_errors=True)
    os.unlink(state_file)
    print("pg_cluster: stopped and removed %s" % state["dir"])


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        sys.stderr.write("usage: pg_cluster.py start|stop STATE\n")
        return 2
    (start if argv[1] == "start" else stop)(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
