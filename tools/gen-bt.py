#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write vgetrandom.bt from its template and lib/events.h.

usage: gen-bt.py TEMPLATE EVENTS_H LIBRARY OUTPUT

The template names the library as @LIBRARY@ and holds one @NAME@ line per
table of events.h (@PATHS@, @FALLBACKS@, @RESEEDS@); each becomes a chain
of branches, one per X(ID, code, "name", ...) line of that table, so the
script's names are the ones the library defines and nowhere else written.
"""
import re
import sys

template, events, library, output = sys.argv[1:]
with open(events) as f:
    text = f.read()


def table(macro):
    m = re.search(r"#define %s\(X\)((?:.*\\\n)*.*\n)" % macro, text)
    if not m:
        sys.exit("gen-bt.py: no %s in %s" % (macro, events))
    rows = re.findall(r'X\(\s*\w+\s*,\s*(\d+)\s*,\s*"([a-z-]+)"', m.group(1))
    if not rows:
        sys.exit("gen-bt.py: %s has no rows" % macro)
    return rows


# What each probe counts under its name: (arg holding the code, statements).
probes = {
    "PATHS": ("arg2", ['@calls[pid, comm, "%s"] = count();', '@bytes[pid, comm, "%s"] = sum(arg0);']),
    "FALLBACKS": ("arg0", ['@fallbacks[pid, comm, "%s"] = count();']),
    "RESEEDS": ("arg0", ['@reseeds[pid, comm, "%s"] = count();']),
}


def branches(name):
    arg, stmts = probes[name]
    out = []
    for i, (code, key) in enumerate(table("VGR_" + name)):
        body = " ".join(s % key for s in stmts)
        out.append("\t%sif (%s == %s) { %s }" % ("" if i == 0 else "else ", arg, code, body))
    out.append("\telse { %s }" % " ".join(s % "other" for s in stmts))
    return "\n".join(out)


with open(template) as f:
    script = f.read()
for name in probes:
    script = script.replace("@%s@" % name, branches(name))
script = script.replace("@LIBRARY@", library)
left = re.findall(r"@[A-Z_]+@", script)
if left:
    sys.exit("gen-bt.py: %s left in %s" % (", ".join(left), template))
with open(output, "w") as f:
    f.write(script)
