#!/usr/bin/env python3
"""Prints how the top-level modules of a crate use each other, and fails on a cycle.

    scripts/module-graph.py crates/app/src            # graph, layers; exit 1 on a cycle
    scripts/module-graph.py --check crates/app/src    # quiet unless there is a cycle

A module `m` uses module `n` when a file under `m` names `crate::n` (or
`crate::{…, n, …}`). The layers are printed bottom up: layer 0 uses no
sibling, layer k uses only lower layers. `./scripts/test` runs the check on
the app crate, whose modules must stay acyclic.
"""
import os
import re
import sys


def top_modules(root):
    mods = set()
    for name in os.listdir(root):
        if name in ("lib.rs", "main.rs"):
            continue
        if name.endswith(".rs"):
            mods.add(name[:-3])
        elif os.path.isdir(os.path.join(root, name)):
            mods.add(name)
    return mods


def sources(root, mod):
    single = os.path.join(root, mod + ".rs")
    if os.path.isfile(single):
        yield single
    folder = os.path.join(root, mod)
    for dirpath, _, files in os.walk(folder):
        for f in files:
            if f.endswith(".rs"):
                yield os.path.join(dirpath, f)


def strip_comments(text):
    return re.sub(r"//[^\n]*", "", text)


def graph(root):
    mods = top_modules(root)
    edges = {m: set() for m in mods}
    for m in mods:
        for path in sources(root, m):
            with open(path, encoding="utf-8") as f:
                text = strip_comments(f.read())
            named = set(re.findall(r"crate::([a-z_][a-z0-9_]*)", text))
            for group in re.findall(r"crate::\{([^}]*)\}", text):
                named.update(re.findall(r"\b([a-z_][a-z0-9_]*)\b", group))
            edges[m].update(n for n in named if n in mods and n != m)
    return edges


def cycles(edges):
    found, state = [], {}

    def visit(u, stack):
        state[u] = 1
        stack.append(u)
        for v in sorted(edges[u]):
            if state.get(v) == 1:
                found.append(stack[stack.index(v):] + [v])
            elif v not in state:
                visit(v, stack)
        stack.pop()
        state[u] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [])
    return found


def layers(edges):
    level = {}

    def depth(u):
        if u not in level:
            level[u] = 1 + max((depth(v) for v in edges[u]), default=-1)
        return level[u]

    for m in edges:
        depth(m)
    out = {}
    for m, l in level.items():
        out.setdefault(l, []).append(m)
    return [sorted(out[l]) for l in sorted(out)]


def main(argv):
    check = "--check" in argv
    roots = [a for a in argv if a != "--check"]
    if len(roots) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    edges = graph(roots[0])
    found = cycles(edges)
    if found:
        for c in found:
            print("module cycle in %s: %s" % (roots[0], " -> ".join(c)), file=sys.stderr)
        return 1
    if not check:
        for m in sorted(edges):
            print("%s -> %s" % (m, ", ".join(sorted(edges[m])) or "-"))
        for i, names in enumerate(layers(edges)):
            print("layer %d: %s" % (i, ", ".join(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
