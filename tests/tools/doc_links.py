#!/usr/bin/env python3
"""Check relative links (files and #anchors) in README.md and docs/**/*.md."""
import os, re, sys, glob

top = sys.argv[1] if len(sys.argv) > 1 else '.'
files = [os.path.join(top, 'README.md')] + sorted(
    glob.glob(os.path.join(top, 'docs', '**', '*.md'), recursive=True))

def slugs(path):
    out, seen = set(), {}
    text = open(path, encoding='utf-8').read()
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    for m in re.finditer(r'^#{1,6}\s+(.*?)\s*#*\s*$', text, flags=re.M):
        h = m.group(1)
        h = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', h)   # links -> text
        s = h.strip().lower()
        s = re.sub(r'[^\w\- ]', '', s)                   # GitHub drops punctuation
        s = s.replace(' ', '-')
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else '%s-%d' % (s, n))
    for m in re.finditer(r'<a (?:name|id)="([^"]+)"', text):
        out.add(m.group(1))
    return out

bad = 0
for f in files:
    text = open(f, encoding='utf-8').read()
    text_nc = re.sub(r'```.*?```', '', text, flags=re.S)
    text_nc = re.sub(r'`[^`\n]*`', '', text_nc)
    for m in re.finditer(r'\]\(([^)\s]+)(?:\s+"[^"]*")?\)', text_nc):
        t = m.group(1)
        if re.match(r'[a-z]+:', t):
            continue
        path, _, anchor = t.partition('#')
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(dest):
            print('%s: missing file %s' % (f, t)); bad += 1; continue
        if anchor and dest.endswith('.md') and anchor not in slugs(dest):
            print('%s: missing anchor %s' % (f, t)); bad += 1
print('%d files, %d bad links' % (len(files), bad))
sys.exit(1 if bad else 0)
