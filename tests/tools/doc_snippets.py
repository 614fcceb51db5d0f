#!/usr/bin/env python3
"""apachectl configtest of every ```apache block of the given Markdown files.

usage: doc_snippets.py HTTPD AUDIT_BODY_SO ID_PROXY_SO FILE.md...

Each block runs in a fresh ServerRoot with both modules, mod_proxy and
mod_proxy_http loaded (its own LoadModule lines are dropped), with
${APACHE_LOG_DIR} and the key path of the examples pointing into that
ServerRoot. Prints each failing block; exits 1 if any fails.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

httpd, so_ab, so_idp = sys.argv[1:4]
mods = '/usr/lib/apache2/modules'
bad = n = 0
for f in sys.argv[4:]:
    text = open(f, encoding='utf-8').read()
    for i, m in enumerate(re.finditer(r'```apache\n(.*?)```', text, re.S)):
        n += 1
        d = tempfile.mkdtemp()
        try:
            os.makedirs(d + '/logs')
            key = d + '/audit-body.key'
            with open(key, 'w') as k:
                k.write('k' * 32)
            os.chmod(key, 0o600)
            snip = m.group(1).replace('/etc/apache2/audit-body.key', key)
            snip = snip.replace('${APACHE_LOG_DIR}', d + '/logs')
            snip = '\n'.join(l for l in snip.split('\n')
                             if not l.strip().startswith('LoadModule'))
            conf = '\n'.join([
                'ServerRoot "%s"' % d, 'ServerName localhost',
                'ErrorLog logs/error.log',
                'LoadModule mpm_event_module %s/mod_mpm_event.so' % mods,
                'LoadModule authz_core_module %s/mod_authz_core.so' % mods,
                'LoadModule authz_host_module %s/mod_authz_host.so' % mods,
                'LoadModule proxy_module %s/mod_proxy.so' % mods,
                'LoadModule proxy_http_module %s/mod_proxy_http.so' % mods,
                'LoadModule audit_body_module "%s"' % so_ab,
                'LoadModule id_proxy_module "%s"' % so_idp, snip, ''])
            with open(d + '/httpd.conf', 'w') as c:
                c.write(conf)
            r = subprocess.run([httpd, '-t', '-d', d, '-f', d + '/httpd.conf'],
                               capture_output=True, text=True)
            if r.returncode != 0:
                bad += 1
                print('%s, block %d: configtest failed\n%s\n%s'
                      % (f, i + 1, m.group(1), r.stderr))
        finally:
            shutil.rmtree(d, ignore_errors=True)
print('%d blocks, %d failing' % (n, bad))
sys.exit(1 if bad else 0)
