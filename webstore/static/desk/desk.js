/* The desk (Telegram Mini App): the orders screen and an order's page. Every request
   carries the Mini App's init data (Authorization: tma …); the server decides who may see
   and do what. Texts come from /me in the person's language; nothing is drawn with
   innerHTML, so a customer's name stays text. */
(function () {
  "use strict";
  var tg = (window.Telegram && window.Telegram.WebApp) || null;
  var app = document.getElementById("app");
  var backButton = document.getElementById("back");
  var S = {};
  var me = null;
  var initData = tg && tg.initData ? tg.initData : fromFragment();
  var place = where();
  var list = { tab: "call", q: "", wilaya: "", day: "", courier: "", agent: "", risk: "",
    cursor: null, loading: false, seq: 0, pages: 0, firstPage: "" };
  var FILTERS = ["wilaya", "day", "courier", "agent", "risk"];
  var observer = null;
  var poll = null;
  var POLL_MS = 2000;
  var LIST_POLL_MS = 5000;
  var queue = false;  // the order on screen came from the calling queue

  function fromFragment() {
    var params = new URLSearchParams(location.hash.slice(1));
    return params.get("tgWebAppData") || "";
  }

  function startParam() {
    var unsafe = tg && tg.initDataUnsafe;
    if (unsafe && unsafe.start_param) return unsafe.start_param;
    return new URLSearchParams(initData).get("start_param") || "";
  }

  /* /desk/<slug>/[<number>], or the direct link's start parameter `<slug>[_<number>]`
     (only routing: the server checks membership of that store on every call). */
  function where() {
    var m = location.pathname.match(/^\/desk\/([a-z0-9-]+)\/(\d+)?/);
    if (m) return { slug: m[1], number: m[2] ? +m[2] : 0 };
    var p = startParam().match(/^([a-z0-9-]+)(?:_(\d+))?$/);
    return p ? { slug: p[1], number: p[2] ? +p[2] : 0 } : { slug: "", number: 0 };
  }

  function t(key) { return S[key] || key; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "iso") node.appendChild(document.createElement("bdi")).textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (e) { node.addEventListener(e, attrs.on[e]); });
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function api(path, body) {
    var options = { headers: { Authorization: "tma " + initData } };
    if (body) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch("/desk/api/" + place.slug + path, options).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }

  function theme() {
    var params = (tg && tg.themeParams) || {};
    var root = document.documentElement.style;
    Object.keys(params).forEach(function (k) {
      root.setProperty("--tg-theme-" + k.replace(/_/g, "-"), params[k]);
    });
    if (tg && tg.colorScheme) document.documentElement.dataset.scheme = tg.colorScheme;
  }

  function money(n) {
    // U+202F groups thousands: a bidi "common separator", so the groups keep their order in
    // Arabic (as i18n.money does on the server).
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f") + "\u00a0" + t("DA");
  }

  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    var lang = me ? me.lang : "fr";
    return d.toLocaleString(lang === "ar" ? "ar-DZ-u-nu-latn" : lang === "en" ? "en-GB" : "fr-DZ",
      { timeZone: "Africa/Algiers", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  function fail(res) {
    var code = res.data && res.data.error ? res.data.error.code : "";
    if (res.status === 401) return t("err_auth");
    if (res.status === 403) return t("err_forbidden");
    if (code === "concurrent_change") return t("err_conflict");
    if (code === "insufficient_stock") return t("err_stock");
    if (code === "claimed") return t("err_claimed");
    return t("err_other");
  }

  function toast(text) {
    if (tg && tg.showAlert) { try { tg.showAlert(text); return; } catch (e) { /* older client */ } }
    var box = el("p", { "class": "toast", role: "status", text: text });
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 3000);
  }

  /* Every screen drawn sets the back button: `screen` moves on there, so an answer asked
     for an earlier screen (a late list page, another period) is not drawn over this one. */
  var screen = 0;

  function setBack(handler) {
    screen += 1;
    backButton.hidden = !handler;
    backButton.onclick = handler;
    if (tg && tg.BackButton) {
      tg.BackButton.offClick(goBack);
      if (handler) { tg.BackButton.onClick(goBack); tg.BackButton.show(); } else tg.BackButton.hide();
    }
  }
  function goBack() { showList(); }

  /* ---- the orders screen ---- */

  function stopPolling() { clearInterval(poll); poll = null; }

  /* An open order page follows changes made elsewhere (another agent, the API, a courier):
     a one-row version check every 2 s while the page is in sight, a redraw when it moved. */
  function follow(o) {
    stopPolling();
    poll = setInterval(function () {
      if (document.visibilityState !== "visible") return;
      api("/orders/" + o.number + "/version").then(function (res) {
        if (res.ok && res.data.version !== o.version && poll) showOrder(o.number, true);
      });
    }, POLL_MS);
  }

  function showList() {
    stopPolling();
    setBack(null);
    document.getElementById("title").textContent = me.store.name;
    var tabs = el("nav", { "class": "tabs", role: "tablist" });
    me.tabs.forEach(function (tab) {
      tabs.appendChild(el("button", {
        type: "button", role: "tab", "data-tab": tab, "aria-selected": String(tab === list.tab && !list.q),
        text: t("tab_" + tab), on: { click: function () { list.tab = tab; list.q = ""; showList(); } }
      }));
    });
    queue = false;
    var search = el("input", { type: "search", id: "q", placeholder: t("search"), value: list.q, enterkeyhint: "search" });
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { list.q = search.value.trim(); reload(); }, 300);
    });
    var rows = el("ul", { id: "orders", "class": "orders" });
    var more = el("p", { id: "more", "class": "note" });
    app.replaceChildren(el("div", { "class": "sticky" }, [search, tabs, filters()]), rows, more);
    reload();
    followList();
  }

  /* Wilaya, day, courier, who confirmed or calls, and the customer's mark narrow a status
     tab (the calls to make come in their own order). */
  function choice(name, all, options) {
    var select = el("select", { id: "f-" + name, "aria-label": t(name) },
      [el("option", { value: "", text: t(all) })].concat(options.map(function (o) {
        return el("option", { value: String(o[0]), text: o[1] });
      })));
    select.value = list[name];
    select.addEventListener("change", function () { list[name] = select.value; reload(); });
    return select;
  }

  function filters() {
    var day = el("input", { type: "date", id: "f-day", "aria-label": t("day"), value: list.day });
    day.addEventListener("change", function () { list.day = day.value; reload(); });
    var boxes = [
      choice("wilaya", "all_wilayas", me.wilayas), day,
      choice("courier", "all_couriers", me.couriers.map(function (c) { return [c[0], c[1] || t("courier_" + c[0])]; })),
      choice("agent", "all_agents", me.people),
      choice("risk", "all_risks", me.risks.map(function (r) { return [r, t("risk_" + r)]; }))
    ];
    var next = el("button", { type: "button", "class": "primary", id: "next-call",
      text: "📞 " + t("next_call"), on: { click: nextCall } });
    return el("div", {}, [el("div", { "class": "filters", id: "filters" }, boxes), next]);
  }

  function reload() {
    list.cursor = null;
    list.pages = 0;
    list.seq += 1;
    document.getElementById("orders").replaceChildren();
    document.querySelectorAll(".tabs button").forEach(function (b) {
      b.setAttribute("aria-selected", String(b.dataset.tab === list.tab && !list.q));
    });
    document.getElementById("filters").hidden = list.tab === "call" || !!list.q;
    document.getElementById("next-call").hidden = list.tab !== "call" || !!list.q;
    loadMore(true);
  }

  function loadMore(first) {
    // A first page always goes (filters changed: the answer to an older one is dropped).
    if (!first && (list.loading || !list.cursor)) return;
    list.loading = true;
    var seq = list.seq;
    var more = document.getElementById("more");
    more.textContent = t("loading");
    var query = listQuery();
    if (list.cursor) query += "&cursor=" + encodeURIComponent(list.cursor);
    var asked = screen;
    api("/orders?" + query).then(function (res) {
      if (asked !== screen) { list.loading = false; return; }  // the list was left
      if (seq !== list.seq) return;  // the tab, a filter or the search changed meanwhile
      list.loading = false;
      if (!res.ok) { more.textContent = fail(res); return; }
      if (first) list.firstPage = JSON.stringify(res.data.orders);
      list.pages = first ? 1 : list.pages + 1;
      drawRows(res.data, !first);
    });
  }

  function listQuery() {
    var query = list.q ? "q=" + encodeURIComponent(list.q) : "tab=" + list.tab;
    if (!list.q && list.tab !== "call") {
      FILTERS.forEach(function (name) {
        if (list[name]) query += "&" + name + "=" + encodeURIComponent(list[name]);
      });
    }
    return query;
  }

  function drawRows(data, append) {
    var rows = document.getElementById("orders");
    var more = document.getElementById("more");
    if (!rows) return;  // another screen opened while the page was on its way
    if (!append) rows.replaceChildren();
    data.orders.forEach(function (o) { rows.appendChild(row(o)); });
    list.cursor = data.next_cursor;
    more.textContent = !rows.children.length ? t("empty") : data.more ? t("more_found") : "";
    watch(more);
  }

  /* The list follows new orders and changes while only its first page is shown: every 5 s
     the first page is asked again and redrawn when it differs (no scroll position lost). */
  function followList() {
    stopPolling();
    poll = setInterval(function () {
      if (document.visibilityState !== "visible" || list.loading || list.pages !== 1) return;
      var seq = list.seq;
      api("/orders?" + listQuery()).then(function (res) {
        if (!res.ok || seq !== list.seq || !poll || list.pages !== 1) return;
        var key = JSON.stringify(res.data.orders);
        if (key !== list.firstPage) { list.firstPage = key; drawRows(res.data, false); }
      });
    }, LIST_POLL_MS);
  }

  function watch(sentinel) {
    if (observer) observer.disconnect();
    if (!list.cursor || !window.IntersectionObserver) return;
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) loadMore(false);
    }, { rootMargin: "400px" });
    observer.observe(sentinel);
  }

  function row(o) {
    var facts = el("span", { "class": "facts" });
    [o.phone, money(o.total), o.call_attempts ? "☎ " + o.call_attempts : "",
      o.callback_at ? t("callback") + " " + when(o.callback_at) : ""].forEach(function (fact) {
      if (!fact) return;
      if (facts.childNodes.length) facts.appendChild(document.createTextNode(" · "));
      facts.appendChild(document.createElement("bdi")).textContent = fact;
    });
    facts.firstChild.dir = "ltr";  // the phone: its digit groups read left to right
    return el("li", {}, [el("a", {
      href: "#", "class": "order", "data-number": String(o.number),
      on: { click: function (e) { e.preventDefault(); showOrder(o.number); } }
    }, [
      el("span", { "class": "num", text: "#" + o.number }),
      el("span", { "class": "badge s-" + o.status, text: t("tab_" + o.status) }),
      el("span", { "class": "name", iso: o.name }),
      facts,
      el("time", { "class": "at", text: when(o.created_at) })
    ])]);
  }

  /* ---- an order's page ---- */

  function showOrder(number, quiet) {
    stopPolling();
    setBack(goBack);
    document.getElementById("title").textContent = "#" + number;
    if (!quiet) app.replaceChildren(el("p", { "class": "note", text: t("loading") }));
    var asked = screen;
    api("/orders/" + number).then(function (res) {
      if (asked !== screen) return;
      if (!res.ok) { app.replaceChildren(el("p", { "class": "note", text: fail(res) })); return; }
      drawOrder(res.data);
    });
  }

  function pair(label, value) {
    return el("div", { "class": "pair" }, [el("dt", { text: label }), el("dd", { iso: String(value) })]);
  }

  function drawOrder(o) {
    var c = o.customer, h = c.history, ship = o.shipping, lang = me.lang;
    var place = (lang === "ar" ? ship.wilaya.name_ar : ship.wilaya.name_fr) + " · " +
      (lang === "ar" ? ship.commune.name_ar : ship.commune.name_fr);
    var head = el("section", { "class": "card" }, [
      el("p", {}, [el("span", { "class": "badge s-" + o.status, id: "status-badge", text: t("tab_" + o.status) }),
        el("span", { "class": "risk r-" + c.risk, text: t("risk_" + c.risk) })]),
      el("h2", { iso: c.name }),
      el("p", {}, [el("a", { href: "tel:" + c.phone, "class": "tel", dir: "ltr", text: c.phone_national })]),
      el("p", { iso: place }),
      el("p", { iso: ship.address + " — " + t(ship.delivery_type) }),
      o.note ? el("p", { "class": "hint", iso: o.note }) : null
    ]);
    var history = el("dl", { "class": "card grid" }, [
      pair(t("orders_count"), h.orders), pair(t("delivered_count"), h.delivered),
      pair(t("returned_count"), h.returned), pair(t("cancelled_count"), h.cancelled)
    ]);
    var lines = el("section", { "class": "card" }, [el("h3", { text: t("lines") })].concat(
      o.lines.map(function (l) {
        return el("p", { "class": "line", dir: "auto" }, [
          el("span", { text: l.quantity + " × " + l.product_name + (l.variant_label ? " (" + l.variant_label + ")" : "") }),
          el("span", { text: money(l.line_total) })]);
      })).concat([
      pair(t("delivery_fee"), money(o.amounts.delivery_fee)),
      o.amounts.discount ? pair(t("discount"), "−" + money(o.amounts.discount)) : null,
      el("p", { "class": "line total" }, [el("span", { text: t("total") }), el("span", { text: money(o.amounts.total) })])
    ]));
    // A closed order has no actions: leave the card out (a null would show as "null").
    app.replaceChildren.apply(app, [head, history, actions(o), lines, timeline(o)].filter(Boolean));
    follow(o);
  }

  function send(o, path, body) {
    body.version = o.version;
    document.querySelectorAll("#actions button").forEach(function (b) { b.disabled = true; });
    return api("/orders/" + o.number + path, body).then(function (res) {
      if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(res.ok ? "success" : "error");
      toast(res.ok ? t("done") : fail(res));
      // In the calling queue an outcome leads to the next call; otherwise stay here.
      if (res.ok && queue && path === "/calls") nextCall(); else showOrder(o.number, true);
    });
  }

  /* The calling queue: the server claims the next call for this person and names it. */
  function nextCall() {
    api("/queue/next", {}).then(function (res) {
      if (!res.ok) { toast(fail(res)); return; }
      if (res.data.number === null) { queue = false; toast(t("no_calls")); showList(); return; }
      queue = true;
      showOrder(res.data.number, true);
    });
  }

  function move(o, to) {
    var danger = to === "cancelled" || to === "returned";
    return el("button", { type: "button", "class": danger ? "danger" : "", id: "to-" + to,
      text: to === "cancelled" ? t("cancel") : t("act_" + to),
      on: { click: function () {
        if (to === "cancelled") whyCancel(o); else send(o, "/status", { to: to });
      } } });
  }

  /* Cancel asks why, as the bot's Cancel ▸ menu does: one of the store's reasons, "other"
     with the words typed; a fake order blocks the number, so that one asks again. */
  function whyCancel(o) {
    var shown = document.getElementById("cancel-why");
    if (shown) { shown.remove(); return; }
    var picked = "";
    var note = el("textarea", { id: "cancel-note", rows: "2", maxlength: "300",
      placeholder: t("cancel_note"), "aria-label": t("cancel_note") });
    var go = el("button", { type: "button", "class": "danger", id: "cancel-go", disabled: "",
      text: t("cancel") });
    var reasons = el("div", { "class": "reasons", role: "radiogroup", "aria-label": t("cancel_why") },
      me.cancel_reasons.map(function (code) {
        return el("button", { type: "button", role: "radio", "aria-checked": "false",
          id: "reason-" + code, "data-reason": code, text: t("reason_" + code),
          on: { click: function () {
            picked = code;
            reasons.querySelectorAll("button").forEach(function (b) {
              b.setAttribute("aria-checked", b.dataset.reason === code ? "true" : "false");
            });
            go.disabled = false;
            if (code === "other") note.focus();
          } } });
      }));
    go.addEventListener("click", function () {
      var words = note.value.trim();
      if (picked === "other" && !words) { toast(t("cancel_note_needed")); note.focus(); return; }
      var body = { to: "cancelled", reason: picked, note: words };
      var sendIt = function () { send(o, "/status", body); };
      if (picked === "fake") ask(t("cancel_fake_ask"), sendIt); else sendIt();
    });
    var keep = el("button", { type: "button", id: "cancel-keep", text: t("keep"),
      on: { click: function () { box.remove(); } } });
    var box = el("fieldset", { "class": "card why", id: "cancel-why" }, [
      el("legend", { text: t("cancel_why") }), reasons, note, el("div", { "class": "row" }, [keep, go])]);
    document.getElementById("actions").after(box);
    box.scrollIntoView({ block: "nearest" });
  }

  function claim(o) {
    var c = o.claim;
    var row = el("div", { "class": "row" });
    if (c && !c.mine) row.appendChild(el("p", { "class": "hint", iso: t("claimed_by") + " " + c.by }));
    if (c && c.mine) row.appendChild(el("p", { "class": "hint", text: t("claimed_mine") }));
    if (!c) row.appendChild(el("span"));
    var mine = c && (c.mine || me.user.role === "owner");
    if (!c || mine) {
      row.appendChild(el("button", { type: "button", id: c ? "release" : "claim", text: c ? t("release") : "📞 " + t("claim"),
        on: { click: function () { send(o, c ? "/release" : "/claim", {}); } } }));
    }
    return row;
  }

  function calls(o, box) {
    box.appendChild(claim(o));
    box.appendChild(el("button", { type: "button", "class": "primary", id: "confirm", text: t("confirm"),
      on: { click: function () { send(o, "/calls", { outcome: "confirmed" }); } } }));
    var outcome = el("select", { id: "outcome", "aria-label": t("call_outcome") },
      me.outcomes.filter(function (x) { return x !== "duplicate"; }).map(function (x) {
        return el("option", { value: x, text: t("out_" + x) });
      }));
    var at = el("input", { type: "datetime-local", id: "callback-at", "aria-label": t("callback_time"), hidden: "" });
    outcome.addEventListener("change", function () { at.hidden = outcome.value !== "postponed"; });
    box.appendChild(el("div", { "class": "row" }, [outcome, el("button", {
      type: "button", id: "log-call", text: t("save"), on: { click: function () {
        var body = { outcome: outcome.value };
        if (outcome.value === "postponed") {
          if (!at.value) { at.hidden = false; at.focus(); return; }
          body.callback_at = new Date(at.value).toISOString();
        }
        send(o, "/calls", body);
      } } })]));
    box.appendChild(at);
  }

  function actions(o) {
    var box = el("section", { "class": "card", id: "actions" });
    if (o.status === "pending") calls(o, box);
    /* The moves by hand the lifecycle table allows (models.orders.lifecycle), cancel last. */
    (o.moves || []).forEach(function (to) { box.appendChild(move(o, to)); });
    return box.children.length ? box : null;
  }

  function ask(question, yes) {
    if (tg && tg.showConfirm) {
      try { tg.showConfirm(question, function (ok) { if (ok) yes(); }); return; } catch (e) { /* older client */ }
    }
    if (window.confirm(question)) yes();
  }

  function timeline(o) {
    return el("section", { "class": "card" }, [el("h3", { text: t("timeline") }), el("ol", { "class": "timeline" },
      o.timeline.slice().reverse().map(function (e) {
        var why = e.data && e.data.reason ? " · " + t("reason_" + e.data.reason) : "";
        var what = e.type === "status_changed" ? t("tab_" + e.to_status) + why
          : e.type === "call_logged" ? t("ev_call_logged") + ": " + t("out_" + e.data.outcome)
          : t("ev_" + e.type);
        return el("li", {}, [el("time", { text: when(e.at) }), el("span", { iso: what }),
          el("span", { "class": "hint", iso: e.actor.name + (e.note ? " — " + e.note : "") })]);
      }))]);
  }

  /* ---- figures: the numbers of /stats, a bar per status, and the server's charts (SVG)
     by day, person, wilaya and product over today, 7 or 30 days or chosen dates ---- */

  var figuresOf = { period: "today", from: "", to: "" };

  function showStats(period) {
    stopPolling();
    setBack(goBack);
    if (period) figuresOf.period = period;
    document.getElementById("title").textContent = t("figures");
    var query = "period=" + figuresOf.period;
    if (figuresOf.period === "custom") query += "&from=" + figuresOf.from + "&to=" + figuresOf.to;
    var asked = screen;
    api("/stats?" + query).then(function (res) {
      if (asked !== screen) return;  // another period or screen was chosen meanwhile
      if (!res.ok) { app.replaceChildren(periods(figuresOf.period), el("p", { "class": "note", text: fail(res) })); return; }
      drawStats(res.data);
    });
  }

  function percent(rate) { return rate === null ? "—" : Math.round(rate * 100) + " %"; }

  function periods(current) {
    var tabs = el("nav", { "class": "tabs", role: "tablist" }, ["today", "week", "month", "custom"].map(function (p) {
      return el("button", { type: "button", role: "tab", "aria-selected": String(p === current), "data-period": p,
        text: t("period_" + p), on: { click: function () {
          if (p === "custom") { figuresOf.period = p; dates().hidden = false; return; }
          showStats(p);
        } } });
    }));
    var from = el("input", { type: "date", id: "f-from", "aria-label": t("from"), value: figuresOf.from });
    var to = el("input", { type: "date", id: "f-to", "aria-label": t("to"), value: figuresOf.to });
    var go = el("button", { type: "button", id: "f-show", "class": "primary", text: t("show"), on: { click: function () {
      if (!from.value || !to.value) return;
      figuresOf.from = from.value; figuresOf.to = to.value;
      showStats("custom");
    } } });
    var box = el("div", { "class": "filters dates", id: "dates" }, [from, to, go]);
    box.hidden = current !== "custom";
    return el("div", { "class": "sticky" }, [tabs, box]);
  }

  function dates() { return document.getElementById("dates"); }

  /* The server draws the chart (escaped text, no script); the page only adopts it. */
  function svg(markup) {
    var doc = new DOMParser().parseFromString(markup, "image/svg+xml");
    return document.importNode(doc.documentElement, true);
  }

  function legend(withOrders) {
    var keys = [["c-confirm", "confirmation_rate"], ["c-deliver", "delivery_rate"], ["c-return", "return_rate"]];
    if (withOrders) keys.unshift(["c-orders", "legend_orders"]);
    return el("p", { "class": "legend" }, keys.map(function (k) {
      return el("span", {}, [el("i", { "class": "dot " + k[0] }), el("span", { text: t(k[1]) })]);
    }));
  }

  function chart(name, markup, empty) {
    return el("section", { "class": "card chart-card", id: "chart-" + name }, [el("h3", { text: t("chart_" + name) }),
      empty ? el("p", { "class": "hint", text: t("no_figures") }) : legend(true), empty ? null : svg(markup)]);
  }

  function drawStats(f) {
    figuresOf.from = f.from; figuresOf.to = f.to;
    var figures = el("dl", { "class": "card grid" }, [
      pair(t("placed"), f.placed), pair(t("confirmation_rate"), percent(f.confirmation_rate)),
      pair(t("delivery_rate"), percent(f.delivery_rate)), pair(t("return_rate"), percent(f.return_rate))
    ]);
    var most = Math.max.apply(null, [1].concat(Object.keys(f.by_status).map(function (k) { return f.by_status[k]; })));
    var byStatus = el("section", { "class": "card", id: "chart" }, [el("h3", { text: t("by_status") })].concat(
      ["pending", "confirmed", "processing", "shipped", "delivered", "returned", "cancelled"].map(function (s) {
        var n = f.by_status[s] || 0;
        var bar = el("span", { "class": "bar s-" + s });
        bar.style.width = (100 * n / most) + "%";
        return el("div", { "class": "bar-row" }, [el("span", { text: t("tab_" + s) }), el("span", { "class": "track" }, [bar]),
          el("b", { text: String(n) })]);
      })));
    var team = el("section", { "class": "card" }, [el("h3", { text: t("team") })].concat(f.team.map(function (p) {
      return el("p", { "class": "line" }, [el("span", { iso: p.name }),
        el("span", { text: "☎ " + p.calls + " · ✅ " + p.confirmations })]);
    })));
    var cash = f.money ? el("dl", { "class": "card", id: "money" }, [pair(t("money_booked"), money(f.money.booked)),
      pair(t("money_delivered"), money(f.money.delivered))]) : null;
    var charts = ["days", "people", "wilayas", "products"].map(function (name) {
      return chart(name, f.charts[name], name === "days" ? !f.placed : !f[name].length);
    });
    app.replaceChildren.apply(app, [periods(f.period), figures, cash].concat(charts, [byStatus, team]).filter(Boolean));
  }

  /* ---- stock: each variant with its count, − and + in place when the person may ---- */

  function showStock() {
    stopPolling();
    setBack(goBack);
    document.getElementById("title").textContent = t("stock");
    var asked = screen;
    api("/stock").then(function (res) {
      if (asked !== screen) return;
      if (!res.ok) { app.replaceChildren(el("p", { "class": "note", text: fail(res) })); return; }
      var list = el("ul", { "class": "orders", id: "stock-list" }, res.data.variants.map(function (v) {
        return stockRow(v, res.data.may_change);
      }));
      app.replaceChildren(res.data.variants.length ? list : el("p", { "class": "note", text: t("empty") }));
    });
  }

  function stockRow(v, mayChange) {
    var count = el("b", { "class": "count", text: String(v.stock) });
    var step = function (delta) {
      return el("button", { type: "button", "class": "step", "data-delta": String(delta), text: delta > 0 ? "+" : "−",
        "aria-label": (delta > 0 ? "+" : "−") + " " + v.product, on: { click: function () {
          api("/stock/" + v.id, { delta: delta }).then(function (res) {
            if (!res.ok) { toast(fail(res)); return; }
            count.textContent = String(res.data.stock);
          });
        } } });
    };
    var name = el("span", { "class": "name" }, [el("bdi", { text: v.product }),
      v.label ? el("small", { "class": "hint sub", iso: v.label }) : null]);
    return el("li", { "class": "variant" + (v.active ? "" : " off"), "data-variant": String(v.id) },
      [name].concat(mayChange ? [step(-1), count, step(1)] : [count]));
  }

  /* What the other screens' scripts (desk_ship.js) draw with. */
  function kit() {
    return { app: app, tg: tg, me: me, t: t, el: el, api: api, money: money, fail: fail, toast: toast,
      setBack: setBack, goBack: goBack, stopPolling: stopPolling };
  }

  /* ---- start ---- */

  function start() {
    theme();
    if (tg) {
      tg.ready();
      if (tg.expand) tg.expand();
      if (tg.onEvent) tg.onEvent("themeChanged", theme);
    }
    var status = document.getElementById("status");
    if (!place.slug || !initData) { status.textContent = status.dataset.open; return; }
    api("/me").then(function (res) {
      if (!res.ok) {  // not known yet in which language: the shell says it in all three
        status.textContent = res.status === 403 ? status.dataset.team : status.dataset.open;
        return;
      }
      me = res.data;
      S = me.strings;
      document.documentElement.lang = me.lang;
      document.documentElement.dir = me.dir;
      document.title = t("title") + " · " + me.store.name;
      var statsButton = document.getElementById("stats");
      statsButton.hidden = false;
      statsButton.setAttribute("aria-label", t("figures"));
      statsButton.onclick = function () { showStats("today"); };
      var stockButton = document.getElementById("stock");
      stockButton.hidden = false;
      stockButton.setAttribute("aria-label", t("stock"));
      stockButton.onclick = showStock;
      var shipButton = document.getElementById("shipping");
      shipButton.hidden = !window.HanoutShipping;
      shipButton.setAttribute("aria-label", t("shipping"));
      shipButton.onclick = function () { window.HanoutShipping.show(kit()); };
      if (place.number) showOrder(place.number); else showList();
    });
  }

  start();
})();
