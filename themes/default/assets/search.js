// Tsunagari search and finder: static index files, fetched from this site only; nothing typed
// leaves the device. The normalizer and tokenizer are the twins of
// Sources/TsunagariCore/Index/SearchText.swift (Tests/search-tokens.json tests both).
(function () {
  "use strict";

  // ---- Normalization and tokens -------------------------------------------------------
  function isKana(c) { return (c >= 0x3041 && c <= 0x3096) || c === 0x309D || c === 0x309E || (c >= 0x30F7 && c <= 0x30FA); }
  function isDash(c) {
    return c === 0x2D || c === 0x7E || (c >= 0x2010 && c <= 0x2015) || c === 0x2212 || c === 0x2053 ||
      c === 0x301C || c === 0x3030 || c === 0x30FC || c === 0xFE58 || c === 0xFE63;
  }
  // The Unicode White_Space property (what Swift's isWhitespace tests).
  function isSpace(c) {
    return (c >= 0x09 && c <= 0x0D) || c === 0x20 || c === 0x85 || c === 0xA0 || c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200A) || c === 0x2028 || c === 0x2029 || c === 0x202F || c === 0x205F || c === 0x3000;
  }
  function isJapanese(c) {
    return c === 0x3005 || c === 0x3006 || c === 0x3007 || (c >= 0x3041 && c <= 0x3096) || (c >= 0x3099 && c <= 0x309F) ||
      (c >= 0x30A0 && c <= 0x30FA) || (c >= 0x30FC && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
      (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
  }
  var WORD = /^[\p{L}\p{M}\p{N}]$/u;

  function normalize(text) {
    var s = String(text).normalize("NFKC").toLowerCase();
    var out = "", prev = -1, pending = false;
    for (var ch of s) {
      var c = ch.codePointAt(0);
      if ((c >= 0x30A1 && c <= 0x30F6) || c === 0x30FD || c === 0x30FE) { c -= 0x60; ch = String.fromCodePoint(c); }
      if (isDash(c)) {
        if (prev !== -1 && (isKana(prev) || prev === 0x30FC)) {
          if (prev !== 0x30FC) { out += "\u30FC"; prev = 0x30FC; }
          continue;
        }
        c = 0x20; ch = " ";
      }
      if (isSpace(c)) { if (out) pending = true; prev = -1; continue; }
      if (pending) { out += " "; pending = false; }
      out += ch;
      prev = c;
    }
    return out;
  }

  // Runs of normalized text: {text, ja} (Japanese runs are cut into bigrams, others are words).
  function runs(normalized) {
    var list = [], cur = "", curJa = false;
    function flush() { if (cur) list.push({ text: cur, ja: curJa }); cur = ""; }
    for (var ch of normalized) {
      var c = ch.codePointAt(0);
      if (isJapanese(c)) { if (!curJa) { flush(); curJa = true; } cur += ch; }
      else if (WORD.test(ch)) { if (curJa) { flush(); curJa = false; } cur += ch; }
      else flush();
    }
    flush();
    return list;
  }

  function bigrams(run) {
    if (!run.ja) return [run.text];
    var chars = Array.from(run.text);
    if (chars.length === 1) return [run.text];
    var out = [];
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  function queryTokens(text) {
    var seen = new Set(), tokens = [];
    runs(normalize(text)).forEach(function (run) {
      bigrams(run).forEach(function (t) { if (!seen.has(t)) { seen.add(t); tokens.push(t); } });
    });
    return tokens;
  }

  // ---- The index files -------------------------------------------------------------------
  var encoder = new TextEncoder(), decoder = new TextDecoder();

  function shardKey(token) {
    var first = String.fromCodePoint(token.codePointAt(0));
    return isJapanese(first.codePointAt(0)) ? token : "w" + first;
  }
  function shardOf(token, count) {
    var bytes = encoder.encode(shardKey(token)), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h % count;
  }

  function Reader(bytes) { this.b = bytes; this.o = 0; }
  Reader.prototype.v = function () {
    var r = 0, shift = 0, b;
    do { b = this.b[this.o++]; r += (b & 0x7F) * Math.pow(2, shift); shift += 7; } while (b >= 0x80);
    return r;
  };

  // A shard: token → offset of its entry (entries are decoded when asked for).
  function parseShard(bytes) {
    var r = new Reader(bytes), map = new Map(), n = r.v();
    for (var i = 0; i < n; i++) {
      var len = r.v(), token = decoder.decode(bytes.subarray(r.o, r.o + len));
      r.o += len;
      map.set(token, r.o);
      r.v();
      var hits = r.v();
      for (var h = 0; h < hits; h++) { r.v(); r.o++; }
      var postings = r.v();
      for (var p = 0; p < postings; p++) r.v();
    }
    return { bytes: bytes, map: map };
  }

  function readEntry(shard, offset) {
    var r = new Reader(shard.bytes);
    r.o = offset;
    var df = r.v(), hitCount = r.v(), hits = [];
    for (var h = 0; h < hitCount; h++) { var g = r.v(); hits.push([g, shard.bytes[r.o++]]); }
    var count = r.v(), docs = new Int32Array(count), levels = new Uint8Array(count), doc = -1;
    for (var i = 0; i < count; i++) {
      var x = r.v();
      doc += Math.floor(x / 32) + 1;
      docs[i] = doc;
      levels[i] = x & 31;
    }
    return { df: df, hits: hits, docs: docs, levels: levels };
  }

  // A group file: each group a sorted Int32Array of document ids.
  // Region codes as the manifest writes them: separated by spaces, a municipality in the
  // prefecture of the one before it by its last four digits.
  function expandRegionCodes(text) {
    var previous = "";
    return text.split(" ").filter(function (p) { return p; }).map(function (part) {
      var code = part.length === 4 ? previous.slice(0, 2) + part : part;
      if (code.length === 6) previous = code;
      return code;
    });
  }

  function parseGroups(bytes) {
    var r = new Reader(bytes), n = r.v(), groups = [];
    for (var i = 0; i < n; i++) {
      var head = r.v(), docs = [];
      if (head % 2 === 1) {
        var len = (head - 1) / 2;
        for (var j = 0; j < len; j++) {
          var byte = bytes[r.o + j];
          for (var bit = 0; bit < 8; bit++) if (byte & (1 << bit)) docs.push(j * 8 + bit);
        }
        r.o += len;
      } else if (head % 4 === 2) {
        // Gaps: each document as its distance from the previous one, less one.
        var count = (head - 2) / 4, previous = -1;
        for (var g = 0; g < count; g++) { previous += r.v() + 1; docs.push(previous); }
      } else {
        var runs = head / 4, end = 0;
        for (var k = 0; k < runs; k++) {
          var start = end + r.v(), length = r.v() + 1;
          for (var d = start; d < start + length; d++) docs.push(d);
          end = start + length;
        }
      }
      groups.push(Int32Array.from(docs));
    }
    return groups;
  }

  var CRISIS_BOOST = 1.5, OTHER_KINDS = 0.3;
  var WEIGHT = [];
  for (var l = 0; l < 32; l++) WEIGHT.push(Math.pow(2, l / 4));

  function Index(manifestURL) {
    this.url = new URL(manifestURL, window.location.href);
    this.cache = new Map();
  }

  Index.prototype.fetch = function (path, kind) {
    var self = this;
    if (!this.cache.has(path)) {
      var url = new URL(path, this.url);
      this.cache.set(path, fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("search index: " + response.status + " " + url.pathname);
        return kind === "json" ? response.json() : response.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      }).catch(function (error) { self.cache.delete(path); throw error; }));
    }
    return this.cache.get(path);
  };

  Index.prototype.load = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.fetch(this.url.href, "json").then(function (m) {
        m.r = expandRegionCodes(m.r);
        self.m = m;
        self.n = m.n;
        self.windows = m.k[0];
        self.offsets = { c: 0, s: m.c.length, r: m.c.length + m.s.length, a: m.c.length + m.s.length + m.r.length };
        self.regionIndex = new Map(m.r.map(function (code, i) { return [code, i]; }));
        self.scores = new Float64Array(m.n);
        self.cover = new Float64Array(m.n);
        self.best = new Float64Array(m.n);
        return self;
      });
    }
    return this.ready;
  };

  Index.prototype.shard = function (i) {
    var key = "t" + i;
    if (!this.cache.has(key)) this.cache.set(key, this.fetch(this.m.d + "t/" + i + ".bin").then(parseShard));
    return this.cache.get(key);
  };

  Index.prototype.groups = function (kind) {
    var key = "g" + kind;
    if (!this.cache.has(key)) this.cache.set(key, this.fetch(this.m.d + kind + ".bin").then(parseGroups));
    return this.cache.get(key);
  };

  Index.prototype.allGroups = function (kinds) {
    var self = this;
    return Promise.all(kinds.map(function (k) { return self.groups(k); })).then(function (lists) {
      var out = {};
      kinds.forEach(function (k, i) { out[k] = lists[i]; });
      return out;
    });
  };

  // The global group id → its document list.
  Index.prototype.group = function (g, groups) {
    var o = this.offsets;
    if (g >= o.a) return groups.a[g - o.a];
    if (g >= o.r) return groups.r[g - o.r];
    if (g >= o.s) return groups.s[g - o.s];
    return groups.c[g];
  };

  Index.prototype.docs = function (ids) {
    var self = this, size = this.m.m, chunks = [];
    ids.forEach(function (d) { var c = Math.floor(d / size); if (chunks.indexOf(c) < 0) chunks.push(c); });
    return Promise.all(chunks.map(function (c) { return self.fetch(self.m.d + "m/" + c + ".json", "json"); })).then(function (lists) {
      var byChunk = new Map();
      chunks.forEach(function (c, i) { byChunk.set(c, lists[i]); });
      return ids.map(function (d) { return self.describe(d, byChunk.get(Math.floor(d / size))[d % size]); });
    });
  };

  Index.prototype.describe = function (d, row) {
    var m = this.m;
    return {
      id: d, kind: row[0], url: m.p + m.u[row[0]] + encodeURIComponent(row[1]) + "/", name: row[2], summary: row[3],
      categories: row[4].map(function (i) { return m.c[i]; }), stages: row[5].map(function (i) { return m.s[i]; }),
      regions: row[6].map(function (i) { return m.r[i]; }),
      crisis: (row[7] & 1) !== 0, always: (row[7] & 2) !== 0, sample: (row[7] & 4) !== 0, ended: (row[7] & 8) !== 0,
      channels: m.ch.filter(function (_, i) { return (row[8] & (1 << i)) !== 0; }),
      number: row[9] || null, tel: row[10] ? "tel:" + row[10].replace("#", "%23") : null
    };
  };

  // Codes whose windows a resident of `code` can use: national, the prefecture, the place.
  function containing(code) {
    if (!code) return [];
    if (code === "national") return ["national"];
    if (/^\d{6}$/.test(code)) return ["national", code.slice(0, 2), code];
    return ["national", code];
  }

  Index.prototype.regionDocs = function (code, groups) {
    var self = this, lists = [];
    containing(code).forEach(function (c) {
      var i = self.regionIndex.get(c);
      if (i !== undefined) lists.push(groups.r[i]);
    });
    return lists;
  };

  // Documents serving more than one region: [doc, [region group indices]] (computed once).
  Index.prototype.multiRegion = function (groups) {
    if (!this.multi) {
      var seen = new Map();
      groups.r.forEach(function (list, g) {
        for (var i = 0; i < list.length; i++) { var d = list[i]; var a = seen.get(d); if (a) a.push(g); else seen.set(d, [g]); }
      });
      this.multi = [];
      var self = this;
      seen.forEach(function (gs, d) { if (gs.length > 1) self.multi.push([d, gs]); });
    }
    return this.multi;
  };

  function flags(n, lists) {
    var f = new Uint8Array(n);
    lists.forEach(function (list) { for (var i = 0; i < list.length; i++) f[list[i]] = 1; });
    return f;
  }

  // The search: {query, category, stage, region} → ranked ids and filter counts.
  Index.prototype.search = function (params) {
    var self = this;
    return this.load().then(function () {
      var text = params.query || "";
      var tokens = queryTokens(text);
      var normalized = normalize(text);
      var parts = runs(normalized);
      // Prefix matching on the last token while typing (a word not yet followed by a space).
      var prefix = null;
      if (parts.length && !parts[parts.length - 1].ja && !/\s$/.test(text)) prefix = parts[parts.length - 1].text;
      var shardIds = [];
      tokens.forEach(function (t) { var s = shardOf(t, self.m.t); if (shardIds.indexOf(s) < 0) shardIds.push(s); });
      var need = ["c", "s", "r"];
      return Promise.all([Promise.all(shardIds.map(function (s) { return self.shard(s); })), self.allGroups(need)]).then(function (loaded) {
        var shards = new Map();
        shardIds.forEach(function (s, i) { shards.set(s, loaded[0][i]); });
        var found = tokens.map(function (t) {
          var shard = shards.get(shardOf(t, self.m.t)), entries = [];
          if (t === prefix) {
            shard.map.forEach(function (offset, key) { if (key.lastIndexOf(t, 0) === 0) entries.push(readEntry(shard, offset)); });
          } else if (shard.map.has(t)) {
            entries.push(readEntry(shard, shard.map.get(t)));
          }
          return entries;
        });
        var usesAttributes = found.some(function (es) {
          return es.some(function (e) { return e.hits.some(function (h) { return h[0] >= self.offsets.a; }); });
        });
        var groupsReady = usesAttributes ? self.allGroups(["c", "s", "r", "a"]) : Promise.resolve(loaded[1]);
        return groupsReady.then(function (groups) { return self.rank(text, found, groups, params); });
      });
    });
  };

  Index.prototype.rank = function (text, found, groups, params) {
    var n = this.n, scores = this.scores, cover = this.cover, best = this.best, self = this;
    scores.fill(0); cover.fill(0);
    var touched = [], seen = new Uint8Array(n), total = 0, any = false;
    found.forEach(function (entries) {
      if (!entries.length) return;
      any = true;
      var df = 0;
      entries.forEach(function (e) { df = Math.max(df, e.df); });
      var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      total += idf;
      var mine = [];
      function add(d, w) {
        if (best[d] === 0) mine.push(d);
        if (w > best[d]) best[d] = w;
      }
      entries.forEach(function (e) {
        for (var i = 0; i < e.docs.length; i++) add(e.docs[i], WEIGHT[e.levels[i]]);
      });
      // A group hit adds to a document already found through its text (categories field).
      var hitScore = new Map();
      entries.forEach(function (e) {
        e.hits.forEach(function (h) {
          var list = self.group(h[0], groups), w = WEIGHT[h[1]];
          for (var i = 0; i < list.length; i++) {
            var d = list[i];
            hitScore.set(d, Math.max(hitScore.get(d) || 0, w));
          }
        });
      });
      hitScore.forEach(function (w, d) { if (best[d] === 0) mine.push(d); best[d] += w; });
      mine.forEach(function (d) {
        scores[d] += best[d];
        cover[d] += idf;
        best[d] = 0;
        if (!seen[d]) { seen[d] = 1; touched.push(d); }
      });
    });
    // Crisis lines (the first ids) rank higher: a resident in distress sees them first.
    for (var c = 0; c < this.m.x; c++) scores[c] *= CRISIS_BOOST;
    // Other entries (member groups, case studies, reports, pages) count for less than windows.
    for (var o = this.windows; o < n; o++) scores[o] *= OTHER_KINDS;
    var matched;
    if (any) {
      // A document must hold at least half the weight (idf) of what was asked.
      var need = total * 0.5 - 1e-9;
      matched = touched.filter(function (d) { return cover[d] >= need; });
    } else if (!text.trim() && (params.category || params.stage || params.region)) {
      matched = [];
      for (var d = 0; d < this.windows; d++) matched.push(d);
    } else {
      matched = [];
    }
    return this.facet(matched, groups, params, scores);
  };

  Index.prototype.facet = function (matched, groups, params, scores) {
    var n = this.n, m = this.m, self = this;
    var all = new Uint8Array(n).fill(1);
    var ci = params.category ? m.c.indexOf(params.category) : -1;
    var si = params.stage ? m.s.indexOf(params.stage) : -1;
    var passC = params.category ? (ci >= 0 ? flags(n, [groups.c[ci]]) : new Uint8Array(n)) : all;
    var passS = params.stage ? (si >= 0 ? flags(n, [groups.s[si]]) : new Uint8Array(n)) : all;
    var passR = params.region ? flags(n, this.regionDocs(params.region, groups)) : all;
    var base = new Uint8Array(n);
    matched.forEach(function (d) { base[d] = 1; });
    function count(list, a, b) {
      var c = 0;
      for (var i = 0; i < list.length; i++) { var d = list[i]; if (base[d] && a[d] && b[d]) c++; }
      return c;
    }
    var counts = { category: {}, stage: {}, region: {}, all: 0 };
    m.c.forEach(function (slug, i) { counts.category[slug] = count(groups.c[i], passS, passR); });
    m.s.forEach(function (slug, i) { counts.stage[slug] = count(groups.s[i], passC, passR); });
    // Region options: the sum over the codes a resident there can use, less the documents
    // counted twice because they serve two of those codes.
    var perRegion = groups.r.map(function (list) { return count(list, passC, passS); });
    var multi = this.multiRegion(groups).filter(function (x) { return base[x[0]] && passC[x[0]] && passS[x[0]]; });
    (params.regionOptions || []).forEach(function (code) {
      var chain = [];
      containing(code).forEach(function (c) { var i = self.regionIndex.get(c); if (i !== undefined) chain.push(i); });
      var sum = 0;
      chain.forEach(function (i) { sum += perRegion[i]; });
      multi.forEach(function (x) {
        var k = 0;
        x[1].forEach(function (g) { if (chain.indexOf(g) >= 0) k++; });
        if (k > 1) sum -= k - 1;
      });
      counts.region[code] = sum;
    });
    var results = matched.filter(function (d) { return passC[d] && passS[d] && passR[d]; });
    counts.all = results.length;
    counts.anyCategory = matched.filter(function (d) { return passS[d] && passR[d]; }).length;
    counts.anyStage = matched.filter(function (d) { return passC[d] && passR[d]; }).length;
    counts.anyRegion = matched.filter(function (d) { return passC[d] && passS[d]; }).length;
    var windows = this.windows;
    results.sort(function (a, b) {
      if (scores[a] !== scores[b]) return scores[b] - scores[a];
      var wa = a < windows ? 0 : 1, wb = b < windows ? 0 : 1;
      return wa - wb || a - b;
    });
    return { ids: results, counts: counts };
  };

  // The finder: windows in the worry's category, for the stage (or for anyone), available in
  // the region, reachable the chosen ways; crisis lines first.
  var VIA = { "電話": ["電話"], "チャット": ["チャット", "SNS"], "SNS": ["SNS", "チャット"], "メール": ["メール", "Web"], "対面": ["対面"], "Web": ["Web"] };
  Index.prototype.find = function (answers) {
    var self = this;
    return this.load().then(function () { return self.allGroups(["c", "s", "r", "a"]); }).then(function (groups) {
      var m = self.m, n = self.n;
      function pick(useStage, useVia) {
        var ok = new Uint8Array(n);
        for (var d = 0; d < self.windows; d++) ok[d] = 1;
        function keep(lists) { var f = flags(n, lists); for (var d = 0; d < n; d++) ok[d] &= f[d]; }
        if (answers.worry) { var c = m.c.indexOf(answers.worry); keep(c >= 0 ? [groups.c[c]] : []); }
        var exact = null;
        if (useStage && answers.stage) {
          var s = m.s.indexOf(answers.stage), e = m.s.indexOf(m.ev);
          exact = flags(n, s >= 0 ? [groups.s[s]] : []);
          var anyStage = flags(n, groups.s), lists = [];
          if (s >= 0) lists.push(groups.s[s]);
          if (e >= 0) lists.push(groups.s[e]);
          var fits = flags(n, lists);
          for (var d2 = 0; d2 < n; d2++) ok[d2] &= (fits[d2] || !anyStage[d2]) ? 1 : 0;
        }
        if (answers.region) keep(self.regionDocs(answers.region, groups));
        if (useVia && answers.via.length) {
          var vias = [];
          answers.via.forEach(function (v) { (VIA[v] || [v]).forEach(function (k) { var i = m.a.indexOf(k); if (i >= 0) vias.push(groups.a[i]); }); });
          keep(vias);
        }
        var crisis = flags(n, [groups.a[m.a.indexOf("crisis")] || []]);
        var ids = [];
        for (var d3 = 0; d3 < self.windows; d3++) if (ok[d3]) ids.push(d3);
        ids.sort(function (a, b) {
          return (crisis[b] - crisis[a]) || (exact ? exact[b] - exact[a] : 0) || a - b;
        });
        return ids;
      }
      var ids = pick(true, true), relaxed = false;
      if (!ids.length && answers.via.length) { ids = pick(true, false); relaxed = true; }
      if (!ids.length && answers.stage) { ids = pick(false, false); relaxed = true; }
      return { ids: ids, relaxed: relaxed };
    });
  };

  // ---- Result markup ---------------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  var KIND = ["相談窓口", "会員団体", "事例", "シンポジウム報告", "ページ"];

  function labels(select) {
    var map = new Map();
    if (!select) return map;
    Array.prototype.forEach.call(select.options, function (o) {
      if (o.value) map.set(o.value, (o.getAttribute("data-label") || o.textContent).trim());
    });
    return map;
  }

  function renderResult(doc, names) {
    var item = el("article", "result" + (doc.crisis ? " card-crisis" : ""));
    item.setAttribute("data-doc", String(doc.id));
    var title = el("h2", "result-title");
    var link = el("a", null, doc.name);
    link.href = doc.url;
    title.appendChild(link);
    item.appendChild(title);
    var badges = el("p", "badges");
    if (doc.kind !== 0) badges.appendChild(el("span", "badge", KIND[doc.kind]));
    if (doc.crisis) badges.appendChild(el("span", "badge badge-crisis", "命に関わる相談"));
    if (doc.always) badges.appendChild(el("span", "badge badge-24h", "24時間"));
    if (doc.sample) badges.appendChild(el("span", "badge badge-sample", "サンプル（実在しない窓口）"));
    if (doc.ended) badges.appendChild(el("span", "badge badge-ended", "受付期間外"));
    if (badges.childNodes.length) item.appendChild(badges);
    if (doc.summary) item.appendChild(el("p", "card-summary", doc.summary));
    if (doc.tel) {
      var line = el("p", "tel-line"), tel = el("a", "tel", "電話 " + doc.number);
      tel.href = doc.tel;
      line.appendChild(tel);
      item.appendChild(line);
    }
    var meta = [];
    doc.categories.forEach(function (c) { meta.push(names.category.get(c) || c); });
    doc.regions.forEach(function (r) { meta.push(names.region.get(r) || (r === "national" ? "全国" : r)); });
    if (meta.length) {
      var p = el("p", "card-meta");
      meta.forEach(function (t, i) { p.appendChild(el("span", i < doc.categories.length ? "tag" : "tag tag-region", t)); p.appendChild(document.createTextNode(" ")); });
      item.appendChild(p);
    }
    return item;
  }

  window.Tsunagari = window.Tsunagari || {};
  window.Tsunagari.normalize = normalize;
  window.Tsunagari.queryTokens = queryTokens;

  // ---- The search page -------------------------------------------------------------------
  function setupSearch(form) {
    var index = new Index(form.getAttribute("data-search-index"));
    window.Tsunagari.index = index;
    var input = form.querySelector("[data-search-input]");
    var selects = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-filter]"), function (s) {
      selects[s.getAttribute("data-filter")] = s;
      Array.prototype.forEach.call(s.options, function (o) { o.setAttribute("data-label", o.textContent); });
    });
    var names = { category: labels(selects.category), region: labels(selects.region) };
    names.region.set("national", "全国");
    var regionOptions = selects.region ? Array.prototype.map.call(selects.region.options, function (o) { return o.value; }).filter(Boolean) : [];
    var results = document.querySelector("[data-search-results]");
    var status = document.querySelector("[data-search-status]");
    var more = document.querySelector("[data-search-more]");
    var seq = 0, shown = 0, current = null;
    var PAGE = 10;

    function params() {
      return {
        query: input.value,
        category: selects.category ? selects.category.value : "",
        stage: selects.stage ? selects.stage.value : "",
        region: selects.region ? selects.region.value : "",
        regionOptions: regionOptions
      };
    }

    function writeURL(p) {
      var q = new URLSearchParams();
      if (p.query.trim()) q.set("q", p.query.trim());
      ["category", "stage", "region"].forEach(function (k) { if (p[k]) q.set(k, p[k]); });
      var s = q.toString();
      history.replaceState(null, "", window.location.pathname + (s ? "?" + s : ""));
    }

    function showCounts(counts) {
      function label(select, key, all) {
        if (!select) return;
        Array.prototype.forEach.call(select.options, function (o) {
          var base = o.getAttribute("data-label");
          var c = o.value ? counts[key][o.value] : all;
          var text = c === undefined ? base : base + "（" + c + "）";
          if (o.textContent !== text) o.textContent = text;
        });
      }
      label(selects.category, "category", counts.anyCategory);
      label(selects.stage, "stage", counts.anyStage);
      label(selects.region, "region", counts.anyRegion);
    }

    function showMore() {
      var mine = seq, ids = current.ids.slice(shown, shown + PAGE);
      return index.docs(ids).then(function (docs) {
        if (mine !== seq) return;
        docs.forEach(function (doc) { results.appendChild(renderResult(doc, names)); });
        shown += docs.length;
        if (more) more.hidden = shown >= current.ids.length;
      });
    }

    function run() {
      var p = params(), mine = ++seq;
      writeURL(p);
      if (!p.query.trim() && !p.category && !p.stage && !p.region) {
        results.textContent = "";
        status.textContent = "";
        if (more) more.hidden = true;
        showCounts({ category: {}, stage: {}, region: {} });
        return Promise.resolve();
      }
      return index.search(p).then(function (found) {
        if (mine !== seq) return;
        current = found;
        shown = 0;
        var ids = found.ids.slice(0, PAGE);
        return index.docs(ids).then(function (docs) {
          if (mine !== seq) return;
          results.textContent = "";
          docs.forEach(function (doc) { results.appendChild(renderResult(doc, names)); });
          shown = docs.length;
          if (more) more.hidden = shown >= found.ids.length;
          showCounts(found.counts);
          status.textContent = found.ids.length ? found.ids.length + "件見つかりました。" : "見つかりませんでした。ことばを変えるか、絞り込みを外してください。";
          results.setAttribute("data-query", p.query);
        });
      }).catch(function () {
        if (mine !== seq) return;
        status.textContent = "検索の準備ができませんでした。下のページからも探せます。";
      });
    }

    // Query and filters from the URL, so a search can be shared and opened directly.
    var url = new URLSearchParams(window.location.search);
    input.value = url.get("q") || "";
    ["category", "stage", "region"].forEach(function (k) {
      var v = url.get(k);
      if (selects[k] && v && Array.prototype.some.call(selects[k].options, function (o) { return o.value === v; })) selects[k].value = v;
    });
    input.addEventListener("input", run);
    Object.keys(selects).forEach(function (k) { selects[k].addEventListener("change", run); });
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    if (more) more.addEventListener("click", function () { showMore(); });
    window.Tsunagari.search = function (query, filters) {
      var p = Object.assign({ query: query, category: "", stage: "", region: "", regionOptions: regionOptions }, filters || {});
      return index.search(p);
    };
    window.Tsunagari.ready = run();
  }

  // ---- The finder ------------------------------------------------------------------------
  function setupFinder(form) {
    var index = new Index(form.getAttribute("data-search-index"));
    window.Tsunagari.index = index;
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    var progress = form.querySelector("[data-finder-progress]");
    var out = document.querySelector("[data-finder-results]");
    var regionSelect = form.querySelector("select[name=region]");
    var names = { category: new Map(), region: labels(regionSelect) };
    names.region.set("national", "全国");
    Array.prototype.forEach.call(form.querySelectorAll("input[name=worry]"), function (i) { names.category.set(i.value, i.parentNode.textContent.trim()); });

    function show(step, focus) {
      steps.forEach(function (s, i) { s.hidden = i !== step; });
      if (progress) progress.textContent = "質問 " + (step + 1) + " / " + steps.length;
      if (focus) {
        var first = steps[step].querySelector("input:checked, input, select");
        if (first) first.focus();
      }
    }
    function review() {
      steps.forEach(function (s) { s.hidden = false; });
      Array.prototype.forEach.call(form.querySelectorAll("[data-next], [data-back]"), function (b) { b.hidden = true; });
      if (progress) progress.textContent = "";
    }
    steps.forEach(function (s, i) {
      var next = s.querySelector("[data-next]"), back = s.querySelector("[data-back]");
      if (next) next.addEventListener("click", function () { show(i + 1, true); });
      if (back) back.addEventListener("click", function () { show(i - 1, true); });
    });

    function answers() {
      var data = new FormData(form);
      return { worry: data.get("worry") || "", stage: data.get("stage") || "", region: data.get("region") || "", via: data.getAll("via") };
    }
    function fill(a) {
      Array.prototype.forEach.call(form.elements, function (e) {
        if (e.type === "radio") e.checked = a[e.name] === e.value;
        else if (e.type === "checkbox") e.checked = a.via.indexOf(e.value) >= 0;
      });
      if (regionSelect) regionSelect.value = a.region;
    }
    function toURL(a) {
      var q = new URLSearchParams();
      if (a.worry) q.set("worry", a.worry);
      if (a.stage) q.set("stage", a.stage);
      if (a.region) q.set("region", a.region);
      a.via.forEach(function (v) { q.append("via", v); });
      var s = q.toString();
      return window.location.pathname + (s ? "?" + s : "");
    }

    function render(a, moveFocus) {
      return index.find(a).then(function (found) {
        var ids = found.ids.slice(0, 50);
        return index.docs(ids).then(function (docs) {
          out.textContent = "";
          var heading = el("h2", "finder-heading", docs.length ? "あなたに合った相談窓口（" + found.ids.length + "件）" : "条件に合う窓口が見つかりませんでした");
          heading.id = "finder-heading";
          heading.tabIndex = -1;
          out.appendChild(heading);
          var chosen = [];
          if (a.worry) chosen.push(names.category.get(a.worry) || a.worry);
          if (a.region) chosen.push(names.region.get(a.region) || a.region);
          if (a.via.length) chosen.push(a.via.join("・"));
          if (chosen.length) out.appendChild(el("p", "finder-answers", "答え：" + chosen.join("／")));
          if (found.relaxed) out.appendChild(el("p", "notice", "すべての条件に合う窓口がなかったため、条件をゆるめて表示しています。"));
          out.appendChild(el("p", "finder-note", "命に関わる相談を受ける窓口を先に表示しています。"));
          var list = el("div", "finder-list");
          docs.forEach(function (doc) { list.appendChild(renderResult(doc, names)); });
          out.appendChild(list);
          if (found.ids.length > ids.length) out.appendChild(el("p", "finder-more", "ほかに" + (found.ids.length - ids.length) + "件あります。地域や相談の方法を選ぶと、絞り込めます。"));
          var again = el("button", "finder-again", "最初から答え直す");
          again.type = "button";
          again.addEventListener("click", function () { fill({ worry: "", stage: "", region: "", via: [] }); out.textContent = ""; history.pushState(null, "", window.location.pathname); Array.prototype.forEach.call(form.querySelectorAll("[data-next], [data-back]"), function (b) { b.hidden = false; }); show(0, true); });
          out.appendChild(again);
          if (moveFocus) heading.focus();
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = answers();
      history.pushState(null, "", toURL(a));
      review();
      window.Tsunagari.ready = render(a, true);
    });
    function fromURL() {
      var q = new URLSearchParams(window.location.search);
      var a = { worry: q.get("worry") || "", stage: q.get("stage") || "", region: q.get("region") || "", via: q.getAll("via") };
      fill(a);
      if (a.worry || a.stage || a.region || a.via.length) { review(); return render(a, false); }
      out.textContent = "";
      show(0, false);
      return Promise.resolve();
    }
    window.addEventListener("popstate", fromURL);
    window.Tsunagari.ready = fromURL();
  }

  var searchForm = document.querySelector("[data-search-form][data-search-index]");
  if (searchForm) setupSearch(searchForm);
  var finderForm = document.querySelector("[data-finder][data-search-index]");
  if (finderForm) setupFinder(finderForm);
})();
