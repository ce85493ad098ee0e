// The chat page: questions, answer cards, clarification chips, follow-ups in one conversation,
// the metric catalog, feedback, CSV download and permalinks. Talks only to this service.
"use strict";

(() => {
  const TEXT = {
    zh: {
      title: "ChatBI 智能问数", catalog: "指标目录", newConversation: "新对话", send: "发送",
      welcome: "用一句话问数据", welcomeHint: "指标口径统一，每个答案都附带理解过程和 SQL，可以核对。",
      placeholder: "例如：最近一个月上海地区初抗老白领最喜欢的TOP3产品是哪些？", searchMetrics: "搜索指标、口径或同义词",
      thinking: "正在分析问题并查询数据…", howUnderstood: "我是怎么理解的", copySql: "复制 SQL", copied: "已复制",
      copyFailed: "复制失败", corrected: "已纠正", csv: "下载 CSV", exportList: "下载完整名单 CSV", permalink: "分享链接", helpful: "有帮助",
      notHelpful: "没帮助", thanks: "谢谢反馈", error: "出错了", network: "无法连接服务，请稍后再试。",
      askYourOwn: "我也要提问", notFound: "找不到这条回答", dimensions: "可用维度", language: "EN",
      demoBanner: "演示模式：未开启身份验证，仅供本机试用。", keyPrompt: "请输入 API key", signIn: "登录",
      removeFilter: "去掉这个条件", without: "去掉", changePeriod: "换个时间", allTime: "全部时间", showAll: "显示全部 {n} 行",
    },
    en: {
      title: "ChatBI", catalog: "Metrics", newConversation: "New chat", send: "Ask",
      welcome: "Ask your data in one sentence", welcomeHint: "One set of metric definitions; every answer shows how it was understood and its SQL.",
      placeholder: "e.g. ROI by channel in Q2", searchMetrics: "Search metrics, definitions, synonyms",
      thinking: "Understanding the question and querying…", howUnderstood: "How I understood it", copySql: "Copy SQL",
      copied: "Copied", copyFailed: "Copy failed", corrected: "Corrected", csv: "Download CSV", exportList: "Download the full list (CSV)", permalink: "Share link",
      helpful: "Helpful", notHelpful: "Not helpful", thanks: "Thanks for the feedback", error: "Something went wrong",
      network: "Cannot reach the service; please try again.", askYourOwn: "Ask your own question",
      notFound: "Answer not found", dimensions: "Dimensions", language: "中文",
      demoBanner: "Demo mode: no sign-in required, for this machine only.", keyPrompt: "Enter your API key", signIn: "Sign in",
      removeFilter: "Remove this filter", without: "without", changePeriod: "Change the period", allTime: "all time", showAll: "Show all {n} rows",
    },
  };
  const $ = (id) => document.getElementById(id);
  const { el } = Render;
  const state = { lang: localStorage.getItem("chatbi.lang") || "zh", conversation: null, metrics: [], dimensions: [], busy: false };
  const t = (key) => TEXT[state.lang][key] || key;

  function applyLanguage() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
    $("language-toggle").textContent = t("language");
    document.title = t("title");
    renderStarters();
    renderCatalog();
  }

  // Every call to the service: the key when there is one, the login box on 401, and a readable
  // error (the service's message, or what went wrong on the way) for anything but success.
  async function request(path, options = {}) {
    const headers = { "content-type": "application/json", "accept-language": state.lang };
    const key = localStorage.getItem("chatbi.key");
    if (key) headers.authorization = `Bearer ${key}`;
    let response;
    try {
      response = await fetch(path, { headers, ...options });
    } catch {
      throw new Error(t("network"));
    }
    if (response.status === 401) $("login").hidden = false;
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error((body && body.error && body.error.message) || `${t("error")} (HTTP ${response.status})`);
    }
    return response;
  }

  async function api(path, options = {}) {
    const response = await request(path, options);
    const body = await response.json().catch(() => null);
    if (!body || body.status === "error") {
      throw new Error((body && body.error && body.error.message) || `${t("error")} (HTTP ${response.status})`);
    }
    return body;
  }

  // A customer list as a CSV file: its role must be allowed to export; the error says why not.
  async function exportList(query, lang, button) {
    let response;
    try {
      response = await request(`/api/v1/exports?lang=${lang}`, { method: "POST", body: JSON.stringify(query) });
    } catch (error) {
      button.after(el("span", { class: "error-text", "data-testid": "export-error", text: error.message }));
      return;
    }
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: "customers.csv" });
    link.click();
    URL.revokeObjectURL(link.href);
    if (response.headers.get("x-truncated") === "true") {
      const rows = response.headers.get("x-row-count");
      button.after(el("span", { class: "note", "data-testid": "export-cut", text: lang === "zh"
        ? `超过导出上限，文件只含前 ${rows} 位` : `Above the export limit: the file holds the first ${rows}` }));
    }
  }

  // ---- the empty state and the catalog ------------------------------------------------------
  function starterQuestions() {
    const metric = (id) => state.metrics.find((m) => m.id === id);
    const name = (m) => (state.lang === "zh" ? m.name.zh : m.name.en);
    const dim = (id) => state.dimensions.find((d) => d.id === id);
    const picks = [];
    const add = (zh, en) => picks.push(state.lang === "zh" ? zh : en);
    const gmv = metric("gmv"), repurchase = metric("repurchase_rate"), roi = metric("roi"), units = metric("units_sold");
    const channel = dim("channel"), segment = dim("segment"), city = dim("city");
    if (gmv && channel) add(`上个月各${channel.label.zh}的${name(gmv)}`, `${name(gmv)} by ${channel.label.en} last month`);
    if (repurchase && segment) add(`各${segment.label.zh}的${name(repurchase)}`, `${name(repurchase)} by ${segment.label.en}`);
    if (roi && channel) add(`今年各${channel.label.zh}的${name(roi)}`, `${name(roi)} by ${channel.label.en} this year`);
    if (gmv) add(`今年每月的${name(gmv)}`, `monthly ${name(gmv)} this year`);
    if (units && segment && city && segment.values.length && city.values.includes("上海")) {
      add(`最近一个月上海${segment.values.find((v) => v !== "其他") || segment.values[0]}最喜欢的TOP3产品`,
          `top 3 products by ${name(units)} last month`);
    }
    for (const m of state.metrics) if (picks.length < 6 && m.id !== "gmv") add(`上个月的${m.name.zh}`, `${m.name.en} last month`);
    return [...new Set(picks)].slice(0, 6);
  }

  function renderStarters() {
    const box = $("starters");
    box.replaceChildren(...starterQuestions().map((q) => el("button", { type: "button", class: "chip", text: q, onclick: () => ask(q) })));
  }

  function renderCatalog() {
    const query = $("catalog-search").value.trim().toLowerCase();
    const items = state.metrics.filter((m) => !query || [m.id, m.name.zh, m.name.en, m.description.zh, m.description.en, ...m.synonyms]
      .some((text) => text.toLowerCase().includes(query)));
    const dimLabel = (id) => { const d = state.dimensions.find((x) => x.id === id); return d ? d.label[state.lang] : id; };
    // dimensions whose values are decided by a rule (scenario segments) show the rule
    const defined = state.dimensions.filter((d) => d.description && (!query || [d.id, d.label.zh, d.label.en, d.description.zh,
      d.description.en, ...d.values].some((text) => text.toLowerCase().includes(query))));
    const analyses = (state.analyses || []).filter((a) => !query || [a.id, a.name.zh, a.name.en, a.description.zh,
      a.description.en, ...a.synonyms].some((text) => text.toLowerCase().includes(query)));
    $("catalog-list").replaceChildren(...analyses.map((a) => el("li", { class: "metric", "data-testid": "catalog-analysis" },
      el("div", { class: "metric-name" }, el("strong", { text: a.name[state.lang] }), el("code", { text: a.id })),
      el("p", { text: a.description[state.lang] }),
      el("p", { class: "note", text: a.synonyms.slice(0, 6).join(" · ") }))), ...items.map((m) => el("li", { class: "metric", "data-testid": "catalog-metric" },
      el("div", { class: "metric-name" }, el("strong", { text: m.name[state.lang] }), el("code", { text: m.id })),
      el("p", { text: m.description[state.lang] }),
      el("p", { class: "note", text: m.synonyms.slice(0, 6).join(" · ") }),
      el("p", { class: "note", text: `${t("dimensions")}: ${m.dimensions.map(dimLabel).join("、")}` }))),
      ...defined.map((d) => el("li", { class: "metric", "data-testid": "catalog-dimension" },
        el("div", { class: "metric-name" }, el("strong", { text: d.label[state.lang] }), el("code", { text: d.id })),
        el("p", { text: d.description[state.lang] }),
        el("p", { class: "note", text: d.values.join(" · ") }))));
  }

  // ---- conversation ---------------------------------------------------------------------------
  function scrollDown() {
    const chat = $("chat");
    chat.scrollTop = chat.scrollHeight;
  }

  function answerCard(body, standalone = false) {
    const lang = /[\u3400-\u9fff]/.test(body.question) ? "zh" : "en";
    const card = el("article", { class: `card ${body.status}`, "data-testid": "answer", "data-status": body.status });
    if (body.status === "ok") {
      const edit = standalone ? null : (change, what) => {
        const query = structuredClone(body.interpretation.query);
        change(query);
        ask(`${body.question}（${what}）`, query);
      };
      card.append(Render.readingBar(body, lang, t, edit));
      for (const note of body.notes || []) card.append(el("p", { class: "freshness", "data-testid": "freshness", text: note }));
    }
    card.append(el("p", { class: "answer-text", "data-testid": "answer-text", text: body.answer }));
    if (body.status === "clarify") {
      card.append(el("div", { class: "chips", "data-testid": "suggestions" }, ...body.suggestions.map((s) =>
        el("button", { type: "button", class: "chip", text: s, onclick: () => ask(s) }))));
      return card;
    }
    card.append(Render.chart(body, lang) || "", Render.table(body, lang, t) || "", Render.understanding(body, t));
    if (body.answer_id) {
      const listed = body.analysis && body.analysis.kind === "customer_list" ? body.analysis : null;
      const feedback = (rating) => async (event) => {
        const bar = event.target.closest(".feedback");
        try {
          await api("/api/v1/feedback", { method: "POST", body: JSON.stringify({ answer_id: body.answer_id, rating }) });
          bar.replaceChildren(el("span", { class: "note", text: t("thanks") }));
        } catch (error) { bar.append(el("span", { class: "error-text", text: error.message })); }
      };
      card.append(el("footer", { class: "card-actions" },
        el("span", { class: "feedback" },
          el("button", { type: "button", class: "icon", title: t("helpful"), "aria-label": t("helpful"), "data-testid": "thumbs-up", text: t("helpful"), onclick: feedback("up") }),
          el("button", { type: "button", class: "icon", title: t("notHelpful"), "aria-label": t("notHelpful"), "data-testid": "thumbs-down", text: t("notHelpful"), onclick: feedback("down") })),
        listed ? (listed.exportable && listed.count ? el("button", { type: "button", class: "link", "data-testid": "export-list",
          text: t("exportList"), onclick: (event) => exportList(body.interpretation.query, lang, event.target) }) : null)
          : el("a", { href: `/api/v1/answers/${body.answer_id}/csv?lang=${lang}`, download: `answer-${body.answer_id}.csv`, "data-testid": "csv", text: t("csv") }),
        standalone ? null : el("a", { href: `/a/${body.answer_id}`, target: "_blank", rel: "noopener", "data-testid": "permalink", text: t("permalink") })));
    }
    return card;
  }

  function addTurn(question) {
    $("empty").hidden = true;
    const turn = el("section", { class: "turn" }, el("p", { class: "bubble", text: question }));
    const progress = el("div", { class: "progress", "data-testid": "progress" }, el("span", { class: "spinner" }), el("span", { text: t("thinking") }));
    turn.append(progress);
    $("history").append(turn);
    scrollDown();
    return progress;
  }

  async function ask(question, query = null) {
    question = question.trim().slice(0, 500);
    if (!question || state.busy) return;
    state.busy = true;
    $("send").disabled = true;
    const progress = addTurn(question);
    try {
      const request = { question, conversation_id: state.conversation };
      if (query) request.query = query;
      const body = await api("/api/v1/ask", { method: "POST", body: JSON.stringify(request) });
      state.conversation = body.conversation_id;
      progress.replaceWith(answerCard(body));
    } catch (error) {
      progress.replaceWith(el("article", { class: "card error", "data-testid": "answer", "data-status": "error" },
        el("p", { class: "answer-text", text: error.message })));
    } finally {
      state.busy = false;
      $("send").disabled = false;
      requestAnimationFrame(() => requestAnimationFrame(scrollDown));
    }
  }

  function newConversation() {
    state.conversation = null;
    $("history").replaceChildren();
    $("empty").hidden = false;
    $("question").focus();
  }

  async function showPermalink(answerId) {
    $("composer").hidden = true;
    $("permalink-bar").hidden = false;
    $("new-conversation").hidden = true;
    $("empty").hidden = true;
    try {
      const body = await api(`/api/v1/answers/${encodeURIComponent(answerId)}`);
      $("history").append(el("section", { class: "turn" }, el("p", { class: "bubble", text: body.question }), answerCard(body, true)));
    } catch (error) {
      $("history").append(el("article", { class: "card error", "data-testid": "answer", "data-status": "error" },
        el("p", { class: "answer-text", text: `${t("notFound")}: ${error.message}` })));
    }
  }

  async function start() {
    $("composer").addEventListener("submit", (event) => { event.preventDefault(); const q = $("question").value; $("question").value = ""; ask(q); });
    $("question").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); $("composer").requestSubmit(); }
    });
    $("new-conversation").addEventListener("click", newConversation);
    $("language-toggle").addEventListener("click", () => { state.lang = state.lang === "zh" ? "en" : "zh"; localStorage.setItem("chatbi.lang", state.lang); applyLanguage(); });
    $("catalog-toggle").addEventListener("click", () => { $("catalog").hidden = !$("catalog").hidden; });
    $("catalog-close").addEventListener("click", () => { $("catalog").hidden = true; });
    $("catalog-search").addEventListener("input", renderCatalog);
    $("login").addEventListener("submit", (event) => {
      event.preventDefault();
      localStorage.setItem("chatbi.key", $("api-key").value.trim());
      location.reload();
    });
    try {
      const session = await api("/api/v1/session");
      $("demo-banner").hidden = session.auth;
      [state.metrics, state.dimensions, state.analyses] = await Promise.all([api("/api/v1/metrics"),
        api("/api/v1/dimensions"), api("/api/v1/analyses")]);
    } catch (error) {
      $("history").append(el("article", { class: "card error" }, el("p", { class: "answer-text", text: error.message })));
    }
    applyLanguage();
    const permalink = location.pathname.match(/^\/a\/([0-9a-f]+)$/);
    if (permalink) await showPermalink(permalink[1]);
    document.body.dataset.ready = "true";
  }

  start();
})();
