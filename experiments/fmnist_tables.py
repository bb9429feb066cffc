#!/usr/bin/env python3
"""Copies the Fashion-MNIST grid tables from a run's report.md (written by `mixflow experiment fmnist`) into
docs/results.md, between the markers <!-- grid:begin … --> and <!-- grid:end -->, and the report's wall-clock table
between <!-- wall:begin … --> and <!-- wall:end -->. The numbers are the report's, unchanged; FD, precision and recall
are merged into one "FD (precision / recall)" table per guidance setting.

    experiments/fmnist_tables.py runs/fmnist/report.md docs/results.md
"""
import os
import re
import sys


def section(rep, title):
    m = re.search(r'^## ' + re.escape(title) + r'\n(.*?)(?=^## |\Z)', rep, re.S | re.M)
    if not m:
        sys.exit(f'fmnist_tables.py: the report has no section "## {title}"')
    return m.group(1).strip()


def tables(sec):
    return {m.group(1): m.group(2).strip()
            for m in re.finditer(r'^### (.*?)\n\n(\|.*?)(?=\n\n|\Z)', sec, re.S | re.M)}


def rows(tab):
    lines = tab.splitlines()
    split = lambda l: [c.strip() for c in l.strip().strip('|').split('|')]
    return split(lines[0]), [split(l) for l in lines[2:]]


def merged(sec):
    t = tables(sec)
    head, fd = rows(t['FD (lower is better)'])
    _, pr = rows(t['precision'])
    _, rc = rows(t['recall'])
    out = ['| ' + ' | '.join(head) + ' |', '|---' + '|---:' * (len(head) - 1) + '|']
    for f, p, r in zip(fd, pr, rc):
        cells = [f[0]] + [x if x == '—' else f'{x} ({y} / {z})' for x, y, z in zip(f[1:], p[1:], r[1:])]
        out.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(out)


def replace_between(doc, doc_path, name, text):
    m = re.search(r'(<!-- ' + name + r':begin[^\n]*-->\n)(.*?)(<!-- ' + name + r':end -->)', doc, re.S)
    if not m:
        sys.exit(f'fmnist_tables.py: {doc_path} has no <!-- {name}:begin --> … <!-- {name}:end --> markers')
    return doc[:m.start(2)] + text + doc[m.end(2):]


def main(report_path, doc_path):
    rep = open(report_path, encoding='utf-8').read()
    plain = section(rep, 'Results without guidance')
    guided_title = next((m.group(1) for m in re.finditer(r'^## (Results with classifier-free guidance .*)$', rep, re.M)), None)
    guided = section(rep, guided_title) if guided_title else None
    rivals = section(rep, 'Sampling-time rivals on (a) vs. MixFlow post-training (b)')
    missing = re.search(r'^\*\*Incomplete\*\*: (\d+) planned stage', rep, re.M)
    parts = ['### The grid: N = 10 000 per cell (1000 per class)', '',
             f'From `{report_path}`. "—" marks a cell that was not run.'
             + (f' At the time of copying the report listed {missing.group(1)} unfinished stages.' if missing else ''), '',
             '#### Without guidance: FD (precision / recall)', '', merged(plain), '']
    if guided:
        scale = guided_title.split()[-1]
        parts += [f'#### With classifier-free guidance {scale}: FD (precision / recall)', '', merged(guided), '']
    parts += ['#### Class accuracy and IS analogue', '', '<details><summary>tables</summary>', '']
    for name, sec in (('without guidance', plain), ('with guidance', guided)):
        if sec is None:
            continue
        t = tables(sec)
        for metric in ('class accuracy', 'IS analogue'):
            parts += [f'{metric[0].upper() + metric[1:]}, {name}:', '', t[metric], '']
    parts += ['</details>', '', '#### Sampling-time rivals on (a), and MixFlow (b) at the same NFE', '', rivals, '']
    body = '\n'.join(parts)
    doc = open(doc_path, encoding='utf-8').read()
    doc = replace_between(doc, doc_path, 'grid', body + '\n')
    doc = replace_between(doc, doc_path, 'wall', section(rep, 'Wall-clock per stage') + '\n')
    tmp = doc_path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(doc)
    os.replace(tmp, doc_path)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
