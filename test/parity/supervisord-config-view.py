# supervisord's own verdict on config files, for the differential tests (test/parity/).
# Usage: python3 supervisord-config-view.py PASSWD GROUP CONFIG...
# Prints one JSON line per CONFIG: {"error": "..."} when supervisord would refuse to start with
# it (ServerOptions.process_config, then realize()'s [supervisord] user= check), else every
# field supervisord resolved, in the shape test/parity/config-view.ts gives corral's.
# The world it runs in: pwd/grp answer from the PASSWD/GROUP files, the supervisor-stdout
# plugin is importable, and the directory-existence checks are stubbed (only ~ is expanded),
# as if the image had created every directory a log or pid path names.
import grp, json, pwd, shlex, sys, types

PASSWD = [l.split(":") for l in open(sys.argv[1]).read().splitlines() if l]
GROUP = [l.split(":") for l in open(sys.argv[2]).read().splitlines() if l]

def pw(f): return pwd.struct_passwd((f[0], f[1], int(f[2]), int(f[3]), f[4], f[5], f[6]))
def gr(f): return grp.struct_group((f[0], f[1], int(f[2]), [m for m in f[3].split(",") if m]))
def lookup(rows, make, col, key):
    for f in rows:
        if (f[col] if col == 0 else int(f[col])) == key: return make(f)
    raise KeyError(key)
pwd.getpwnam = lambda n: lookup(PASSWD, pw, 0, n)
pwd.getpwuid = lambda u: lookup(PASSWD, pw, 2, u)
grp.getgrnam = lambda n: lookup(GROUP, gr, 0, n)
grp.getgrgid = lambda g: lookup(GROUP, gr, 2, g)

def event_handler(event, response): pass
event_handler.__module__ = "supervisor_stdout"
plugin = types.ModuleType("supervisor_stdout")
plugin.event_handler = event_handler
sys.modules["supervisor_stdout"] = plugin

import os.path
from supervisor import datatypes, options
for m in (datatypes, options):
    m.existing_dirpath = lambda v: os.path.expanduser(v)
    m.existing_directory = lambda v: os.path.expanduser(v)
from supervisor.options import ServerOptions, make_namespec
from supervisor.datatypes import Automatic, name_to_uid
from supervisor.events import getEventNameByType

RESTART = {"RestartUnconditionally": "true", "RestartWhenExitUnexpected": "unexpected"}
INHERIT = {"/dev/fd/1": "fd1", "/dev/stdout": "fd1", "/dev/fd/2": "fd2", "/dev/stderr": "fd2"}

def log(p, channel, fd):
    """Where a channel's output ends up, in corral's words: fdN (its own stdout/stderr), null, or a path."""
    v = getattr(p, channel + "_logfile")
    if v is Automatic: return "fd%d" % fd
    if v is None or v == "": return "fd%d" % fd if getattr(p, channel + "_syslog") else None
    return INHERIT.get(v, v)

def argv(command):
    try:
        words = shlex.split(command)
    except ValueError as e:
        return {"spawnerr": "can't parse command %r: %s" % (command, e)}
    return words if words else {"spawnerr": "command is empty"}

def process(g, p):
    out, err = log(p, "stdout", 1), None if p.redirect_stderr else log(p, "stderr", 2)
    row = {
        "name": make_namespec(g.name, p.name), "group": g.name, "argv": argv(p.command),
        "priority": p.priority, "autostart": p.autostart, "autorestart": RESTART.get(getattr(p.autorestart, "__name__", ""), "false"),
        "startsecs": p.startsecs, "startretries": p.startretries, "stopsignal": int(p.stopsignal), "stopwaitsecs": p.stopwaitsecs,
        "stopasgroup": p.stopasgroup, "killasgroup": p.killasgroup, "exitcodes": p.exitcodes, "umask": p.umask,
        "directory": p.directory or None, "uid": p.uid, "environment": p.environment or {},
        "redirect_stderr": p.redirect_stderr, "stdout": out, "stderr": err,
        "stdout_events": p.stdout_events_enabled, "stderr_events": p.stderr_events_enabled,
        "serverurl": p.serverurl or None,
    }
    for channel, target in (("stdout", out), ("stderr", err)):
        if target is not None and not target.startswith("fd"):
            row[channel + "_maxbytes"] = max(getattr(p, channel + "_logfile_maxbytes"), 0)
            row[channel + "_backups"] = max(getattr(p, channel + "_logfile_backups"), 0)
    return row

def server_view(o):
    s = o.configroot.supervisord
    http = []
    for c in s.server_configs:
        auth = [c["username"], c["password"]] if c["username"] is not None else None
        if "file" in c: http.append(["unix", c["file"], c["chmod"], list(c["chown"]), auth])
        else: http.append(["inet", c["host"], c["port"], auth])
    return {"pidfile": s.pidfile, "environment": s.environment, "http": sorted(http, key=json.dumps)}

def view(main):
    o = ServerOptions()
    o.configfile = main
    try:
        o.process_config(do_usage=False)
        user = o.configroot.supervisord.user
        if user is not None: name_to_uid(user)  # ServerOptions.realize: "Invalid user name"
    except Exception as e:  # ValueError mostly; anything else stops supervisord as surely
        return {"error": "%s: %s" % (type(e).__name__, e)}
    processes, groups = [], []
    for g in o.process_group_configs:
        members = sorted(make_namespec(g.name, p.name) for p in g.process_configs)
        if hasattr(g, "pool_events"):
            handler = g.result_handler
            groups.append({"kind": "pool", "name": g.name, "priority": g.priority, "members": members,
                "events": sorted(getEventNameByType(t) for t in g.pool_events), "buffer_size": g.buffer_size,
                "result_handler": "%s:%s" % (handler.__module__, handler.__name__)})
        elif hasattr(g, "socket_config"):
            sc = g.socket_config
            groups.append({"kind": "fcgi", "name": g.name, "priority": g.priority, "members": members, "socket": sc.url,
                "backlog": sc.backlog, "mode": getattr(sc, "mode", None), "owner": list(sc.owner) if getattr(sc, "owner", None) else None})
        else:
            groups.append({"kind": "group", "name": g.name, "priority": g.priority, "members": members})
        processes.extend(process(g, p) for p in g.process_configs)
    key = lambda r: json.dumps(r, sort_keys=True)
    return {"processes": sorted(processes, key=lambda r: r["name"]), "groups": sorted(groups, key=key), "server": server_view(o)}

for main in sys.argv[3:]:
    print(json.dumps(view(main), sort_keys=True))
