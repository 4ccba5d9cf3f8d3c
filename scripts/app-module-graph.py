#!/usr/bin/env python3
# Prints the dependency graph of the top-level modules of a crate directory
# (from `crate::<module>` references), any cycles, and the layers.
#   scripts/app-module-graph.py crates/app/src
import re,glob,os,sys
root=sys.argv[1]
mods={}
for p in glob.glob(root+'/**/*.rs',recursive=True):
    rel=os.path.relpath(p,root)
    top=rel.split('/')[0].removesuffix('.rs')
    if top in ('lib','main'): continue
    mods.setdefault(top,set())
    for m in re.findall(r'crate::([a-z_]+)',open(p).read()):
        if m!=top and os.path.exists(f'{root}/{m}.rs') or os.path.isdir(f'{root}/{m}'):
            if m!=top: mods[top].add(m)
# also `use crate::{a, b}` forms
for p in glob.glob(root+'/**/*.rs',recursive=True):
    rel=os.path.relpath(p,root); top=rel.split('/')[0].removesuffix('.rs')
    if top in ('lib','main'): continue
    for grp in re.findall(r'use crate::\{([^}]*)\}',open(p).read()):
        for m in re.findall(r'\b([a-z_]+)\b',grp):
            if m!=top and (os.path.exists(f'{root}/{m}.rs') or os.path.isdir(f'{root}/{m}')): mods[top].add(m)
for k in sorted(mods): print(k,'->',sorted(mods[k]))
# cycles via DFS
import itertools
state={}; cyc=[]
def dfs(u,stack):
    state[u]=1; stack.append(u)
    for v in mods.get(u,()):
        if state.get(v)==1: cyc.append(stack[stack.index(v):]+[v])
        elif not state.get(v): dfs(v,stack)
    stack.pop(); state[u]=2
for m in mods:
    if not state.get(m): dfs(m,[])
print('CYCLES:',cyc if cyc else 'none')
# layers
if not cyc:
    layer={}
    def L(u):
        if u in layer: return layer[u]
        layer[u]=0; layer[u]=1+max([L(v) for v in mods.get(u,())],default=-1); return layer[u]
    for m in mods: L(m)
    for l in sorted(set(layer.values())): print(l, sorted(k for k,v in layer.items() if v==l))
