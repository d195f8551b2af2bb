/* 执法助手 web page: officer view (/) and reviewer view (/review).
 *
 * Plain script, no build step, no external resource. Security rule of the project (issue 6): user text
 * and API text are NEVER parsed as HTML. Every node is built with createElement + textContent (see el());
 * the server also sends a CSP with Trusted Types, so an innerHTML assignment would throw.
 *
 * The page codes against the API contracts: the analysis part reads only the fields of the /v1/analyze response
 * model (api/schemas_analyze.py), and renders whichever optional parts an answer has.
 */
'use strict';

(() => {
  const KEY_STORE = 'eh.apiKey';

  // ------------------------------------------------------------------ DOM helpers (text only)
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  /** Element with attributes and children; strings become text nodes, never markup. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (/^on/i.test(k)) throw new Error('event-handler attributes are not allowed: ' + k);
      if (k === 'href' && !/^[#/]/.test(String(v))) throw new Error('only local links are allowed');
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = String(v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false || c === '') continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  const asList = (v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const first = (...vals) => vals.find((v) => v !== undefined && v !== null && v !== '');
  const pad = (n) => String(n).padStart(2, '0');

  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  /** A value of unknown shape as a short readable string. */
  function describe(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return v.map(describe).filter(Boolean).join('；');
    const pick = first(v.message, v.text, v.label, v.normalized, v.citation, v.title, v.description);
    return pick !== undefined ? describe(pick) : JSON.stringify(v);
  }

  function fmtYuan(n) {
    if (n === null || n === undefined || n === '' || Number.isNaN(Number(n))) return '—';
    return `${Number(n).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 元`;
  }

  function rangeText(min, max) {
    const lo = min === null || min === undefined ? null : Number(min);
    const hi = max === null || max === undefined ? null : Number(max);
    if (lo !== null && hi !== null) return `${fmtYuan(lo)} 至 ${fmtYuan(hi)}`;
    if (hi !== null) return `${fmtYuan(hi)}以下`;
    if (lo !== null) return `${fmtYuan(lo)}以上`;
    return null;
  }

  function setBusy(button, busy, busyText) {
    if (!button) return;
    if (busy) {
      button.dataset.label = button.textContent;
      button.textContent = busyText;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    } else {
      button.textContent = button.dataset.label || button.textContent;
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  function notice(kind, ...children) {
    return el('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null }, ...children);
  }

  // ------------------------------------------------------------------ API access
  class ApiError extends Error {
    constructor(status, code, message, field, details, requestId) {
      super(message);
      Object.assign(this, { status, code, field, details, requestId });
    }
  }

  const ERROR_HINTS = {
    not_found: '服务端尚未提供该功能（接口不存在）。其他功能仍可使用；请联系管理员或稍后再试。',
    method_not_allowed: '服务端不支持此操作。',
    api_key_required: '此操作需要 API 密钥：请在页面右上角填写并保存后重试。',
    invalid_api_key: 'API 密钥无效或已被吊销，请核对右上角填写的密钥。',
    forbidden: '当前密钥的角色无权执行此操作。',
    input_too_large: '输入内容过长，请删减后重试。',
    payload_too_large: '提交的内容过大，请删减后重试。',
    bad_date: '日期无效，格式应为“年-月-日”。',
    empty_input: '请先填写内容。',
    invalid_request: '提交的内容不符合接口要求。',
    invalid_case: '案件数据不符合要求。',
    missing_fields: '文书缺少法定必备事项（见下）。可补全后重试，或勾选“草稿模式”生成带醒目空白的草稿。',
    citation_not_verified: '文书中的法律引用未能通过核验，请先修正引用。',
    unknown_kind: '不支持的文书种类或格式。',
    not_applicable: '该案件不适用此种文书。',
    store_missing: '法规库尚未建立：请管理员运行 enforcement-helper build。',
    index_missing: '检索索引尚未建立：请管理员运行 enforcement-helper build。',
    not_ready: '服务正在加载，请稍候重试。',
    rate_limited: '请求过于频繁，请稍后再试。',
    internal_error: '服务内部错误，已记入日志；请将下方请求编号提供给管理员。',
    network_error: '无法连接到服务，请检查服务是否在运行。',
    bad_response: '服务返回了无法识别的内容。',
  };

  function apiKey() {
    try { return sessionStorage.getItem(KEY_STORE) || ''; } catch (e) { return ''; }
  }

  /** POST JSON; resolve with the parsed answer (or the Response when raw); reject with ApiError. */
  async function api(path, body, { raw = false } = {}) {
    const headers = { 'Content-Type': 'application/json', Accept: raw ? '*/*' : 'application/json' };
    const key = apiKey();
    if (key) headers['X-API-Key'] = key;
    let resp;
    try {
      resp = await window.fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
    } catch (e) {
      throw new ApiError(0, 'network_error', String((e && e.message) || e), null, null, null);
    }
    const rid = resp.headers.get('X-Request-ID');
    if (!resp.ok) {
      let payload = null;
      const textBody = await resp.text().catch(() => '');
      try { payload = JSON.parse(textBody); } catch (e) { payload = null; }
      const err = payload && isObj(payload.error) ? payload.error : null;
      if (err) {
        throw new ApiError(resp.status, err.code || 'http_error', describe(err.message) || resp.statusText, err.field || null,
          first(err.details, payload.details) || null, rid);
      }
      const detail = payload && payload.detail !== undefined ? describe(payload.detail) : textBody.slice(0, 300);
      throw new ApiError(resp.status, 'http_error', detail || resp.statusText || `HTTP ${resp.status}`, null, null, rid);
    }
    if (raw) return resp;
    try {
      return await resp.json();
    } catch (e) {
      throw new ApiError(resp.status, 'bad_response', '响应不是有效的 JSON', null, null, rid);
    }
  }

  /** A readable error box for any failure (API error body, network, or a bug in this page). */
  function errorBox(err, what) {
    const e = err instanceof ApiError ? err : new ApiError(0, 'client_error', String((err && err.message) || err), null, null, null);
    const title = `${what}未成功` + (e.status ? `（HTTP ${e.status}）` : '');
    const rows = [
      ['错误代码', e.code],
      ['说明', e.message],
      ['相关字段', e.field],
      ['请求编号', e.requestId],
    ].filter(([, v]) => v);
    const details = [];
    for (const d of asList(isObj(e.details) ? first(e.details.fields, e.details.errors, e.details.citations) : e.details)) {
      if (isObj(d)) {
        const label = first(d.label, d.field, d.path, d.loc, d.citation, d.raw);
        const msg = first(d.message, d.msg, d.path !== label ? d.path : undefined, d.status);
        details.push(label && msg ? `${label}（${describe(msg)}）` : describe(label || msg || d));
      } else if (d !== null && d !== undefined) {
        details.push(describe(d));
      }
    }
    return notice('error',
      el('p', { class: 'notice-title', text: title }),
      ERROR_HINTS[e.code] ? el('p', { text: ERROR_HINTS[e.code] }) : null,
      el('dl', { class: 'kv' }, rows.map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
      details.length ? el('ul', { class: 'error-details' }, details.slice(0, 30).map((t) => el('li', { text: t }))) : null);
  }

  // ------------------------------------------------------------------ highlighting by span
  /**
   * Text with some spans wrapped. Spans are [start, end) in Unicode code points (Python string indices),
   * so the text is split into code points, not UTF-16 units. Overlaps are clipped, never nested.
   */
  function highlight(text, spans) {
    const cps = Array.from(text);
    const frag = document.createDocumentFragment();
    const ok = spans
      .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start)
      .sort((a, b) => a.start - b.start || b.end - a.end);
    let pos = 0;
    for (const s of ok) {
      const start = Math.max(s.start, pos);
      const end = Math.min(s.end, cps.length);
      if (end <= start) continue;
      if (start > pos) frag.append(cps.slice(pos, start).join(''));
      frag.append(s.make(cps.slice(start, end).join('')));
      pos = end;
    }
    if (pos < cps.length) frag.append(cps.slice(pos).join(''));
    return frag;
  }

  /** [start, end) of ``raw`` in ``text`` (code points): the API span if it matches, else a search. */
  function locate(text, span, raw, from) {
    const cps = Array.from(text);
    if (Array.isArray(span) && span.length === 2 && Number.isInteger(span[0]) && Number.isInteger(span[1])) {
      if (!raw || cps.slice(span[0], span[1]).join('') === raw) return { start: span[0], end: span[1] };
    }
    if (!raw) return null;
    const idx = text.indexOf(raw, from || 0);
    if (idx < 0) return null;
    const start = Array.from(text.slice(0, idx)).length;
    return { start, end: start + Array.from(raw).length };
  }

  // ------------------------------------------------------------------ citations (shared)
  const STATUS_LABELS = {
    // Only that the cited text exists and is in force that day: whether it applies to the case is a separate badge.
    verified: '条文存在且当日有效',
    not_in_force: '当日不在施行期内',
    law_not_found: '法律法规未找到',
    article_not_found: '条不存在',
    paragraph_not_found: '款不存在',
    item_not_found: '项不存在',
    ambiguous: '引用有歧义',
  };
  const REASON_LABELS = {
    repealed: '已废止',
    not_yet_effective: '尚未施行',
    version_not_in_store: '该日期适用的版本不在法规库中',
    superseded: '已被新版本取代',
    text_not_in_store: '法规库中无该条原文',
    ambiguous_law_name: '法规名称有歧义',
    item_paragraph_ambiguous: '未写明款，所引的项有歧义',
    relative_without_context: '“本法”等相对引用缺少上下文',
    no_such_paragraph: '该条没有所引的款',
    no_such_item: '该款没有所引的项',
    no_such_article: '该法没有所引的条',
    no_such_subitem: '该项没有所引的目',
    no_items: '该条未分项',
    unknown_title: '法规库中没有该名称的法律法规',
    no_law_named: '“本法”等指代缺少所指法规',
    repealed_date_unknown: '已废止（日期不详）',
  };
  const statusClass = (s) => (s === 'verified' ? 's-verified' : s === 'not_in_force' ? 's-not_in_force' : 's-error');
  const statusLabel = (s) => STATUS_LABELS[s] || (s ? `状态：${s}` : '未核验');

  /** A citation of unknown shape (string, resolver dict, search hit) as one flat record. */
  function citeInfo(c) {
    if (c === null || c === undefined) return null;
    if (typeof c === 'string') return { citation: c };
    if (!isObj(c)) return { citation: describe(c) };
    const v = isObj(c.as_of_version) ? c.as_of_version : isObj(c.version) ? c.version : {};
    const last = isObj(c.last_version) ? c.last_version : null;
    return {
      citation: first(c.citation, c.normalized, c.cite, c.raw, c.law ? `《${c.law}》` : undefined, '（未给出引用）'),
      raw: c.raw,
      text: first(c.text, c.provision_text),
      status: c.status,
      reason: c.reason,
      message: c.message,
      asOf: c.as_of,
      versionDate: first(v.version_date, c.version_date, last && last.version_date),
      from: first(v.effective_from, c.effective_from, last && last.effective_from),
      to: first(v.effective_to, c.effective_to, last && last.effective_to),
      last: !c.as_of_version && last ? last : null,
      sourceStatus: v.status,
      later: c.later_change,
      warnings: asList(c.warnings),
      candidates: asList(c.candidates),
    };
  }

  function versionLine(ci) {
    const parts = [];
    if (ci.versionDate) parts.push(`版本 ${ci.versionDate}`);
    if (ci.from || ci.to) parts.push(`施行 ${ci.from || '？'} 起${ci.to ? ` 至 ${ci.to}` : '，至今有效'}`);
    if (ci.sourceStatus) parts.push(ci.sourceStatus);
    return parts.length ? el('p', { class: 'meta', text: parts.join(' · ') }) : null;
  }

  function statuteText(text, label) {
    if (!text) return el('p', { class: 'muted small', text: '（未返回条文原文）' });
    return el('figure', { class: 'statute' },
      label ? el('figcaption', { text: label }) : null,
      el('blockquote', { text }));
  }

  /** A verification badge; ``neutral`` (the analysis view) keeps green for 「适用于本案：高」 alone. */
  function badge(status, neutral) {
    const cls = neutral && status === 'verified' ? 's-exists' : statusClass(status);
    return el('span', { class: `badge ${cls}`, text: statusLabel(status) });
  }

  const BAND_LABELS = { high: '高', medium: '中', low: '低' };

  /** 「适用于本案：高/中/低（概率）」 of a provision (its ``applicability``), with the evidence as a tooltip and list.
   * Only ``high`` is green; ``low`` is a warning. */
  function applicabilityBadge(app, withEvidence) {
    if (!isObj(app) || !BAND_LABELS[app.band]) return null;
    const pct = Number.isFinite(Number(app.probability)) ? `${Math.round(Number(app.probability) * 100)}%` : '？';
    const ev = asList(app.evidence).map(describe).filter(Boolean);
    const b = el('span', { class: `badge applies a-${app.band}`, 'data-band': app.band, title: ev.join('；'),
      text: `适用于本案：${BAND_LABELS[app.band]}（${pct}）` });
    if (!withEvidence || !ev.length) return b;
    return el('span', { class: 'applies-wrap' }, b, el('span', { class: 'meta applies-evidence', text: ev.join('；') }));
  }

  // ------------------------------------------------------------------ API key box (both views)
  function initKeyBox() {
    const form = $('#key-form');
    if (!form) return;
    const input = $('#api-key');
    const state = $('#key-state');
    const show = () => { state.textContent = apiKey() ? '已保存（仅本次会话）' : '未设置'; };
    input.value = apiKey();
    show();
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      try {
        if (input.value.trim()) sessionStorage.setItem(KEY_STORE, input.value.trim());
        else sessionStorage.removeItem(KEY_STORE);
      } catch (e) { /* storage disabled: the key is simply not kept */ }
      show();
    });
    $('#key-clear').addEventListener('click', () => {
      try { sessionStorage.removeItem(KEY_STORE); } catch (e) { /* ignore */ }
      input.value = '';
      show();
    });
  }

  // ================================================================== officer view
  const EFFECT_LABELS = { lighter: '从轻', heavier: '从重', info: '情节' };
  const KIND_LABELS = {
    penalty_decision: '行政处罚决定书', prior_notice: '行政处罚事先告知书', hearing_notice: '行政处罚听证告知书',
    no_penalty_decision: '不予行政处罚决定书', on_the_spot_decision: '当场行政处罚决定书', bundle: '三书同达',
  };

  const officer = {
    request: null, // the body last sent to /v1/analyze
    data: null, // normalised analysis
    tierLabel: '',
    amount: null,
  };

  // ================================================================== analysis answer (POST /v1/analyze)
  // From here to "end of the analysis answer" the page reads only fields that the response model declares
  // (api/schemas_analyze.py, AnalyzeResponse and its parts); tests/api/test_analyze_schema.py checks every field
  // name read here against those models.
  const REMINDER_TITLES = {
    first_offence_no_penalty: '首违不罚', no_penalty: '不予处罚', no_penalty_list_met: '不予处罚清单',
    no_penalty_list_not_met: '不予处罚清单', no_penalty_list_may_apply: '不予处罚清单',
    hearing: '听证', hearing_if: '听证', on_the_spot: '当场处罚',
    limitation_expired: '时效', discovery_date_needed: '时效',
    no_benchmark: '裁量基准', benchmark_not_valid: '裁量基准', benchmark_not_valid_statutory_range: '裁量基准',
    tier_default: '裁量阶次', mandatory_lighter: '从轻/减轻', mitigation_option: '从轻/减轻',
    party_unknown: '当事人类型', party_mismatch: '当事人类型',
    statute_repealed: '从旧兼从轻', old_law: '从旧兼从轻',
    item_cites_other_provision: '事项匹配', matched_by_title: '事项匹配',
    no_penalty_provision: '罚则', no_fine_in_penalty_provision: '罚则', no_violation: '未认定违法',
    version_gap: '条文版本',
  };
  const LEVELS = ['不予处罚', '减轻', '从轻', '一般', '从重'];
  const LIGHTER_LABELS = { old: '适用旧法', new: '适用新法（从轻）', same: '新旧规定幅度相同', unknown: '需按案件金额比较' };

  /** The parts of an analysis answer the page shows (AnalyzeResponse). */
  function normalizeAnalysis(data) {
    const d = isObj(data) ? data : {};
    const best = isObj(d.item) ? d.item : null;
    const same = (m) => best && m.benchmark === best.benchmark && m.item_id === best.item_id;
    return {
      raw: d,
      best,
      top: asList(d.provisions).filter(isObj)[0] || null,
      others: asList(d.matches).filter((m) => isObj(m) && !same(m) && !m.no_penalty_list),
      similar: asList(d.similar_items).filter(isObj),
      tier: isObj(d.tier) ? d.tier : null,
      fine: isObj(d.fine) ? d.fine : null,
      factors: asList(d.factors).filter(isObj),
      reminders: asList(d.reminders).filter(isObj),
      bands: asList(d.probabilities).filter(isObj),
      adjustment: d.adjustment,
      lighter: isObj(d.from_old_from_light) ? d.from_old_from_light : null,
      evidence: asList(d.no_violation_evidence).filter(isObj),
      noViolation: d.no_violation === true,
      nothing: d.no_match === true,
    };
  }

  /** The 违则 and 罚则 of the answer: the deciding item's (re-verified), else the top retrieved pair. */
  function answerPair(a) {
    if (a.best) return { violated: asList(a.best.violated), basis: asList(a.best.basis) };
    const t = a.top;
    if (!t) return { violated: [], basis: [] };
    const basis = t.basis || (t.is_liability ? t : null);
    const violated = t.violated || (t.is_liability ? null : t);
    return { violated: asList(violated), basis: asList(basis) };
  }

  /** A citation of the answer (an item's re-verified citation, or a retrieved provision) with its text. */
  function answerCite(role, c) {
    if (!isObj(c)) return null;
    const v = isObj(c.as_of_version) ? c.as_of_version : null;
    const later = isObj(c.later_change) ? c.later_change : null;
    const refused = c.status && c.status !== 'verified';
    return el('div', { class: 'cite-block' },
      el('div', { class: 'cite-head' },
        el('span', { class: `role role-${role === '违则' ? 'violated' : 'basis'}`, text: role }),
        el('strong', { class: 'cite-name', text: c.citation || '（未给出引用）' }),
        c.status ? badge(c.status, true) : null),
      refused ? el('p', { class: 'meta warn', text: REASON_LABELS[c.reason] || statusLabel(c.status) }) : null,
      later ? el('p', { class: 'meta warn', text: `此后有变化：${later.note}` }) : null,
      statuteText(c.text),
      v ? versionLine({ versionDate: v.version_date, from: v.effective_from, to: v.effective_to, sourceStatus: v.status })
        : null);
  }

  function itemList(title, items) {
    return el('details', { class: 'others' },
      el('summary', { text: `${title}（${items.length}）` }),
      el('ol', {}, items.map((it) => el('li', {},
        el('p', { class: 'item-title small', text: it.title }),
        el('p', { class: 'meta', text: [it.label, `${it.benchmark}（事项 ${it.item_id}）`].filter(Boolean).join(' · ') }),
        asList(it.violated).map((c) => answerCite('违则', c)),
        asList(it.basis).map((c) => answerCite('罚则', c))))));
  }

  function matchCard(a) {
    const b = a.best;
    const pair = answerPair(a);
    const body = [
      el('div', { class: 'card-head' },
        el('h3', { class: 'card-title', text: '违则与罚则' }),
        b ? el('span', { class: 'chip', text: `匹配度 ${Number(b.similarity).toFixed(2)}` }) : null),
    ];
    if (b) {
      body.push(el('p', { class: 'item-title', text: b.title }),
        el('p', { class: 'meta', text: `裁量基准：${b.benchmark}（事项 ${b.item_id}）${b.sample ? '，示例基准，请以本机关基准为准' : ''}` +
          (b.benchmark_valid_on_decision_date === false ? '；该基准在决定日不在有效期内' : '') }));
    } else {
      body.push(el('p', { class: 'meta', text: '未匹配到据以裁量的裁量基准事项：以下为检索到的条文配对。' }));
    }
    if (!pair.violated.length && !pair.basis.length) body.push(el('p', { class: 'muted', text: '（未检索到违则、罚则）' }));
    // How likely the top retrieved 罚则 applies, kept apart from 「条文存在且当日有效」 (which only checks the text).
    const applies = a.top ? applicabilityBadge(a.top.applicability, true) : null;
    if (applies) body.push(el('p', { class: 'applies-line', id: 'applies-line' }, applies));
    pair.violated.forEach((c) => body.push(answerCite('违则', c)));
    pair.basis.forEach((c) => body.push(answerCite('罚则', c)));
    if (a.others.length) body.push(itemList('其他候选执法事项', a.others));
    if (a.similar.length) body.push(itemList('相似事项（仅供参考）', a.similar));
    return el('section', { class: 'card result-card', id: 'match-card' }, body);
  }

  /** lighter / heavier / info, from a factor's direction (−1 lighter, +1 heavier, 0 information). */
  function effectOf(f) {
    if (f.direction === -1) return 'lighter';
    if (f.direction === 1) return 'heavier';
    return 'info';
  }

  function tierCard(a) {
    const t = a.tier || {};
    const label = t.label || '';
    let prob = t.probability;
    if (prob !== null && prob !== undefined) prob = Number(prob);
    officer.tierLabel = label;

    const options = [...new Set([...a.bands.map((x) => x.level), ...LEVELS])];
    const list = el('datalist', { id: 'tier-options' }, options.map((x) => el('option', { value: x })));
    const input = el('input', { id: 'tier-input', type: 'text', list: 'tier-options', value: label, maxlength: 100 });
    const tierNote = el('p', { class: 'meta', id: 'tier-note', 'aria-live': 'polite' });
    input.addEventListener('input', () => {
      officer.tierLabel = input.value.trim();
      tierNote.textContent = officer.tierLabel !== label ? `已由执法人员修改（系统建议：${label || '无'}）` : '';
      updateFineCheck();
      updateCasePreview();
    });

    const how = t.source === 'statutory_split' ? '依罚则法定幅度按通行规则划分' : t.source === 'item' ? '依裁量基准事项' : null;
    const head = el('div', { class: 'tier-head' },
      el('div', { class: 'tier-main' },
        el('span', { class: 'tier-caption', text: '建议裁量阶次' }),
        el('span', { class: 'tier-label', text: label || '（未给出）' }),
        el('span', { class: 'meta' },
          [how, t.source_label && t.source_label !== label ? `基准阶次：${t.source_label}` : null,
            Number.isInteger(t.rank) ? `第 ${t.rank} 档` : null,
            Number.isInteger(t.severity) ? `严重程度 ${t.severity}/5` : null,
            a.adjustment ? `调整：${a.adjustment}` : null].filter(Boolean).join(' · '))),
      prob !== null && prob !== undefined && !Number.isNaN(prob) ? el('div', { class: 'prob' },
        el('span', { class: 'prob-num', text: `${Math.round(prob * 100)}%` }),
        el('meter', { min: 0, max: 1, value: prob, 'aria-label': '建议阶次的概率' }),
        el('span', { class: 'meta', text: '概率' })) : null);

    const factorList = el('ol', { class: 'factors' });
    const marks = [];
    a.factors.forEach((f, i) => {
      const n = i + 1;
      const eff = effectOf(f);
      const name = f.label || f.code || '情节';
      if (Array.isArray(f.span) && f.span.length === 2) {
        marks.push({ start: f.span[0], end: f.span[1], make: (txt) => el('mark', { class: `f-${eff}`, id: `fm-${n}`, title: name },
          txt, el('sup', {}, el('a', { href: `#factor-${n}`, 'aria-label': `情节 ${n}`, text: String(n) }))) });
      }
      factorList.append(el('li', { id: `factor-${n}`, class: `factor f-${eff}` },
        el('span', { class: 'factor-n', 'aria-hidden': 'true', text: String(n) }),
        el('div', { class: 'factor-body' },
          el('div', {}, el('strong', { text: name }), el('span', { class: `tag e-${eff}`, text: EFFECT_LABELS[eff] })),
          f.text ? el('q', { class: 'factor-text', text: f.text }) : null,
          f.note ? el('p', { class: 'meta', text: f.note }) : null,
          f.rule ? el('p', { class: 'meta', text: `依据：${f.rule}` }) : null)));
    });

    const desc = officer.request ? officer.request.description : '';
    return el('section', { class: 'card result-card', id: 'tier-card' },
      el('div', { class: 'card-head' }, el('h3', { class: 'card-title', text: '裁量阶次与情节' })),
      head,
      t.condition ? el('p', { class: 'condition' }, el('span', { class: 'meta', text: '档次条件：' }), t.condition) : null,
      t.rule ? el('p', { class: 'meta', text: `划分规则：${t.rule}` }) : null,
      el('div', { class: 'field inline' },
        el('label', { for: 'tier-input', class: 'field-label', text: '采用的裁量阶次（可修改）' }), input, list),
      tierNote,
      el('h4', { class: 'sub-title', text: '案情描述（已标注情节）' }),
      el('p', { class: 'described', id: 'described' }, highlight(desc, marks)),
      a.factors.length ? factorList : el('p', { class: 'muted', text: '未识别出影响裁量的情节。' }));
  }

  function fineCard(a) {
    const f = a.fine;
    const suggested = f.suggested;
    officer.amount = suggested !== null && suggested !== undefined ? Number(suggested) : null;
    // A 罚则 with no range of its own (kind: referral / unspecified / no_fine) is shown in the statute's words.
    const range = f.kind ? String(f.statutory || '') : rangeText(f.min, f.max);
    const lawful = isObj(f.lawful_range) ? f.lawful_range : null;
    const notes = [f.note, ...asList(f.assumptions)].filter(Boolean);
    if (f.base_needed) notes.push(`需执法人员核定计算基数：${f.base_needed}`);
    const source = f.source === 'item' ? '裁量基准事项的阶次幅度' : f.source === 'statutory_split' ? (f.rule || '法定幅度按通行规则划分') : null;

    const input = el('input', { id: 'amount-input', type: 'number', min: 0, step: 1, inputmode: 'decimal',
      value: officer.amount !== null ? String(officer.amount) : '' });
    input.addEventListener('input', () => {
      officer.amount = input.value === '' ? null : Number(input.value);
      updateFineCheck();
      updateCasePreview();
    });
    return el('section', { class: 'card result-card', id: 'fine-card' },
      el('div', { class: 'card-head' }, el('h3', { class: 'card-title', text: '罚款计算' })),
      el('dl', { class: 'fine-grid' },
        el('dt', { text: '罚款幅度' }), el('dd', { id: 'fine-range', text: range || '（未给出）' }),
        el('dt', { text: '建议金额' }), el('dd', { class: 'amount', text: officer.amount !== null ? fmtYuan(officer.amount) : '（未给出）' }),
        lawful ? [el('dt', { text: '法定幅度' }), el('dd', { id: 'lawful-range',
          text: `${rangeText(lawful.min, lawful.max) || lawful.statutory}（${lawful.citation}）` })] : null,
        source ? [el('dt', { text: '幅度来源' }), el('dd', { text: source })] : null),
      f.arithmetic && f.arithmetic.length ? el('div', { class: 'arithmetic' },
        el('p', { class: 'meta', text: '计算过程' }),
        el('ol', {}, f.arithmetic.map((s) => el('li', { text: s })))) : null,
      notes.map((n) => el('p', { class: 'meta warn', text: n })),
      el('div', { class: 'field inline' },
        el('label', { for: 'amount-input', class: 'field-label', text: '决定罚款金额（元，可修改）' }), input),
      el('p', { id: 'amount-check', class: 'meta', 'aria-live': 'polite' }));
  }

  const num = (v) => (v === null || v === undefined ? null : Number(v));

  function updateFineCheck() {
    const out = $('#amount-check');
    if (!out || !officer.data || !officer.data.fine) return;
    const f = officer.data.fine;
    const lawful = isObj(f.lawful_range) ? f.lawful_range : null;
    const [lo, hi] = [num(f.min), num(f.max)];
    const [llo, lhi] = lawful ? [num(lawful.min), num(lawful.max)] : [null, null];
    const amount = officer.amount;
    const msgs = [];
    out.classList.remove('warn');
    if (amount !== null && !Number.isNaN(amount)) {
      const outside = (a, b) => (a !== null && amount < a) || (b !== null && amount > b);
      if (lawful && outside(llo, lhi)) {
        msgs.push(`超出法定罚款幅度（${rangeText(llo, lhi)}，${lawful.citation}），请核对是否有减轻处罚等依据。`);
        out.classList.add('warn');
      } else if (outside(lo, hi)) {
        msgs.push(`超出建议阶次的罚款幅度（${rangeText(lo, hi)}），请在决定书中说明理由。`);
        out.classList.add('warn');
      }
      if (f.suggested !== null && f.suggested !== undefined && Number(f.suggested) !== amount) {
        msgs.push(`已由执法人员修改（系统建议 ${fmtYuan(f.suggested)}）。听证、当场处罚等提醒按建议金额计算，修改后请重新核对。`);
      }
    }
    if (officer.tierLabel && tierChanged()) msgs.push(`阶次已改为“${officer.tierLabel}”：请确认金额在该阶次的幅度内。`);
    out.textContent = msgs.join(' ');
  }

  function tierChanged() {
    const t = officer.data && officer.data.tier;
    return !!t && t.label !== officer.tierLabel;
  }

  function reminderCard(a) {
    const items = a.reminders.map((r) => el('li', { class: `reminder ${r.blocking ? 'warn' : ''}`.trim() },
      el('span', { class: 'tag', text: (r.blocking ? '须处理 · ' : '') + (REMINDER_TITLES[r.code] || '提醒') }),
      el('span', { text: r.message || '' }),
      r.rule ? el('span', { class: 'meta', text: ` 依据：${r.rule}` }) : null));
    return el('section', { class: 'card result-card', id: 'reminder-card' },
      el('div', { class: 'card-head' }, el('h3', { class: 'card-title', text: '程序提醒' })),
      items.length ? el('ul', { class: 'reminders' }, items)
        : el('p', { class: 'muted', text: '无首违不罚、听证、当场处罚或时效方面的提醒。' }));
  }

  function lighterCard(a) {
    const l = a.lighter;
    const side = (title, s) => el('p', { class: 'meta' },
      `${title}：${s.citation || '（无）'}` + (s.effective_from ? `（${s.effective_from} 起施行${s.effective_to ? `，至 ${s.effective_to}` : ''}）` : ''));
    return el('section', { class: 'card result-card', id: 'lighter-card' },
      el('div', { class: 'card-head' }, el('h3', { class: 'card-title', text: '从旧兼从轻' })),
      el('p', {}, el('strong', { text: `${LIGHTER_LABELS[l.lighter] || l.lighter}。` }), ` ${l.reason}`),
      side('违法行为发生时', l.violation_version), side('作出决定时', l.decision_version),
      el('p', { class: 'meta', text: `依据：${l.rule}` }));
  }

  function renderAnalysis(a) {
    const body = $('#analysis-body');
    const parts = [];
    if (a.noViolation) {
      parts.push(notice('info',
        el('p', { class: 'notice-title', text: '描述载明检查合格或未发现违法行为：不认定违法' }),
        a.evidence.length ? el('ul', {}, a.evidence.map((e) => el('li', { text: e.text }))) : null));
    } else if (a.nothing) {
      parts.push(notice('info',
        el('p', { class: 'notice-title', text: '未找到足够可信的适用条款' }),
        el('p', { text: '请补充违法行为的具体情形，或通过左侧“法条检索”人工查找。' })));
    }
    if (a.best || a.top) parts.push(matchCard(a));
    if (a.tier || a.factors.length) parts.push(tierCard(a));
    else {
      officer.tierLabel = '';
      // No tier to show: still echo the description, so the officer sees what was analysed.
      parts.push(el('section', { class: 'card result-card' },
        el('h3', { class: 'card-title', text: '已提交的违法行为描述' }),
        el('p', { class: 'described', id: 'described', text: officer.request ? officer.request.description : '' })));
    }
    if (a.fine) parts.push(fineCard(a));
    else officer.amount = null;
    if (a.lighter) parts.push(lighterCard(a));
    if (a.reminders.length || a.best) parts.push(reminderCard(a));
    parts.push(el('details', { class: 'raw-json' }, el('summary', { text: '原始响应（JSON）' }),
      el('pre', { text: JSON.stringify(a.raw, null, 2) })));
    body.replaceChildren(...parts);
    updateFineCheck();
    fillDocumentsFromAnalysis(a);
  }

  function fillDocumentsFromAnalysis(a) {
    const pair = answerPair(a);
    const cites = (list) => list.filter(isObj).map((c) => c.citation).filter(Boolean).join('\n');
    if (pair.violated.length || pair.basis.length) {
      $('#doc-violated').value = cites(pair.violated);
      $('#doc-basis').value = cites(pair.basis);
    }
    if (a.best && a.best.title) $('#case-cause').value = a.best.title;
    if (a.reminders.some((r) => r.code === 'first_offence_no_penalty')) $('#doc-ground').value = 'first_violation';
    updateCasePreview();
  }

  /** The tier reasons for the document: the factors of the answer, marked as the system's suggestion. */
  function tierReasons() {
    return (officer.data ? officer.data.factors : []).map((f) => ({
      text: `${f.label || f.code}${f.text ? `：“${f.text}”` : ''}`,
      suggested: true,
      source: '执法助手分析',
    })).filter((r) => r.text);
  }
  // ================================================================== end of the analysis answer

  function initAnalyze() {
    const form = $('#analyze-form');
    const btn = $('#analyze-btn');
    const status = $('#analyze-status');
    $('#as-of').value = today();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const description = $('#description').value;
      if (!description.trim()) {
        status.replaceChildren(notice('error', el('p', { text: '请先填写违法行为描述。' })));
        $('#description').focus();
        return;
      }
      const party = $('input[name="party_type"]:checked');
      const body = { description, as_of: $('#as-of').value || null, party_type: party ? party.value : 'individual' };
      officer.request = body;
      setBusy(btn, true, '分析中…');
      status.replaceChildren(notice('info', el('p', { text: '正在分析，请稍候…' })));
      try {
        const data = await api('/v1/analyze', body);
        officer.data = normalizeAnalysis(data);
        renderAnalysis(officer.data);
        status.replaceChildren();
        $('#analysis-h').focus({ preventScroll: true });
      } catch (err) {
        officer.data = null;
        status.replaceChildren();
        $('#analysis-body').replaceChildren(errorBox(err, '分析'),
          el('section', { class: 'card result-card' },
            el('h3', { class: 'card-title', text: '已提交的违法行为描述' }),
            el('p', { class: 'described', id: 'described', text: description })));
      } finally {
        setBusy(btn, false);
        updateCasePreview();
      }
    });
    $('#analysis-h').setAttribute('tabindex', '-1');
  }

  // ------------------------------------------------------------------ documents
  const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);

  function partyKind() {
    const r = $('input[name="party_type"]:checked');
    return r ? r.value : 'individual';
  }

  /** The case object for POST /v1/documents (issue 5 case model); empty fields left out. */
  function buildCase(kind) {
    const pk = partyKind();
    const party = { kind: pk };
    const name = $('#party-name').value.trim();
    const address = $('#party-address').value.trim();
    const ident = $('#party-id').value.trim();
    if (name) party.name = name;
    if (address) party.address = address;
    if (ident) party[pk === 'individual' ? 'id_number' : 'credit_code'] = ident;
    const c = { party };
    const cause = $('#case-cause').value.trim();
    if (cause) c.case_cause = cause;
    const asOf = $('#as-of').value;
    if (asOf) c.violation_start = asOf;
    const desc = (officer.request && officer.request.description) || $('#description').value;
    if (desc.trim()) c.facts = [{ text: desc.trim(), suggested: false }];
    const violated = lines($('#doc-violated').value);
    const basis = lines($('#doc-basis').value);
    if (violated.length) c.violated = violated;
    if (basis.length) c.basis = basis;
    if (kind === 'no_penalty_decision') {
      c.no_penalty = { ground: $('#doc-ground').value };
    } else {
      const types = $$('input[name="penalty"]:checked').map((x) => x.value);
      const penalty = { types };
      if (types.includes('fine') && officer.amount !== null && !Number.isNaN(officer.amount)) {
        penalty.fine_fen = Math.round(officer.amount * 100); // the case model holds integer fen (R7.6)
      }
      if (types.length) c.penalty = penalty;
    }
    if (officer.tierLabel) {
      c.tier = { label: officer.tierLabel, reasons: tierReasons() };
    }
    if (kind === 'on_the_spot_decision') c.procedure = 'simple';
    return c;
  }

  function docRequest() {
    const kind = $('#doc-kind').value;
    const req = { kind, case: buildCase(kind), format: 'docx' };
    if ($('#doc-draft').checked) req.draft = true;
    return req;
  }

  function updateCasePreview() {
    const pre = $('#case-preview');
    if (!pre) return;
    pre.textContent = JSON.stringify(docRequest(), null, 2);
    const amt = officer.amount !== null && !Number.isNaN(officer.amount) ? fmtYuan(officer.amount) : '未填写';
    $('#doc-summary').textContent = `罚款金额：${amt}；裁量阶次：${officer.tierLabel || '未填写'}（在上方分析结果中修改）。`;
  }

  /** Chinese file name for the officer (文书名-日期), with the extension the server gave (.docx or .zip). */
  function fileNameFrom(header, kind, type) {
    const m = header ? /filename\*?\s*=\s*(?:UTF-8'')?"?[^";]*\.([A-Za-z0-9]{1,5})"?/i.exec(header) : null;
    const ext = m ? m[1].toLowerCase() : /zip/.test(type || '') ? 'zip' : 'docx';
    return `${KIND_LABELS[kind] || kind}-${today()}.${ext}`;
  }

  function initDocuments() {
    const form = $('#doc-form');
    const kindSel = $('#doc-kind');
    const btn = $('#doc-btn');
    const status = $('#doc-status');
    const syncKind = () => {
      $('#ground-field').hidden = kindSel.value !== 'no_penalty_decision';
      btn.textContent = kindSel.value === 'bundle' ? '生成并下载（成套文书）' : '生成并下载 .docx';
    };
    const syncParty = () => {
      $('#party-id-label').textContent = partyKind() === 'individual' ? '居民身份证号码' : '统一社会信用代码';
    };
    kindSel.addEventListener('change', () => { syncKind(); updateCasePreview(); });
    $$('input[name="party_type"]').forEach((r) => r.addEventListener('change', () => { syncParty(); updateCasePreview(); }));
    form.addEventListener('input', updateCasePreview);
    form.addEventListener('change', updateCasePreview);
    $('#as-of').addEventListener('change', updateCasePreview);
    syncKind();
    syncParty();
    updateCasePreview();

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const req = docRequest();
      setBusy(btn, true, '正在生成…');
      status.replaceChildren(notice('info', el('p', { text: `正在生成${KIND_LABELS[req.kind] || req.kind}…` })));
      try {
        const resp = await api('/v1/documents', req, { raw: true });
        const blob = await resp.blob();
        const name = fileNameFrom(resp.headers.get('Content-Disposition'), req.kind, blob.type);
        const url = URL.createObjectURL(blob);
        const link = el('a', { class: 'download', download: name, text: `再次下载 ${name}` });
        link.href = url; // a blob: URL this page created, not user text
        status.replaceChildren(notice('ok',
          el('p', { class: 'notice-title', text: `已生成：${name}（${Math.max(1, Math.round(blob.size / 1024))} KB）` }),
          el('p', { text: '请在 Word 或 WPS 中打开，逐项核对标有【系统建议】和空白的内容。' }), link));
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 10 * 60 * 1000);
      } catch (err) {
        status.replaceChildren(errorBox(err, '生成文书'));
      } finally {
        setBusy(btn, false);
        syncKind();
      }
    });
  }

  // ------------------------------------------------------------------ search
  function initSearch() {
    const form = $('#search-form');
    const status = $('#search-status');
    const list = $('#search-results');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const query = $('#search-query').value.trim();
      if (!query) {
        status.replaceChildren(notice('error', el('p', { text: '请输入检索内容。' })));
        return;
      }
      const body = { query, as_of: $('#as-of').value || null, top_k: Number($('#search-k').value) };
      const btn = $('button[type="submit"]', form);
      setBusy(btn, true, '检索中…');
      list.replaceChildren();
      status.replaceChildren(notice('info', el('p', { text: '正在检索…' })));
      try {
        const data = await api('/v1/search', body);
        const results = asList(isObj(data) ? data.results : null).filter(isObj);
        status.replaceChildren(el('p', { class: 'meta', text: results.length
          ? `“${query}”：${body.as_of || '今日'} 有效条款中的前 ${results.length} 条`
          : `“${query}”：未检索到 ${body.as_of || '今日'} 有效的相关条款。` }));
        list.replaceChildren(...results.map(searchHit));
      } catch (err) {
        status.replaceChildren(errorBox(err, '检索'));
      } finally {
        setBusy(btn, false);
      }
    });
  }

  function searchHit(r, i) {
    const ci = citeInfo(r);
    const pairs = (role, v) => asList(v).map(citeInfo).filter(Boolean).map((c) => el('p', { class: 'meta' },
      el('span', { class: `role small role-${role === '违则' ? 'violated' : 'basis'}`, text: role }), ` ${c.citation}`));
    const add = (role, target) => {
      const b = el('button', { type: 'button', class: 'btn small ghost', text: `用作${role}` });
      b.addEventListener('click', () => {
        const ta = $(target);
        const have = lines(ta.value);
        if (!have.includes(ci.citation)) ta.value = [...have, ci.citation].join('\n');
        updateCasePreview();
        b.textContent = `已加入${role}`;
      });
      return b;
    };
    // A stand-in for a version missing from the store: shown with its warning, never offered for the document.
    const standIn = typeof r.version_status === 'string' && r.version_status !== 'in_force';
    return el('li', { class: standIn ? 'hit stand-in' : 'hit' },
      el('div', { class: 'cite-head' },
        el('span', { class: 'hit-n', text: String(i + 1) }),
        el('strong', { class: 'cite-name', text: ci.citation }),
        standIn ? el('span', { class: 'chip warn', text: r.version_status === 'nearest_later' ? '非当日版本（其后版本）' : '非当日版本（此前版本）' }) : null,
        applicabilityBadge(r.applicability, false),
        r.score !== undefined ? el('span', { class: 'chip', text: `相关度 ${Number(r.score).toFixed(3)}` }) : null),
      isObj(r.applicability) && asList(r.applicability.evidence).length
        ? el('p', { class: 'meta applies-evidence', text: asList(r.applicability.evidence).map(describe).join('；') }) : null,
      standIn ? notice('warn', el('p', { text: String(r.version_note || '该条文不是违法行为发生时有效的文本') })) : null,
      statuteText(ci.text),
      versionLine(ci),
      pairs('违则', r.violated), pairs('罚则', r.basis),
      standIn ? null : el('div', { class: 'hit-actions' }, add('违则', '#doc-violated'), add('罚则', '#doc-basis')));
  }

  // ================================================================== reviewer view
  function initReview() {
    const form = $('#verify-form');
    const btn = $('#verify-btn');
    const status = $('#verify-status');
    $('#as-of').value = today();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = $('#draft').value;
      if (!text.trim()) {
        status.replaceChildren(notice('error', el('p', { text: '请先粘贴待审核的文书。' })));
        $('#draft').focus();
        return;
      }
      const asOf = $('#as-of').value || null;
      setBusy(btn, true, '核验中…');
      status.replaceChildren(notice('info', el('p', { text: '正在核验引用…' })));
      try {
        const data = await api('/v1/citations/verify', { text, as_of: asOf });
        renderReview(text, asOf, asList(isObj(data) ? data.citations : null).filter(isObj));
        status.replaceChildren();
      } catch (err) {
        $('#review-result').hidden = true;
        status.replaceChildren(errorBox(err, '核验'));
      } finally {
        setBusy(btn, false);
      }
    });
  }

  function renderReview(text, asOf, cites) {
    const counts = { 's-verified': 0, 's-not_in_force': 0, 's-error': 0 };
    cites.forEach((c) => { counts[statusClass(c.status)] += 1; });
    $('#summary').replaceChildren(cites.length
      ? el('span', {}, `核验基准日 ${asOf || '今日'}，共识别 ${cites.length} 处引用：`,
        el('span', { class: 'count s-verified', text: `条文存在且当日有效 ${counts['s-verified']}` }), ' ',
        el('span', { class: 'count s-not_in_force', text: `不在施行期 ${counts['s-not_in_force']}` }), ' ',
        el('span', { class: 'count s-error', text: `错误 ${counts['s-error']}` }))
      : el('span', { text: '未在文中识别到法律条文引用。' }));

    const marks = [];
    let from = 0;
    cites.forEach((c, i) => {
      const n = i + 1;
      const where = locate(text, c.span, c.raw, from);
      if (!where) return;
      from = where.end;
      marks.push({ ...where, make: (txt) => el('mark', { class: `cite-mark ${statusClass(c.status)}`, id: `m-${n}`,
        title: `${statusLabel(c.status)}：${describe(first(c.normalized, c.raw))}`, 'data-status': c.status || '' },
      txt, el('sup', {}, el('a', { href: `#c-${n}`, 'aria-label': `第 ${n} 处引用：${statusLabel(c.status)}，查看核验结果`, text: String(n) }))) });
    });
    $('#draft-view').replaceChildren(highlight(text, marks));
    $('#citations').replaceChildren(...cites.map((c, i) => citationCard(c, i + 1, asOf)));
    $('#review-result').hidden = false;
  }

  function citationCard(c, n, asOf) {
    const ci = citeInfo(c);
    const reason = c.reason ? (REASON_LABELS[c.reason] || c.reason) : null;
    let textLabel = null;
    if (c.status === 'verified') textLabel = `${asOf || '今日'} 有效的条文`;
    else if (ci.last) textLabel = `最后有效的条文（${ci.last.effective_from || '？'} 至 ${ci.last.effective_to || '？'}）`;
    else if (ci.text) textLabel = '条文';
    const candidates = ci.candidates.map((x) => describe(isObj(x) ? first(x.normalized, x.citation, x.law, x.title) : x)).filter(Boolean);
    const later = isObj(ci.later) ? ci.later.note : null;
    return el('li', { class: `cite-card ${statusClass(c.status)}`, id: `c-${n}`, 'data-status': c.status || '' },
      el('div', { class: 'cite-head' },
        el('a', { class: 'cite-n', href: `#m-${n}`, 'aria-label': `在文中定位第 ${n} 处引用`, text: String(n) }),
        el('strong', { class: 'cite-name', text: describe(first(c.normalized, c.raw)) || '（无法规范化）' }),
        badge(c.status)),
      c.raw && c.raw !== c.normalized ? el('p', { class: 'meta', text: `原文写作：${c.raw}` }) : null,
      reason || c.message ? el('p', { class: 'cite-msg' },
        reason ? el('strong', { text: `${reason}。` }) : null, c.message ? ` ${describe(c.message)}` : null) : null,
      c.status !== 'verified' && c.status !== 'not_in_force' && !ci.text ? null : statuteText(ci.text, textLabel),
      (ci.text || c.status === 'verified') ? versionLine(ci) : null,
      candidates.length ? el('div', { class: 'candidates' }, el('p', { class: 'meta', text: '可能是指：' }),
        el('ul', {}, candidates.map((t) => el('li', { text: t })))) : null,
      later ? el('p', { class: 'meta warn', text: `此后有变化：${later}` }) : null,
      c.stored_text ? statuteText(c.stored_text, `所存其他版本的条文（${c.stored_text_applicable === false ? '不适用于该日' : '仅供参考'}）`) : null,
      c.stored_text_note ? el('p', { class: 'meta warn', text: c.stored_text_note }) : null,
      ci.warnings.length ? el('ul', { class: 'warnings' }, ci.warnings.map((w) => el('li', { text: describe(w) }))) : null);
  }

  // ------------------------------------------------------------------ start
  document.addEventListener('DOMContentLoaded', () => {
    initKeyBox();
    const view = document.body.dataset.view;
    if (view === 'officer') {
      initAnalyze();
      initDocuments();
      initSearch();
    } else if (view === 'review') {
      initReview();
    }
  });
})();
