// bench/screen_peers.mjs - the node side of `make bench-screen` (bench/screen.sh):
//
//   workload     write the workload: the issue's Q1-Q8 as Magnet query lines
//                (for `magnet screen --bench`) and as SQL for SQLite and DuckDB
//   duckdb-load  load the flat table (CSV exported from the SQLite flat table)
//                into a DuckDB database file
//   duckdb-run   run the workload's DuckDB SQL: one warm-up, then 5 timed runs
//                of each query in this one process, one JSON line per query
//   report       check that the three engines gave the same answers and print
//                the Markdown table for docs/benchmarks.md
//
// DuckDB comes from npm (@duckdb/node-api), installed by bench/screen.sh into
// a local directory named by SCREEN_NODE_DIR.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const RUNS = 5;

function die(msg) {
    process.stderr.write(`screen_peers: ${msg}\n`);
    process.exit(2);
}

function args(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        if (!argv[i].startsWith('--'))
            die(`unexpected argument '${argv[i]}'`);
        out[argv[i].slice(2)] = argv[i + 1];
        i++;
    }
    return out;
}

function need(a, ...keys) {
    for (const k of keys)
        if (a[k] === undefined)
            die(`--${k} is required`);
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---- the workload ----

// Days since 1970-01-01, as the index stores founding dates.
const days = (y, m, d) => Date.UTC(y, m - 1, d) / 86400000;
const WAN = 1000000;  // 1 万元 in cents

// Tag bits (src/registry/value.h enum ent_tag) and their canonical names.
const TAGS = ['hightech', 'techsme', 'specialised', 'littlegiant', 'gazelle', 'unicorn', 'listed',
              'neeq'];

// Dialects. Text matching: SQLite's instr() > 0 (LIKE would also fold ASCII
// case and is slower; FTS5 trigram is wrong for 1-2 character patterns);
// DuckDB's contains(), its fastest substring test. Patterns are folded as
// Magnet folds them; the ones below are Chinese, which the fold leaves alone.
const dialects = {
    sqlite: { has: (col, pat) => `instr(${col}, '${pat}') > 0` },
    duckdb: { has: (col, pat) => `contains(${col}, '${pat}')` },
};

// The order Magnet gives (exec.h): the field descending, unknown values last,
// ties by USCC ascending (missing USCCs last), then by id.
const order = (col) => `ORDER BY ${col} DESC NULLS LAST, uscc ASC NULLS LAST, id ASC`;
const not = (p) => `(${p}) IS NOT TRUE`;   // the complement among all rows, NULLs included
const prefix = (col, code) => {
    const next = code.slice(0, -1) + String.fromCharCode(code.charCodeAt(code.length - 1) + 1);
    return `(${col} >= '${code}' AND ${col} < '${next}')`;
};

function queries(d, score) {
    const q2where = [
        not(prefix('region', '3301')),
        `industry IN ('6511','6512','6513','6519','6520','6531','6532','6550','6560')`,
        `capital_cny >= ${1000 * WAN}`,
        `founded_days >= ${days(2015, 1, 1)}`,
        `status = 1`,
        `patents >= 5`,
    ].join(' AND ');
    const count = (w) => ({ role: 'total', sql: `SELECT count(*) FROM ent WHERE ${w}` });
    const items = (w, by, n) => ({
        role: 'items',
        sql: `SELECT uscc, ${score} AS score FROM ent WHERE ${w} ${order(by)} LIMIT ${n}`,
    });
    const tagSums = TAGS.map((t, i) => `sum(CASE WHEN (tags & ${1 << i}) <> 0 THEN 1 ELSE 0 END)`);
    const list = [];
    const add = (id, magnet, limit, facets, stmts) => list.push({ id, group: id, magnet, limit, facets, stmts });

    let w = `${d.has('name', '智能')} AND status = 1`;
    add('Q1', 'name:智能 status:active sort:capital', 20, '', [count(w), items(w, 'capital_cny', 20)]);

    add('Q2', '-region:3301 industry:6511|6512|6513|6519|6520|6531|6532|6550|6560 capital>=1000 ' +
        'founded>=2015 status:active patents>=5', 50, '',
        [count(q2where), items(q2where, `(${score})`, 50)]);

    w = `${d.has('scope', '人工智能')} AND ${prefix('region', '33')}`;
    add('Q3', 'scope:人工智能 region:33 sort:patents', 20, '', [count(w), items(w, 'patents', 20)]);

    // Facets: the total is the sum of the province groups (unknown region included).
    add('Q4', '-region:3301 industry:6511|6512|6513|6519|6520|6531|6532|6550|6560 capital>=1000 ' +
        'founded>=2015 status:active patents>=5', 0, 'province,round,tag', [
        { role: 'facet:province', sql: `SELECT substr(region, 1, 2) AS k, count(*) FROM ent WHERE ${q2where} GROUP BY k` },
        { role: 'facet:round', sql: `SELECT round AS k, count(*) FROM ent WHERE ${q2where} GROUP BY k` },
        { role: 'facet:tag', sql: `SELECT ${tagSums.join(', ')} FROM ent WHERE ${q2where}` },
    ]);

    w = `region = '330106' AND (tags & 1) <> 0 AND staff >= 50`;
    add('Q5', 'region:330106 tag:hightech staff>=50 sort:capital', 100, '',
        [count(w), items(w, 'capital_cny', 100)]);

    add('Q6', 'name:芯', 0, '', [count(d.has('name', '芯'))]);

    w = `(${d.has('scope', '芯片')} OR ${d.has('scope', '集成电路')}) AND ${not(d.has('name', '贸易'))} ` +
        `AND capital_cny >= ${5000 * WAN}`;
    add('Q8', 'scope:芯片|集成电路 -name:贸易 capital>=5000 sort:capital', 50, '',
        [count(w), items(w, 'capital_cny', 50)]);
    return list;
}

// Q7: SQLite binds the USCC to a statement prepared once; DuckDB runs
// slower with a parameter than with the literal (measured), so it gets the
// literal.
function lookups(usccs, score, bind) {
    return usccs.map((u, i) => ({
        id: `Q7.${i + 1}`, group: 'Q7', magnet: `uscc:${u}`, limit: 1, facets: '',
        stmts: [bind ? { role: 'items', sql: `SELECT uscc, ${score} AS score FROM ent WHERE uscc = ?`, params: [u] }
                     : { role: 'items', sql: `SELECT uscc, ${score} AS score FROM ent WHERE uscc = '${u}'` }],
    }));
}

function cmdWorkload(a) {
    need(a, 'usccs', 'out-json', 'out-tsv');
    const usccs = readFileSync(a.usccs, 'utf8').split('\n').filter((s) => /^[0-9A-Z]{18}$/.test(s));
    if (usccs.length !== 100)
        die(`${a.usccs}: expected 100 USCCs, found ${usccs.length}`);
    // `magnet screen --score-sql`: {"sql": the expression over the flat
    // table's columns, "gap_nodes": [...], "today", "home", "note"}; without
    // it the peers rank by a constant and Q2's order is not compared.
    let score = '0', scoreOk = false, scoreMeta = null;
    if (a.score) {
        const j = JSON.parse(readFileSync(a.score, 'utf8'));
        if (typeof j.sql !== 'string' || !j.sql.trim())
            die(`${a.score}: no "sql"`);
        score = j.sql;
        scoreOk = true;
        scoreMeta = { today: j.today, home: j.home, gap_nodes: j.gap_nodes?.length, note: j.note };
    }
    // DuckDB: the expression is written for SQLite; min()/max() of several
    // arguments are least()/greatest() there (integer division is switched on
    // for the connection instead).
    const duckScore = score.replace(/\bmin\s*\(/gi, 'least(').replace(/\bmax\s*\(/gi, 'greatest(');
    const s = queries(dialects.sqlite, `(${score})`).concat(lookups(usccs, `(${score})`, true));
    const dd = queries(dialects.duckdb, `(${duckScore})`).concat(lookups(usccs, `(${duckScore})`, false));
    const list = s.map((q, i) => {
        const { stmts, ...rest } = q;
        return { ...rest, sqlite: stmts, duckdb: dd[i].stmts };
    });
    // Q7 after Q6, as the issue numbers them
    list.sort((x, y) => x.group.localeCompare(y.group));
    writeFileSync(a['out-json'], JSON.stringify({ score_sql: scoreOk ? score : null, score: scoreMeta,
                                                  queries: list }, null, 1));
    writeFileSync(a['out-tsv'], list.map((q) => `${q.magnet}\t${q.limit}${q.facets ? '\t' + q.facets : ''}\n`).join(''));
}

// ---- DuckDB ----

async function duckdb(dir) {
    if (!dir)
        die('SCREEN_NODE_DIR is not set (bench/screen.sh installs @duckdb/node-api there)');
    let mod;
    try {
        mod = createRequire(dir.replace(/\/?$/, '/'))('@duckdb/node-api');
    } catch (e) {
        die(`@duckdb/node-api is not installed in ${dir}: ${e.message.split('\n')[0]}`);
    }
    return mod;
}

const ENT_COLUMNS = {
    id: 'INTEGER', uscc: 'VARCHAR', region: 'VARCHAR', street: 'VARCHAR', industry: 'VARCHAR',
    status: 'INTEGER', capital_cny: 'BIGINT', founded_days: 'INTEGER', staff: 'INTEGER',
    patents: 'INTEGER', pat_invention: 'INTEGER', pat_utility: 'INTEGER', pat_design: 'INTEGER',
    software_cr: 'INTEGER', tags: 'INTEGER', round: 'VARCHAR', funding_days: 'INTEGER',
    member: 'INTEGER', gap: 'INTEGER', name: 'VARCHAR', scope: 'VARCHAR',
};
const NODE_COLUMNS = { id: 'INTEGER', track: 'VARCHAR', node: 'VARCHAR' };

async function cmdDuckLoad(a) {
    need(a, 'db', 'ent', 'nodes');
    const { DuckDBInstance } = await duckdb(process.env.SCREEN_NODE_DIR);
    const inst = await DuckDBInstance.create(a.db);
    const c = await inst.connect();
    const cols = (o) => '{' + Object.entries(o).map(([k, v]) => `'${k}': '${v}'`).join(', ') + '}';
    const csv = (file, o) => `read_csv('${file}', header = true, delim = ',', quote = '"', escape = '"', ` +
        `nullstr = '', columns = ${cols(o)})`;
    await c.run(`CREATE TABLE ent AS SELECT * FROM ${csv(a.ent, ENT_COLUMNS)}`);
    await c.run(`CREATE TABLE ent_node AS SELECT * FROM ${csv(a.nodes, NODE_COLUMNS)}`);
    // DuckDB scans with zone maps; an ART index is what it offers for point
    // lookups (Q7).
    await c.run('CREATE UNIQUE INDEX ent_uscc ON ent(uscc)');
    await c.run('CHECKPOINT');
    const r = await c.runAndReadAll('SELECT count(*) FROM ent');
    process.stdout.write(`duckdb: loaded ${r.getRows()[0][0]} enterprises into ${a.db}\n`);
    c.closeSync();
}

const plain = (v) => (typeof v === 'bigint' ? Number(v) : v === undefined ? null :
    v !== null && typeof v === 'object' ? String(v) : v);

async function cmdDuckRun(a) {
    need(a, 'db', 'workload');
    const w = JSON.parse(readFileSync(a.workload, 'utf8'));
    const { DuckDBInstance } = await duckdb(process.env.SCREEN_NODE_DIR);
    const inst = await DuckDBInstance.create(a.db, { access_mode: 'READ_ONLY' });
    const c = await inst.connect();
    await c.run('SET integer_division = true');  // as SQLite divides integers
    const out = [];
    for (const q of w.queries) {
        let results = null;
        const runs = [];
        // Prepared once, outside the timing (as for SQLite): the runs time
        // executing the statements and reading their rows.
        const prepared = [];
        for (const s of q.duckdb)
            prepared.push(await c.prepare(s.sql));
        for (let r = 0; r <= RUNS; r++) {
            const t0 = performance.now();
            const res = [];
            for (let k = 0; k < q.duckdb.length; k++) {
                const s = q.duckdb[k], ps = prepared[k];
                if (s.params)
                    ps.bind(s.params);
                const rd = await ps.runAndReadAll();
                res.push({ role: s.role, rows: rd.getRows().map((row) => row.map(plain)) });
            }
            const ms = performance.now() - t0;
            if (r > 0)
                runs.push(ms);
            results = res;
        }
        for (const ps of prepared)
            ps.destroySync();
        out.push(JSON.stringify({ id: q.id, median_ms: median(runs), runs_ms: runs, results }) + '\n');
    }
    c.closeSync();
    process.stdout.write(out.join(''));
}

// ---- report ----

function readLines(file) {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
        try {
            return JSON.parse(l);
        } catch (e) {
            die(`${file}:${i + 1}: not JSON: ${l.slice(0, 120)}`);
        }
    });
}

// A peer's answer to one query in Magnet's shape: total, items, facets.
function peerAnswer(res) {
    const a = { total: null, items: null, facets: {} };
    for (const r of res) {
        if (r.role === 'total') {
            a.total = r.rows[0][0];
        } else if (r.role === 'items') {
            a.items = r.rows.map(([uscc, score]) => ({ uscc, score }));
            if (a.total === null)
                a.total = r.rows.length;   // a lookup
        } else if (r.role === 'facet:tag') {
            const f = {};
            TAGS.forEach((t, i) => { if (r.rows[0][i]) f[t] = r.rows[0][i]; });
            a.facets.tag = f;
        } else if (r.role.startsWith('facet:')) {
            const name = r.role.slice(6), f = {};
            let sum = 0;
            for (const [k, n] of r.rows) {
                sum += n;
                if (k !== null && k !== '' && n)
                    f[k] = n;
            }
            a.facets[name] = f;
            if (name === 'province')
                a.total = sum;
        }
    }
    return a;
}

// Magnet's facets as {name: {key: count}}: accepts {name: [{key, count}]},
// [{name|facet, values: [...]}] or {name: {key: count}}.
function magnetFacets(f) {
    const out = {};
    const values = (v) => {
        const o = {};
        if (Array.isArray(v)) {
            for (const e of v)
                if (e.count)
                    o[e.key] = e.count;
        } else if (v && typeof v === 'object') {
            for (const [k, n] of Object.entries(v))
                if (n)
                    o[k] = n;
        }
        return o;
    };
    if (Array.isArray(f)) {
        for (const e of f)
            out[e.name ?? e.facet] = values(e.values);
    } else if (f && typeof f === 'object') {
        for (const [k, v] of Object.entries(f))
            out[k] = values(v);
    }
    return out;
}

function sameMap(a, b) {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

// Compare a peer's answer with Magnet's: a list of problems ([] when equal).
function diff(name, q, m, p, scoreOk) {
    const bad = [];
    if (Number(m.total) !== Number(p.total))
        bad.push(`${name} total ${p.total} vs Magnet ${m.total}`);
    if (p.items && q.limit > 0) {
        const mi = m.items || [];
        const sortedByScore = q.group === 'Q2';
        if (!sortedByScore || scoreOk) {
            const mu = mi.map((i) => i.uscc).join(','), pu = p.items.map((i) => i.uscc).join(',');
            if (mu !== pu) {
                const k = mi.findIndex((it, j) => !p.items[j] || it.uscc !== p.items[j].uscc);
                bad.push(`${name} top ${q.limit} differs at rank ${k + 1}: ${p.items[k]?.uscc ?? '-'} vs Magnet ${mi[k]?.uscc ?? '-'}`);
            }
        }
        if (scoreOk) {
            const k = mi.findIndex((it, j) => p.items[j] && Number(it.score) !== Number(p.items[j].score));
            if (k >= 0)
                bad.push(`${name} score of ${mi[k].uscc}: ${p.items[k].score} vs Magnet ${mi[k].score}`);
        }
    }
    for (const [f, pv] of Object.entries(p.facets)) {
        const mv = magnetFacets(m.facets)[f];
        if (mv !== undefined && !sameMap(mv, pv))
            bad.push(`${name} facet ${f} differs: ${JSON.stringify(pv)} vs Magnet ${JSON.stringify(mv)}`);
    }
    return bad;
}

const fmtMs = (x) => (x === null || x === undefined ? 'n/a' : x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0));
const fmtX = (x) => (x === null || !isFinite(x) ? 'n/a' : x >= 100 ? `${x.toFixed(0)}×` : `${x.toFixed(1)}×`);
const mb = (kb) => (kb ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');

function cmdReport(a) {
    need(a, 'workload', 'sqlite', 'duckdb', 'meta');
    const w = JSON.parse(readFileSync(a.workload, 'utf8'));
    const meta = JSON.parse(readFileSync(a.meta, 'utf8'));
    const scoreOk = !!w.score_sql;
    const n = Number(meta.count);
    const big = n >= 10000000;
    const sq = new Map(readLines(a.sqlite).map((r) => [r.id, r]));
    const dk = new Map(readLines(a.duckdb).map((r) => [r.id, r]));
    let mg = new Map(), mgExtra = [];
    if (a.magnet) {
        const lines = readLines(a.magnet);
        const qs = lines.filter((l) => l.q !== undefined);
        mgExtra = lines.filter((l) => l.q === undefined);
        if (qs.length !== w.queries.length)
            die(`${a.magnet}: ${qs.length} query lines for ${w.queries.length} queries`);
        w.queries.forEach((q, i) => {
            if (qs[i].q !== q.magnet)
                die(`${a.magnet}: line ${i + 1} is for '${qs[i].q}', expected '${q.magnet}'`);
            mg.set(q.id, qs[i]);
        });
    }

    // per group: median (Q7: mean of the 100 medians), and the answers checked
    const groups = [];
    const problems = [];
    for (const q of w.queries) {
        let g = groups.find((x) => x.id === q.group);
        if (!g) {
            g = { id: q.group, q, n: 0, m: 0, s: 0, d: 0, checked: [] };
            groups.push(g);
        }
        g.n++;
        const s = sq.get(q.id), d = dk.get(q.id), m = mg.get(q.id);
        if (!s || !d)
            die(`no SQLite or DuckDB result for ${q.id}`);
        g.s += s.median_ms;
        g.d += d.median_ms;
        g.m = m ? g.m + m.median_ms : null;
        const ps = peerAnswer(s.results), pd = peerAnswer(d.results);
        const bad = [];
        if (Number(ps.total) !== Number(pd.total))
            bad.push(`SQLite total ${ps.total} vs DuckDB ${pd.total}`);
        if (m) {
            bad.push(...diff('SQLite', q, m, ps, scoreOk), ...diff('DuckDB', q, m, pd, scoreOk));
            if (Object.keys(ps.facets).length && m.facets === undefined)
                g.checked.push('facets not in Magnet\'s output');
        }
        if (ps.items && pd.items && q.limit > 0 && (q.group !== 'Q2' || scoreOk) &&
            ps.items.map((i) => i.uscc).join() !== pd.items.map((i) => i.uscc).join())
            bad.push('SQLite and DuckDB top N differ');
        if (bad.length)
            problems.push(`${q.id} (${q.magnet}): ${bad.join('; ')}`);
        g.bad = (g.bad || 0) + (bad.length ? 1 : 0);
        g.total = m ? m.total : ps.total;
    }

    const rows = [];
    let allGoals = true;
    for (const g of groups) {
        const M = g.m === null ? null : g.m / g.n, S = g.s / g.n, D = g.d / g.n;
        const rs = M ? S / M : null, rd = M ? D / M : null;
        let goal, verdict;
        if (g.id === 'Q7') {
            goal = 'Magnet ≤ SQLite';
            verdict = M !== null && M <= S;
        } else {
            goal = big ? '≥100× SQLite, ≥10× DuckDB, <20 ms' : '≥100× SQLite, ≥10× DuckDB';
            verdict = M !== null && rs >= 100 && rd >= 10 && (!big || M < 20);
        }
        allGoals = allGoals && verdict;
        let answers = g.bad ? `**differ** (${g.bad})` : M === null ? 'peers equal' : 'equal';
        if (g.id === 'Q2' && !scoreOk)
            answers += ' (totals only: no score SQL)';
        if (g.checked.length)
            answers += ` (${[...new Set(g.checked)].join('; ')})`;
        const what = g.id === 'Q7' ? `\`uscc:…\` (mean of ${g.n})` :
            `\`${g.q.magnet.replaceAll('|', '\\|')}\`${g.q.facets ? ` facets ${g.q.facets}` : ''}${g.q.limit ? ` top ${g.q.limit}` : ' count'}`;
        rows.push(`| ${g.id} | ${what} | ${g.id === 'Q7' ? 1 : g.total} | ${fmtMs(M)} | ${fmtMs(S)} | ${fmtMs(D)} | ` +
            `${fmtX(rs)} | ${fmtX(rd)} | ${answers} | ${M === null ? 'n/a' : verdict ? 'pass' : 'FAIL'} |`);
    }

    const bl = mgExtra.find((l) => l.build !== undefined);
    const build = bl ? bl.total_ms : undefined;
    const L = [];
    L.push(`### ${n.toLocaleString('en-US')} enterprises (${meta.date}, ${meta.nproc} cores, ${meta.cpu}, ` +
        `${meta.ram}, load ${meta.load})`);
    L.push('');
    L.push('| | query | total | Magnet ms | SQLite ms | DuckDB ms | SQLite / Magnet | DuckDB / Magnet | answers | goal |');
    L.push('|---|---|---|---|---|---|---|---|---|---|');
    L.push(...rows);
    L.push('');
    L.push(`Medians of ${RUNS} runs after a warm-up; Q7 is the mean of 100 such medians. ` +
        `Goals (issue 5): ${big ? '≥ 100× SQLite, ≥ 10× DuckDB and < 20 ms for every query; Q7 at least as fast as SQLite\'s indexed lookup.' :
        '≥ 100× SQLite and ≥ 10× DuckDB (the < 20 ms goal is for 10M); Q7 at least as fast as SQLite\'s indexed lookup.'}`);
    L.push('');
    L.push(`| process | peak RSS |`);
    L.push('|---|---|');
    L.push(`| Magnet (\`magnet screen --bench\`: index build + all queries) | ${mb(meta.rss_magnet_kb)}${big ? (meta.rss_magnet_kb && meta.rss_magnet_kb < 4.5 * 1024 * 1024 ? ' (goal < 4.5 GB: pass)' : ' (goal < 4.5 GB: FAIL)') : ''} |`);
    L.push(`| SQLite (\`bench/screen_sqlite\`, mmap'ed file pages included) | ${mb(meta.rss_sqlite_kb)} |`);
    L.push(`| DuckDB (node, \`@duckdb/node-api\` ${meta.duckdb_version ?? ''}) | ${mb(meta.rss_duckdb_kb)} |`);
    L.push('');
    if (build !== undefined) {
        const sec = (x) => `${(x / 1000).toFixed(2)} s`;
        L.push(`Index build from the store: ${sec(build)} (reading the store ${sec(bl.read_ms)}, text index ` +
            `${sec(bl.text_ms)})${big ? (build < 30000 ? ' — goal < 30 s: pass' : ' — goal < 30 s: FAIL') : ''}.`);
        if (bl.memory && bl.docs) {
            const parts = Object.entries(bl.memory).filter(([k]) => k !== 'total')
                .map(([k, v]) => `${k} ${(v / bl.docs).toFixed(1)}`);
            L.push(`Index memory, bytes per enterprise: ${parts.join(', ')}; total ` +
                `${(bl.memory.total / bl.docs).toFixed(1)} (${(bl.memory.total / 1048576).toFixed(0)} MB).`);
        }
    }
    for (const l of mgExtra.filter((x) => x !== bl))
        L.push(`Magnet reported: \`${JSON.stringify(l)}\``);
    if (!a.magnet)
        L.push('Magnet was not run (`magnet screen --bench` missing): peers only.');
    if (!scoreOk)
        L.push('No score SQL (`magnet screen --score-sql` missing): Q2\'s top 50 by score not compared, scores not compared.');
    L.push('');
    if (problems.length) {
        L.push('Answers that differ:');
        L.push('');
        for (const p of problems)
            L.push(`- ${p}`);
        L.push('');
    }
    process.stdout.write(L.join('\n') + '\n');
    if (problems.length)
        process.exit(1);
    process.exit(allGoals ? 0 : 3);
}

const [cmd, ...rest] = process.argv.slice(2);
const a = args(rest);
switch (cmd) {
case 'workload': cmdWorkload(a); break;
case 'duckdb-load': await cmdDuckLoad(a); break;
case 'duckdb-run': await cmdDuckRun(a); break;
case 'report': cmdReport(a); break;
default: die('usage: screen_peers.mjs workload|duckdb-load|duckdb-run|report --opt value...');
}
