import { bundleEntry } from './lib/bundle';
bundleEntry(process.argv[2] ?? 'lambdas/authorizer/handler.ts', '/tmp/bd/a2.js').then(r => { console.log(r.bytes/1024); for (const p of r.byPackage.slice(0,25)) console.log(p.kb, p.name); });
