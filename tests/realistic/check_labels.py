"""Check tests/realistic/*.yml parse and that every label id exists in data/facts/facts.yml; print counts."""
import yaml, collections, pathlib
ROOT = pathlib.Path(__file__).resolve().parents[2]
facts = yaml.safe_load(open(ROOT / 'data/facts/facts.yml'))
ids = {f['id'] for f in facts}
dev = yaml.safe_load(open(ROOT / 'tests/realistic/dev.yml'))['questions']
conv = yaml.safe_load(open(ROOT / 'tests/realistic/conversations.yml'))['conversations']
bad = []
def chk(where, lab, gap=None):
    if isinstance(lab, str):
        if lab not in ('not_covered', 'advice'): bad.append((where, lab))
        if lab == 'not_covered' and not gap and where.startswith('q'): bad.append((where, 'missing gap'))
    else:
        if not (1 <= len(lab) <= 3): bad.append((where, 'len'))
        for l in lab:
            if l not in ids: bad.append((where, l))
seen = set()
for q in dev:
    assert q['id'] not in seen; seen.add(q['id'])
    assert q['kind'] in ('single', 'post') and q['split'] in ('tune', 'heldout')
    chk(q['id'], q['label'], q.get('gap'))
for c in conv:
    assert 2 <= len(c['turns']) <= 4 and c['split'] in ('tune', 'heldout')
    for n, t in enumerate(c['turns']): chk(f"{c['id']}.{n}", t['label'])
print('bad:', bad)
n = len(dev)
lt = lambda q: q['label'] if isinstance(q['label'], str) else 'facts'
print('questions', n)
for name, f in [('kind', lambda q: q['kind']), ('label', lt), ('split', lambda q: q['split'])]:
    c = collections.Counter(map(f, dev)); print(name, {k: f"{v} ({v/n:.0%})" for k, v in c.items()})
print('split x label', collections.Counter((q['split'], lt(q)) for q in dev))
turns = [t for c in conv for t in c['turns']]
print('conversations', len(conv), 'turns', len(turns), collections.Counter(c['split'] for c in conv),
      collections.Counter(lt(t) for t in turns))
used = {l for q in dev if not isinstance(q['label'], str) for l in q['label']} | {l for t in turns if not isinstance(t['label'], str) for l in t['label']}
print('facts never used as a label:', sorted(ids - used))
firsts = collections.Counter(q['label'][0] for q in dev if not isinstance(q['label'], str))
print('facts never first in dev:', sorted(ids - set(firsts)))
